"""Font discovery falls back honestly; Chinese line breaking keeps punctuation and words in place."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.cli import main
from reports.pdf.fonts import find_fonts
from reports.pdf.linebreak import CANNOT_END, CANNOT_START, plan_lines


def test_no_fonts_falls_back_to_stsong_and_says_so():
    choice = find_fonts(dirs=[])
    assert choice.builtin_only
    assert all(face.font_name == "STSong-Light" for face in choice.faces.values())
    assert any("STSong-Light" in w for w in choice.warnings)


def test_font_paths_setting_overrides_and_bad_paths_are_reported(tmp_path):
    found = find_fonts()
    assert not found.builtin_only, "this machine needs a Chinese TrueType font (fonts-wqy-zenhei)"
    heiti = found.faces["heiti"]
    not_a_font = tmp_path / "simfang.ttf"
    not_a_font.write_bytes(b"not a font at all")
    choice = find_fonts({"仿宋": heiti.path, "kaiti": str(tmp_path / "missing.ttf"), "宋体": str(not_a_font)})
    assert choice.faces["fangsong"].path == heiti.path and not choice.faces["fangsong"].substitute
    assert any("missing.ttf" in w and "不存在" in w for w in choice.warnings)
    assert any("simfang.ttf" in w and "不可用" in w for w in choice.warnings)
    assert choice.faces["kaiti"].path and choice.faces["songti"].path != str(not_a_font)


def test_missing_glyphs_are_named():
    choice = find_fonts()
    assert choice.missing_glyphs("县发展和改革局") == set()
    assert choice.missing_glyphs("𰻝县") == {"𰻝"}


def test_fonts_command_prints_the_choice(capsys, tmp_path):
    assert main(["--db", str(tmp_path / "none.db"), "fonts"]) == 0
    out = capsys.readouterr().out
    assert "仿宋：" in out and "黑体：" in out and "查找过的文件夹" in out


def _lines(text: str, width: float):
    return [text[a:b] for a, b, _w in plan_lines(text, [10.0] * len(text), width)]


def test_punctuation_never_starts_a_line_and_never_hangs_out():
    text = "截至6月底，全县32项重点工作中，已完成5项，序时推进21项，进度滞后6项。“一件事”改革（试点）已完成。"
    for width in range(30, 200, 10):
        lines = _lines(text, width)
        assert "".join(lines) == text
        for line in lines:
            assert len(line) * 10 <= width
        for line in lines[1:]:
            assert line[0] not in CANNOT_START
        for line in lines[:-1]:
            assert line[-1] not in CANNOT_END


def test_latin_words_and_numbers_stay_whole():
    lines = _lines("推进REITs试点和5G基站建设，2024年完成35.1%。", 100)
    joined = "|".join(lines)
    for word in ("REITs", "5G", "2024", "35.1%"):
        assert word in lines[[word in line for line in lines].index(True)], joined


_cjk = st.sampled_from("重点工作推进情况县乡镇街道年月日已完成序时滞后")
_mark = st.sampled_from("，。、；：！？》”）")
_token = st.one_of(_cjk, st.tuples(_cjk, _mark).map("".join), st.sampled_from(["5G", "2024", "REITs", "（试点）"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(_token, min_size=1, max_size=80), st.integers(min_value=4, max_value=30))
def test_any_mixed_text_wraps_inside_its_width(tokens, chars):
    text = "".join(tokens)
    width = chars * 10.0
    lines = _lines(text, width)
    assert "".join(lines) == text
    assert all(len(line) * 10 <= width for line in lines)
    assert all(line[0] not in CANNOT_START for line in lines[1:])

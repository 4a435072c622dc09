"""Report content is renderer-neutral: built once, printed by any renderer; kinds are registered once."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from reports.content import model
from reports.content.bulletin import bulletin_content
from reports.kinds import REPORT_KINDS, REPORTS

ROOT = Path(__file__).resolve().parent.parent
RENDERERS = ("reportlab", "docx", "openpyxl")


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top, inside functions and under TYPE_CHECKING."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "reports" / "content").glob("*.py")), ids=lambda p: p.name)
def test_report_content_modules_import_no_renderer(path):
    wrong = sorted(
        name
        for name in _imported_modules(path)
        if name.split(".")[0] in RENDERERS or name.startswith(("reports.pdf", "reports.word", "desktop"))
    )
    assert wrong == [], f"{path.name} imports a renderer: {wrong}"


def test_building_every_report_content_loads_no_renderer(demo_path):
    code = (
        "import sys\n"
        "from db.ledger import open_ledger\n"
        "from reports.content.annual import annual_content\n"
        "from reports.content.bulletin import bulletin_content\n"
        "from reports.content.progress import progress_content\n"
        "import reports.kinds\n"
        f"db = open_ledger({str(demo_path)!r})\n"
        "bulletin_content(db, '2024Q2'); progress_content(db, '2024Q2'); annual_content(db, 2024)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {RENDERERS!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_bulletin_content_is_plain_blocks(demo_db):
    doc = bulletin_content(demo_db, "2024Q2")
    kinds = {type(block) for block in doc.blocks}
    assert {model.Masthead, model.Title, model.Heading, model.Para, model.Table, model.Chart} <= kinds
    headings = [b.text for b in doc.blocks if isinstance(b, model.Heading) and b.level == 1]
    assert headings[:3] == ["一、总体推进情况", "二、单位比晾晒", "三、通报事项"]
    chart = next(b for b in doc.blocks if isinstance(b, model.Chart) and b.kind == "lights_by_unit")
    assert sum(sum(c.values()) for c in chart.counts.values()) > 0


def test_every_report_kind_names_its_formats_and_parameters():
    for kind in REPORT_KINDS:
        assert kind.formats and all(s.startswith(".") for s in kind.formats)
        assert kind.label and kind.help and kind.file_word
        assert len({p.keyword for p in kind.params}) == len(kind.params)
    assert REPORTS["bulletin"].check_out_path("x.PDF").name == "x.PDF"


def test_the_command_line_offers_every_registered_kind():
    from desktop.cli import build_parser

    parser = build_parser()
    report = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction").choices["report"]
    offered = next(a for a in report._actions if a.__class__.__name__ == "_SubParsersAction").choices
    assert set(offered) == {kind.name for kind in REPORT_KINDS if kind.command} | {"fields"}
    for kind in REPORT_KINDS:
        if kind.command:
            options = {o for a in offered[kind.name]._actions for o in a.option_strings}
            assert {p.option for p in kind.params} | {"--out"} <= options


def test_a_wrong_suffix_is_one_sentence(demo_path, capsys):
    from desktop.cli import main

    code = main(["--db", str(demo_path), "report", "bulletin", "--round", "2024Q2", "--out", "b.txt"])
    err = capsys.readouterr().err
    assert code != 0
    assert "应以 .pdf" in err and "Traceback" not in err


def test_fonts_are_one_line_and_an_installed_cff_font_is_explained(tmp_path):
    import shutil as sh

    from reports.pdf.fonts import find_fonts

    stand_in = next(Path("/usr/share/fonts").rglob("wqy-zenhei.ttc"), None) or next(
        Path("/usr/share/fonts").rglob("uming.ttc"), None
    )
    if stand_in is None:
        pytest.skip("no CJK TrueType font on this machine")
    sh.copy(stand_in, tmp_path / stand_in.name)
    (tmp_path / "NotoSansCJK-Regular.ttc").write_bytes(b"OTTO")  # a CFF collection, by its name
    choice = find_fonts(dirs=[tmp_path])
    line = choice.summary()
    assert line.startswith("字体：") and "\n" not in line
    assert all(f"{role}用" in line for role in ("仿宋", "黑体", "楷体", "宋体", "小标宋")) and "（代用）" in line
    assert any("NotoSansCJK-Regular.ttc" in w and "OpenType/CFF" in w and "TrueType" in w for w in choice.warnings)
    assert any("simfang.ttf" in w for w in choice.warnings)
    assert not any(w.startswith("未找到") for w in choice.warnings)

"""``duban selftest`` for IT staff: one line per check, exit 0 only if all pass, screenshots saved."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def test_selftest_passes_and_saves_a_screenshot_per_view(tmp_path, capsys):
    from desktop.cli import main

    assert main(["selftest", "--out", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 7 and all(line.startswith("✔") for line in lines[:6]), lines
    shots = sorted(p.name for p in tmp_path.glob("gui-*.png"))
    assert shots == [
        "gui-1-仪表盘.png",
        "gui-2-台账.png",
        "gui-3-填报轮次.png",
        "gui-4-单位.png",
        "gui-5-问题清单.png",
        "gui-6-报表.png",
    ]
    assert all((tmp_path / name).stat().st_size > 10_000 for name in shots)


def test_selftest_fails_when_a_check_fails(tmp_path, capsys, monkeypatch):
    from desktop import selftest
    from desktop.cli import main

    def no_fonts(scratch):
        raise AssertionError("没有找到可嵌入的中文 TrueType 字体")

    monkeypatch.setattr(selftest, "check_pdf_fonts", no_fonts)
    assert main(["selftest", "--out", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "✘ PDF 中文字体：没有找到可嵌入的中文 TrueType 字体" in out

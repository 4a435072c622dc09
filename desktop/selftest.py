"""``duban selftest``: checks IT staff run on a new PC or a freshly built bundle.

Each check prints one line (✔ or ✘, what was checked, what was found) and the whole
run exits 0 only when every check passed. Nothing outside the scratch folder and the
output folder is written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class CheckResult:
    """The outcome of one check."""

    name: str
    ok: bool
    detail: str


def check_ledger(scratch: Path) -> str:
    """Write a scratch ledger and read it back."""
    from db.ledger import create_ledger, get_meta, integrity_check, open_ledger
    from db.mode import OFFICE, set_ledger_mode
    from db.units import add_unit

    path = scratch / "自检台账.db"
    db = create_ledger(path)
    set_ledger_mode(db, OFFICE, "selftest")
    add_unit(db, "自检测试局", "部门", source="selftest")
    db.close()
    db = open_ledger(path)
    try:
        from db.units import first_unit_name

        name = first_unit_name(db)
        if name != "自检测试局" or get_meta(db, "mode") != OFFICE:
            raise AssertionError(f"读回的内容不一致：{name}")
        problems = integrity_check(db)
        if problems:
            raise AssertionError(f"完整性检查发现问题：{problems[0]}")
    finally:
        db.close()
    return f"写入并读回 {path.name}，完整性检查（integrity_check）无误"


def check_pdf_fonts(scratch: Path) -> str:
    """Find the Chinese fonts PDFs embed."""
    from reports.pdf.fonts import find_fonts

    choice = find_fonts()
    if choice.builtin_only:
        raise AssertionError("没有找到可嵌入的中文 TrueType 字体，PDF 只能用阅读器自带字体。请安装仿宋、黑体等字体。")
    families = sorted({f.family for f in choice.faces.values()})
    return "、".join(families)


def check_xlsx(scratch: Path) -> str:
    """Write an .xlsx with Chinese text and read it back through the safety checks."""
    import openpyxl

    from reports.safety import open_xlsx

    path = scratch / "自检.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "重点工作进展填报"
    wb.active["B2"] = 45.5
    wb.save(path)
    back = open_xlsx(path)
    if back.active["A1"].value != "重点工作进展填报" or back.active["B2"].value != 45.5:
        raise AssertionError("读回的单元格与写入的不一致")
    return f"写入并读回 {path.name}"


def _demo(scratch: Path) -> Path:
    from db.demo import build_demo

    path = scratch / "示例县.db"
    if not path.exists():
        build_demo(path).close()
    return path


def check_pdf(scratch: Path) -> str:
    """Make a real progress report PDF from the demo ledger."""
    from db.ledger import open_ledger
    from reports.kinds import write_progress_report

    out = scratch / "自检进展表.pdf"
    db = open_ledger(_demo(scratch))
    try:
        result = write_progress_report(db, "2024Q2", out)
    finally:
        db.close()
    if not out.is_file() or out.stat().st_size < 1000 or not result.pages:
        raise AssertionError("PDF 没有生成或是空的")
    return f"{out.name}，{result.pages} 页，{out.stat().st_size // 1024} KB"


def check_gui_font(scratch: Path) -> str:
    """The Qt font database has a Simplified Chinese family for the window."""
    from desktop.app import choose_chinese_font, ensure_application

    ensure_application()
    family = choose_chinese_font()
    if not family:
        raise AssertionError("系统中没有简体中文字体，界面文字会显示成方框。请安装微软雅黑或其他中文字体。")
    return family


def check_main_window(scratch: Path, out_dir: Path) -> str:
    """Open the main window offscreen on the demo ledger and save a screenshot of each page."""
    from desktop.app import ensure_application, open_window

    app = ensure_application()
    ledger = scratch / "界面自检.db"
    shutil.copy2(_demo(scratch), ledger)
    started = time.perf_counter()
    window = open_window(ledger)
    try:
        window.resize(1280, 800)
        window.show()
        app.processEvents()
        opened = time.perf_counter() - started
        saved = []
        for i, page in enumerate(window.pages):
            window.nav.setCurrentRow(i)
            app.processEvents()
            target = out_dir / f"gui-{i + 1}-{page.title}.png"
            if not window.grab().save(str(target)):
                raise AssertionError(f"无法保存截图 {target}")
            saved.append(target.name)
    finally:
        window.close()
        app.processEvents()
    return f"打开用时 {opened:.2f} 秒，截图 {len(saved)} 张：{'、'.join(saved)}"


def run_selftest(out_dir: str | Path, echo: Callable[[str], None] = print) -> list[CheckResult]:
    """Run every check, printing one line each; return the results."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not _has_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    results = []
    with tempfile.TemporaryDirectory(prefix="duban-selftest-") as tmp:
        scratch = Path(tmp)
        checks: list[tuple[str, Callable[[], str]]] = [
            ("台账读写", lambda: check_ledger(scratch)),
            ("PDF 中文字体", lambda: check_pdf_fonts(scratch)),
            ("Excel 读写", lambda: check_xlsx(scratch)),
            ("生成 PDF", lambda: check_pdf(scratch)),
            ("界面中文字体", lambda: check_gui_font(scratch)),
            ("主窗口", lambda: check_main_window(scratch, out_dir)),
        ]
        for name, fn in checks:
            try:
                result = CheckResult(name, True, fn())
            except Exception as exc:  # noqa: BLE001 - a failed check is reported, never raised
                detail = str(exc) or type(exc).__name__
                if not isinstance(exc, AssertionError):
                    detail = f"{type(exc).__name__}: {detail}"
                    (out_dir / "selftest-errors.log").open("a", encoding="utf-8").write(
                        f"== {name}\n{traceback.format_exc()}\n"
                    )
                result = CheckResult(name, False, detail)
            echo(f"{'✔' if result.ok else '✘'} {result.name}：{result.detail}")
            results.append(result)
    return results


def _has_display() -> bool:
    """Whether a real screen is available (Windows and macOS always; X11/Wayland when set)."""
    import sys

    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))

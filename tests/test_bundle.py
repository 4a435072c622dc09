"""The PyInstaller bundle built from build.spec works on its own, the way an office PC runs it.

Built once per session (a module fixture, about half a minute on two cores), then: the
self-test run from the bundle with the offscreen Qt platform, a full CLI round trip
(demo → export-handoff → a clerk fills the workbooks → import-returns → bulletin) with
the bundled executable, and the bundle's contents (resources found, only Chinese Qt
translations, unused Qt modules left out).
"""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.bundle,
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="the bundle test builds and runs the Linux bundle"),
]

ROOT = Path(__file__).resolve().parent.parent
BUILD_TIMEOUT = 900
RUN_TIMEOUT = 300


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """Build dist/duban from build.spec into a temporary folder; return the folder."""
    work = tmp_path_factory.mktemp("pyinstaller")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "build.spec",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"PyInstaller failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    folder = work / "dist" / "duban"
    assert (folder / "duban").is_file() and (folder / "duban-cli").is_file()
    return folder


@pytest.fixture
def run(bundle, tmp_path):
    """Run a bundled executable with its own user data folder, returning the completed process."""
    data = tmp_path / "user-data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    # A clean environment: nothing from the build machine's Python may leak into the bundle.
    env.update(QT_QPA_PLATFORM="offscreen", DUBAN_DATA_DIR=str(data), HOME=str(tmp_path / "home"), PATH="/usr/bin:/bin")

    def _run(*args: str, exe: str = "duban-cli") -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(bundle / exe), *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=RUN_TIMEOUT,
            check=False,
        )

    _run.data_dir = data
    return _run


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", header[16:24])


def _distinct_colours(path: Path) -> int:
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert not image.isNull(), f"{path.name} cannot be decoded"
    step_x, step_y = max(1, image.width() // 60), max(1, image.height() // 60)
    return len({image.pixel(x, y) for x in range(0, image.width(), step_x) for y in range(0, image.height(), step_y)})


def test_selftest_from_the_bundle_passes_and_saves_screenshots(bundle, run, tmp_path):
    out = tmp_path / "selftest"
    done = run("selftest", "--out", str(out), exe="duban")
    assert done.returncode == 0, f"selftest failed:\n{done.stdout}\n{done.stderr}"
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) >= 5, done.stdout  # one line per check
    shots = sorted(out.glob("*.png"))
    assert len(shots) >= 4, f"expected a screenshot of each main view, got {[p.name for p in shots]}"
    for shot in shots:
        width, height = _png_size(shot)
        assert width >= 600 and height >= 400, f"{shot.name} is only {width}×{height}"
        # A blank or single-colour image means the window did not render.
        assert _distinct_colours(shot) >= 8, f"{shot.name} looks blank"


def test_cli_round_trip_with_the_bundled_executable(bundle, run, tmp_path):
    db = tmp_path / "office.db"
    done = run("--db", str(db), "demo", "--no-gui")
    assert done.returncode == 0, done.stderr
    assert "已生成演示台账" in done.stdout

    handoffs = tmp_path / "handoffs"
    done = run("--db", str(db), "export-handoff", "--round", "2024Q3", "--all", "--out", str(handoffs))
    assert done.returncode == 0, done.stderr
    files = sorted(handoffs.glob("*.xlsx"))
    assert len(files) >= 20  # every unit of the demo county with assignments

    returns = tmp_path / "returns"
    returns.mkdir()
    filled: list[str] = []
    for index, path in enumerate(files[:3]):
        filled += _fill_as_clerk(path, returns / path.name, f"打包测试第{index + 1}份")
    done = run("--db", str(db), "import-returns", str(returns))
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"

    done = run("--db", str(db), "progress", "--round", "2024Q3", "--json")
    assert done.returncode == 0, done.stderr
    texts = {row["progress_text"] for row in json.loads(done.stdout)}
    assert filled and set(filled) <= texts

    pdf = tmp_path / "bulletin.pdf"
    done = run("--db", str(db), "report", "bulletin", "--round", "2024Q3", "--out", str(pdf))
    assert done.returncode == 0, done.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "通报" in text

    # The ledger and the logs stay where they were put, never beside the executable.
    assert not [p for p in bundle.rglob("*") if p.suffix in (".db", ".log", ".bak")]


def _fill_as_clerk(source: Path, target: Path, marker: str) -> list[str]:
    """Type a progress text into every row of a handoff, as a clerk in Excel would; return the texts."""
    import openpyxl

    wb = openpyxl.load_workbook(source)
    ws = wb.worksheets[0]
    header_row = next(r for r in range(1, 20) if any(c.value == "进展情况" for c in ws[r]))
    columns = {c.value: c.column for c in ws[header_row] if c.value}
    texts = []
    for r in range(header_row + 1, ws.max_row + 1):
        if ws.cell(r, columns["分工编号"]).value in (None, ""):
            continue
        texts.append(f"{marker}：第{r}行，已完成阶段性任务。")
        ws.cell(r, columns["进展情况"], texts[-1])
        ws.cell(r, columns["完成进度(%)"], 60)
        ws.cell(r, columns["推进状态"], "序时推进")
    wb.save(target)
    return texts


def test_bundle_contents(bundle):
    internal = bundle / "_internal"
    # Resources are found through sys._MEIPASS by db.paths.resource_path.
    assert (internal / "resources" / "demo" / "demo_county.json").is_file()
    assert (internal / "resources" / "icons" / "duban.png").is_file()
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert (internal / "duban-version.txt").read_text(encoding="utf-8").strip() == version

    translations = sorted(p.name for p in internal.rglob("translations/*.qm"))
    assert translations, "the Chinese Qt translations are missing"
    assert all(re.search(r"_zh_CN\.qm$", name) for name in translations), translations

    names = [p.name for p in internal.rglob("*")]
    unwanted = re.compile(r"Qt6?(Network|Qml|Quick|WebEngine|Pdf|Multimedia|3D)|PyQt[56]|_tkinter|^libt(?:cl|k)\d")
    assert not [n for n in names if unwanted.search(n)], [n for n in names if unwanted.search(n)][:10]

    size_mb = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20
    # The Linux bundle is about 170 MB (a third of it ICU data and system libraries the
    # Windows build does not carry); QtWebEngine or QtQuick slipping in would add 100+ MB.
    assert size_mb < 260, f"bundle grew to {size_mb:.0f} MB"


def test_the_bundled_program_explains_errors_in_chinese(run, tmp_path):
    not_a_ledger = tmp_path / "note.db"
    not_a_ledger.write_text("这不是台账", encoding="utf-8")
    done = run("--db", str(not_a_ledger), "rounds")
    assert done.returncode == 2
    assert done.stderr.startswith("错误：") and "Traceback" not in done.stderr

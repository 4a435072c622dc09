"""The Windows bundle, built from build.spec by the Windows CPython under Wine, works on its own.

``packaging/windows/build_under_wine.sh`` builds ``dist\\duban\\`` and the zip handed to offices
(a few minutes: Wine prefix, Windows CPython and wheels are cached in ``DUBAN_WINE_HOME``).
Then, under Wine: the self-test and a CLI round trip from ``duban-cli.exe``, the windowed
``duban.exe`` writing its errors to the log in the user's data folder, the bundle's contents
(icon and version resource, no Wine or Linux file), and the test suite run by the Windows
Python (``packaging/windows/run_tests_under_wine.sh``).

Skipped, with the reason, only where Wine or the mingw compiler is not installed; ``.ci/run``
installs both and sets ``DUBAN_REQUIRE_WINE=1`` so that a missing Wine fails instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging" / "windows"
WINE_HOME = Path(os.environ.get("DUBAN_WINE_HOME") or Path.home() / ".cache" / "duban-wine")
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
BUILD_TIMEOUT = 1500
RUN_TIMEOUT = 300
SUITE_TIMEOUT = 1500


def _missing_tools() -> str | None:
    missing = [tool for tool in ("wine", "wineserver", "x86_64-w64-mingw32-gcc", "unzip") if not shutil.which(tool)]
    return f"Wine is not installed here (missing {', '.join(missing)}); .ci/run installs it" if missing else None


pytestmark = [
    pytest.mark.bundle,
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="builds the Windows bundle under Wine on Linux"),
]


@pytest.fixture(scope="module")
def wine_tools() -> None:
    """Skip when Wine cannot be used here, unless CI asked for it (then fail)."""
    reason = _missing_tools()
    if reason:
        if os.environ.get("DUBAN_REQUIRE_WINE") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


def _wine_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "QT_", "LC_", "LANG"))}
    env.update(
        WINEPREFIX=str(WINE_HOME / "prefix"),
        WINEARCH="win64",
        WINEDEBUG="-all",
        WINEDLLOVERRIDES="mscoree,mshtml=",
        # Wine hands WINEQT_* to Windows programs as QT_*.
        WINEQT_QPA_PLATFORM="offscreen",
        # Wine names Linux files in the locale's charset: Chinese file names need UTF-8.
        LC_ALL="C.UTF-8",
    )
    return env


def windows_path(path: Path) -> str:
    """Return how a Windows program under Wine names a Linux path (Wine maps / to Z:)."""
    return "Z:" + str(path).replace("/", "\\")


@pytest.fixture(scope="module")
def windows_build(wine_tools) -> dict:
    """Build dist\\duban\\ and its zip under Wine once; return the build's figures."""
    dist = WINE_HOME / "dist"
    started = time.monotonic()
    if os.environ.get("DUBAN_WINE_REUSE_BUNDLE") == "1" and (dist / "build-summary.json").is_file():
        # For working on these tests only: take the bundle the last run built.
        summary = json.loads((dist / "build-summary.json").read_text(encoding="utf-8"))
        return summary | {"folder": dist / "duban", "zip": dist / f"duban-{VERSION}-win64.zip"}
    done = subprocess.run(
        ["bash", str(PACKAGING / "build_under_wine.sh"), "build", "--dist", str(dist)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"the Windows build failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    summary = json.loads((dist / "build-summary.json").read_text(encoding="utf-8"))
    summary["wall_seconds"] = round(time.monotonic() - started)
    print(f"\nWindows bundle: {json.dumps(summary, ensure_ascii=False)}\n{done.stderr[-2000:]}", file=sys.stderr)
    return summary | {"folder": dist / "duban", "zip": dist / f"duban-{VERSION}-win64.zip"}


@pytest.fixture
def bundle(windows_build) -> Path:
    return windows_build["folder"]


@pytest.fixture
def run(bundle, tmp_path):
    """Run a bundled executable under Wine with its own user data folder."""
    data = tmp_path / "user-data"
    data.mkdir()
    env = _wine_env() | {"DUBAN_DATA_DIR": windows_path(data)}

    def _run(*args: str, exe: str = "duban-cli.exe") -> subprocess.CompletedProcess:
        # Output through pipes: a Windows console program whose stdout is a Linux file dies
        # at start under Wine. exe="start" runs Windows' start command instead.
        return subprocess.run(
            ["wine", exe if exe == "start" else str(bundle / exe), *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )

    _run.data_dir = data
    return _run


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").replace("\r\n", "\n")


def test_selftest_from_the_windows_bundle_passes(run, tmp_path):
    out = tmp_path / "selftest"
    done = run("selftest", "--out", windows_path(out))
    assert done.returncode == 0, f"{_text(done.stdout)}\n{_text(done.stderr)}"
    assert "自检通过" in _text(done.stdout)
    shots = sorted(out.glob("*.png"))
    assert len(shots) >= 4, [p.name for p in shots]
    assert all(p.stat().st_size > 5000 for p in shots), [(p.name, p.stat().st_size) for p in shots]


def test_cli_round_trip_with_duban_cli_exe(run, tmp_path):
    from tests.test_bundle import _fill_as_clerk

    db = windows_path(tmp_path / "office.db")
    done = run("--db", db, "demo", "--no-gui")
    assert done.returncode == 0, _text(done.stderr)
    assert "已生成演示台账" in _text(done.stdout)

    handoffs = tmp_path / "handoffs"
    done = run("--db", db, "export-handoff", "--round", "2024Q3", "--all", "--out", windows_path(handoffs))
    assert done.returncode == 0, _text(done.stderr)
    files = sorted(handoffs.glob("*.xlsx"))
    assert len(files) >= 20

    returns = tmp_path / "returns"
    returns.mkdir()
    filled: list[str] = []
    for index, path in enumerate(files[:3]):
        filled += _fill_as_clerk(path, returns / path.name, f"Windows第{index + 1}份")
    done = run("--db", db, "import-returns", windows_path(returns))
    assert done.returncode == 0, f"{_text(done.stdout)}\n{_text(done.stderr)}"

    done = run("--db", db, "progress", "--round", "2024Q3", "--json")
    assert done.returncode == 0, _text(done.stderr)
    texts = {row["progress_text"] for row in json.loads(_text(done.stdout))}
    assert filled and set(filled) <= texts

    pdf = tmp_path / "通报.pdf"
    done = run("--db", db, "report", "bulletin", "--round", "2024Q3", "--out", windows_path(pdf))
    assert done.returncode == 0, _text(done.stderr)
    from pypdf import PdfReader

    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(str(pdf)).pages))
    assert "通报" in text and "示例县" in text


def test_nothing_is_written_beside_the_executables(bundle, run, tmp_path):
    done = run("--db", windows_path(tmp_path / "x.db"), "demo", "--no-gui")
    assert done.returncode == 0, _text(done.stderr)
    # The ledger and the logs stay where they were put (an office installs programs read-only).
    assert not [p for p in bundle.rglob("*") if p.suffix in (".db", ".log", ".bak")]


def test_errors_are_one_chinese_sentence(run, tmp_path):
    not_a_ledger = tmp_path / "note.db"
    not_a_ledger.write_text("这不是台账", encoding="utf-8")
    done = run("--db", windows_path(not_a_ledger), "rounds")
    assert done.returncode == 2
    err = _text(done.stderr).strip()
    assert err.startswith("错误：") and "Traceback" not in err and "\n" not in err, err


def test_the_windowed_exe_writes_its_errors_to_the_log_in_the_data_folder(bundle, run, tmp_path):
    not_a_ledger = tmp_path / "note.db"
    not_a_ledger.write_text("这不是台账", encoding="utf-8")
    # `start /wait` launches duban.exe the way Explorer does: no console, no standard handles
    # (run directly, Wine would hand it the pipes of this test).
    done = run("/wait", windows_path(bundle / "duban.exe"), "--db", windows_path(not_a_ledger), "rounds", exe="start")
    assert done.returncode == 2 and not done.stdout.strip(), done
    log = run.data_dir / "duban-output.log"
    assert log.is_file(), sorted(p.name for p in run.data_dir.iterdir())
    text = log.read_text(encoding="utf-8")
    assert "错误：" in text and "note.db" in text and "Traceback" not in text, text


def test_bundle_contents(bundle, windows_build):
    exes = sorted(p.name for p in bundle.glob("*.exe"))
    assert exes == ["duban-cli.exe", "duban.exe"]
    internal = bundle / "_internal"
    assert (internal / "resources" / "demo" / "demo_county.json").is_file()
    assert (internal / "duban-version.txt").read_text(encoding="utf-8").strip() == VERSION

    # Icon and version resource of both executables, read by pefile in the Windows Python.
    probe = subprocess.run(
        ["bash", str(PACKAGING / "build_under_wine.sh"), "python", str(PACKAGING / "pe_resources.py")]
        + [windows_path(bundle / name) for name in exes],
        capture_output=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert probe.returncode == 0, _text(probe.stdout) + _text(probe.stderr)
    resources = json.loads(_text(probe.stdout).strip().splitlines()[-1])
    for name in exes:
        found = resources[name]
        assert found["icons"] >= 1, f"{name} has no icon"
        assert found["version"].get("ProductVersion") == VERSION, found
        assert found["version"].get("OriginalFilename") == name, found
        assert found["version"].get("ProductName", "").startswith("duban"), found

    # Nothing of Wine (its builtin DLLs, the stubs made for the prefix) nor of Linux.
    problems = []
    for path in bundle.rglob("*"):
        if not path.is_file():
            continue
        with path.open("rb") as fh:
            head = fh.read(0x80)
        if head.startswith(b"\x7fELF") or path.suffix == ".so" or ".so." in path.name:
            problems.append(f"Linux file {path.relative_to(bundle)}")
        elif path.suffix.lower() in (".dll", ".pyd", ".exe"):
            if not head.startswith(b"MZ"):
                problems.append(f"not a Windows binary: {path.relative_to(bundle)}")
            elif b"Wine builtin DLL" in head or b"Wine placeholder DLL" in head:
                problems.append(f"Wine DLL {path.relative_to(bundle)}")
        if path.name.lower() in ("icuuc.dll", "bcryptprimitives.dll"):
            problems.append(f"prefix stub {path.relative_to(bundle)}")
    assert not problems, problems[:10]

    translations = sorted(p.name for p in internal.rglob("translations/*.qm"))
    assert translations and all(re.search(r"_zh_CN\.qm$", n) for n in translations), translations

    # Size recorded (printed with the build) and kept in bounds: QtWebEngine or QtQuick
    # slipping in would add 100+ MB.
    assert windows_build["bundle_mb"] < 200, windows_build
    assert windows_build["zip"].is_file() and windows_build["zip_mb"] < 100, windows_build


def test_the_suite_passes_under_the_windows_python(wine_tools):
    """The ledger, exchange, CLI and walkthrough tests (with tests/test_windows_files.py) under Windows CPython."""
    started = time.monotonic()
    done = subprocess.run(
        ["bash", str(PACKAGING / "run_tests_under_wine.sh")],
        cwd=ROOT,
        capture_output=True,
        timeout=SUITE_TIMEOUT,
        check=False,
    )
    out = _text(done.stdout)
    summary = next((line for line in reversed(out.splitlines()) if re.search(r"\d+ (passed|failed)", line)), "")
    print(f"\nWindows Python test run ({round(time.monotonic() - started)} s): {summary}", file=sys.stderr)
    assert done.returncode == 0, f"{out[-6000:]}\n{_text(done.stderr)[-2000:]}"
    passed = int(re.search(r"(\d+) passed", summary).group(1))
    assert passed >= 300, summary
    # The Windows-only tests really ran there (skips are listed with -rs).
    skipped_windows = re.findall(r"SKIPPED \[\d+\] tests[\\/]test_windows_files\.py.*", out)
    assert not skipped_windows, skipped_windows

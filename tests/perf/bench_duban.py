"""Benchmarks of duban at county and city scale; writes ``tests/perf/RESULTS.md``.

Run on demand, never by pytest (``tests/perf/conftest.py`` keeps it out)::

    python3 tests/perf/bench_duban.py                      # both scales, default runs
    python3 tests/perf/bench_duban.py --scale county --runs 5
    python3 tests/perf/bench_duban.py --only bulletin export_ledger

Every measurement runs in a fresh Python process, so that one benchmark's caches and
memory do not flatter the next, and so that the peak resident memory (``ru_maxrss``
from ``wait4``) belongs to that operation alone. Inside the process the operation is
timed from just before the call to just after it; modules are imported beforehand, so
the figure is the work itself (the whole process time is recorded as well). Each figure
is the median of several runs on a fresh copy of the ledger.

What is measured (the back ends are called the way the ``duban`` command calls them):

* ``startup``: ``duban`` (the GUI) from process start to the main window painted.
* ``import_tasks``: ``duban import-tasks`` of a 1,000-row "1+N" workbook (county list).
* ``export_handoff``: ``duban export-handoff --all`` — one workbook per unit.
* ``import_returns``: ``duban import-returns`` of all those workbooks, filled in.
* ``openpyxl_floor``: the same returned files merely loaded by openpyxl (read-only,
  every cell of every sheet touched) — the floor our import is compared with.
* ``bulletin``: ``duban report bulletin`` of the open round (judged live, the slow path).
* ``progress_report``: ``duban report progress`` (季调度进展表) of the open round.
* ``export_ledger``: ``duban export-ledger``.
* ``status``: every key work's rolled-up status for the open round (what the window
  and every report compute first).
* ``gui_filter``: one keystroke in the task filter, from ``bench_gui.py`` when present.

Results are kept in ``results.json`` beside this file, so one scale can be re-run alone;
``RESULTS.md`` is rewritten from it, keeping the hand-written notes below its marker.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for entry in (str(ROOT), str(HERE)):
    if entry not in sys.path:
        sys.path.insert(0, entry)

RESULTS_JSON = HERE / "results.json"
RESULTS_MD = HERE / "RESULTS.md"
NOTES_MARKER = "<!-- notes: everything below this line is kept when the benchmarks are re-run -->"
README = ROOT / "README.md"
README_START = "<!-- bench:start (written by tests/perf/bench_duban.py) -->"
README_END = "<!-- bench:end -->"
OPEN_ROUND = "2024Q4"
DEFAULT_WORK = Path(os.environ.get("DUBAN_BENCH_DIR", "/tmp/duban-bench"))


@dataclass(frozen=True)
class Benchmark:
    """One row of the results table."""

    name: str
    label: str
    command: str | None  # the duban subcommand it needs; None when it needs no CLI command
    target: str = ""


BENCHMARKS = (
    Benchmark("startup", "启动到主窗口显示 start → main window shown", None, "county < 2 s"),
    Benchmark("import_tasks", "导入任务清单 import-tasks (1,000-row 1+N workbook)", "import-tasks"),
    Benchmark("export_handoff", "导出全部填报表 export-handoff --all", "export-handoff"),
    Benchmark("import_returns", "导入全部回收表 import-returns (all files)", "import-returns"),
    Benchmark("openpyxl_floor", "同一批文件仅用 openpyxl 只读打开 (floor)", None),
    Benchmark("bulletin", "半年通报 PDF report bulletin (open round)", "report"),
    Benchmark("bulletin_docx", "半年通报 Word report bulletin --out .docx (open round)", "report", "county < 3 s"),
    Benchmark("progress_report", "季调度进展表 PDF report progress (open round)", "report"),
    Benchmark("export_ledger", "台账导出 Excel export-ledger", "export-ledger"),
    Benchmark("status", "全部重点工作状态 key_work_states (open round)", None),
)
BY_NAME = {b.name: b for b in BENCHMARKS}


# ---------------------------------------------------------------------------------------
# Preparation (once per scale, cached in the work folder)
# ---------------------------------------------------------------------------------------


def _cli(argv: list[str]) -> int:
    from desktop.cli import main

    return main(argv)


def available_commands() -> set[str]:
    """Return the ``duban`` subcommands this checkout has (back ends land one by one)."""
    from desktop.cli import build_parser

    parser = build_parser()
    for action in parser._actions:  # argparse keeps subcommands here
        if action.__class__.__name__ == "_SubParsersAction":
            return set(action.choices)
    return set()


def prepare(scale_name: str, work: Path, *, log=print) -> dict:
    """Build (or reuse) everything the benchmarks of one scale read; return their paths."""
    import synth

    scale = synth.SCALES[scale_name]
    work.mkdir(parents=True, exist_ok=True)
    paths = {
        "ledger": work / f"{scale_name}.db",
        "registry": work / f"{scale_name}-registry.db",
        "task_list": work / "county-task-list.xlsx",
        "exported": work / f"{scale_name}-exported.db",
        "handoffs": work / f"{scale_name}-handoffs",
        "returns": work / f"{scale_name}-returns",
    }
    if not paths["ledger"].exists():
        log(f"生成 {scale_name} 台账 …")
        started = time.perf_counter()
        partial = paths["ledger"].with_suffix(".partial")
        _remove_db(partial)
        db = synth.build_ledger(partial, scale, progress=lambda d, t, m: log(f"  [{d}/{t}] {m}"))
        db.close()
        _remove_db(paths["ledger"])
        partial.rename(paths["ledger"])
        log(f"  {time.perf_counter() - started:.1f} s")
    if not paths["task_list"].exists():
        synth.write_task_list(paths["task_list"])
    if not paths["registry"].exists():
        synth.build_unit_registry(paths["registry"])
    commands = available_commands()
    if {"export-handoff", "import-returns"} <= commands and not paths["returns"].is_dir():
        log(f"导出并填写 {scale_name} 回收表 …")
        _remove_db(paths["exported"])
        shutil.copy2(paths["ledger"], paths["exported"])
        shutil.rmtree(paths["handoffs"], ignore_errors=True)
        code = _cli(
            [
                "--db",
                str(paths["exported"]),
                "export-handoff",
                "--round",
                OPEN_ROUND,
                "--all",
                "--out",
                str(paths["handoffs"]),
            ]
        )
        if code != 0:
            raise SystemExit(f"export-handoff failed with {code}")
        partial = paths["returns"].with_name(paths["returns"].name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        rows = 0
        for i, path in enumerate(sorted(paths["handoffs"].glob("*.xlsx"))):
            rows += fill_return(path, partial / path.name, seed=i)
        partial.rename(paths["returns"])
        log(f"  {rows} 行已填写")
    for key in ("ledger", "registry", "exported"):
        _migrate_cached(paths[key])
    return paths


def _migrate_cached(path: Path) -> None:
    """Bring a cached ledger to the current schema once, so that no timed run pays for a migration."""
    import sqlite3

    from db.ledger import open_ledger
    from db.schema import LATEST_VERSION

    if not path.exists():
        return
    conn = sqlite3.connect(path)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    if version < LATEST_VERSION:
        db = open_ledger(path)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        for backup in path.parent.glob(f"{path.stem}.v*.bak*"):
            backup.unlink()


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.unlink()


def fill_return(source: Path, target: Path, *, seed: int) -> int:
    """Fill a handoff workbook the way a clerk would (editable cells only); return the rows filled."""
    import random

    import openpyxl

    rng = random.Random(seed)
    wb = openpyxl.load_workbook(source)
    ws = wb.worksheets[0]
    header_row, columns = None, {}
    for row in ws.iter_rows(min_row=1, max_row=20):
        texts = {str(c.value).strip(): c.column for c in row if c.value is not None}
        if "进展情况" in texts:
            header_row, columns = row[0].row, texts
            break
        for cell in row:
            if cell.value in ("填报人", "联系电话"):
                ws.cell(cell.row, cell.column + 1, "张三" if cell.value == "填报人" else "13800000000")
    if header_row is None:
        raise SystemExit(f"{source.name}: no 进展情况 header")
    id_col = min(columns.values())
    filled = 0
    for r in range(header_row + 1, ws.max_row + 1):
        if ws.cell(r, id_col).value in (None, ""):
            continue
        pct = rng.randint(10, 100)
        values = {
            "进展情况": f"本季度对照目标任务逐项推进，召开推进会{rng.randint(2, 9)}次，完成年度任务的{pct}%。"
            "已建立工作台账，实行清单化管理、项目化推进。",
            "完成进度(%)": pct,
            "推进状态": "已完成" if pct == 100 else rng.choice(("序时推进", "序时推进", "进度滞后")),
            "存在问题": rng.choice(("", "", "用地指标紧张，个别项目尚未落地。", "资金到位不及时。")),
            "下步计划": "下步将加强统筹协调，倒排工期，确保按时完成年度目标。",
        }
        for header, value in values.items():
            if header in columns and value != "":
                ws.cell(r, columns[header], value)
        for header, col in columns.items():
            if header.startswith("指标："):
                ws.cell(r, col, rng.randint(1, 500))
        filled += 1
    wb.save(target)
    return filled


# ---------------------------------------------------------------------------------------
# Workers: one measurement in a fresh process
# ---------------------------------------------------------------------------------------


def _preload() -> None:
    """Import duban's modules and their libraries, so that the timing is the work itself."""
    import importlib
    import pkgutil

    for package in ("db", "reports"):
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, package + "."):
            importlib.import_module(info.name)
    from desktop.cli import build_parser

    build_parser()


def _fresh_copy(source: Path, scratch: Path) -> Path:
    scratch.mkdir(parents=True, exist_ok=True)
    target = scratch / source.name
    _remove_db(target)
    shutil.copy2(source, target)
    return target


class _Clock:
    """Wall time and this process's CPU time of one block (CPU time is less skewed by other load)."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        return False

    def figures(self, **extra) -> dict:
        return {"seconds": self.wall, "cpu_seconds": self.cpu, **extra}


def _timed_cli(argv: list[str], **extra) -> dict:
    import contextlib
    import io

    sink = io.StringIO()
    with _Clock() as clock, contextlib.redirect_stdout(sink):
        code = _cli(argv)
    if code != 0:
        raise SystemExit(f"duban {' '.join(argv)} exited with {code}")
    return clock.figures(**extra)


def worker(name: str, scale_name: str, work: Path, scratch: Path) -> dict:
    """Run one benchmark once in this process and return its figures."""
    if name == "startup":
        # Straight to the GUI: preparing (importing the generator, building the parser)
        # would add half a second that a clerk starting duban never pays.
        return _startup(work / f"{scale_name}.db")
    paths = prepare(scale_name, work, log=lambda *_: None)
    _preload()
    if name == "import_tasks":
        db = _fresh_copy(paths["registry"], scratch)
        return _timed_cli(["--db", str(db), "import-tasks", str(paths["task_list"])])
    if name == "export_handoff":
        db = _fresh_copy(paths["ledger"], scratch)
        out = scratch / "handoffs"
        figures = _timed_cli(["--db", str(db), "export-handoff", "--round", OPEN_ROUND, "--all", "--out", str(out)])
        return {**figures, "files": len(list(out.glob("*.xlsx")))}
    if name == "import_returns":
        db = _fresh_copy(paths["exported"], scratch)
        files = sorted(paths["returns"].glob("*.xlsx"))
        return _timed_cli(["--db", str(db), "import-returns", *map(str, files)], files=len(files))
    if name == "openpyxl_floor":
        import openpyxl

        files = sorted(paths["returns"].glob("*.xlsx"))
        cells = 0
        with _Clock() as clock:
            for path in files:
                wb = openpyxl.load_workbook(path, read_only=True)
                for ws in wb.worksheets:
                    for row in ws.iter_rows(values_only=True):
                        cells += len(row)
                wb.close()
        return clock.figures(files=len(files), cells=cells)
    if name == "bulletin":
        db = _fresh_copy(paths["ledger"], scratch)
        out = scratch / "bulletin.pdf"
        figures = _timed_cli(["--db", str(db), "report", "bulletin", "--round", OPEN_ROUND, "--out", str(out)])
        return {**figures, "bytes": out.stat().st_size}
    if name == "bulletin_docx":
        db = _fresh_copy(paths["ledger"], scratch)
        out = scratch / "bulletin.docx"
        figures = _timed_cli(["--db", str(db), "report", "bulletin", "--round", OPEN_ROUND, "--out", str(out)])
        return {**figures, "bytes": out.stat().st_size}
    if name == "progress_report":
        db = _fresh_copy(paths["ledger"], scratch)
        out = scratch / "progress.pdf"
        figures = _timed_cli(["--db", str(db), "report", "progress", "--round", OPEN_ROUND, "--out", str(out)])
        return {**figures, "bytes": out.stat().st_size}
    if name == "export_ledger":
        db = _fresh_copy(paths["ledger"], scratch)
        out = scratch / "ledger.xlsx"
        figures = _timed_cli(["--db", str(db), "export-ledger", "--out", str(out)])
        return {**figures, "bytes": out.stat().st_size}
    if name == "status":
        from db.ledger import open_ledger
        from db.queries import key_work_states

        db = open_ledger(_fresh_copy(paths["ledger"], scratch))
        with _Clock() as clock:
            states = key_work_states(db, OPEN_ROUND)
        return clock.figures(key_works=len(states))
    raise SystemExit(f"unknown benchmark {name}")


def _startup(ledger: Path) -> dict:
    """Start the GUI the way ``duban`` does and stop the clock when the main window has painted.

    The clock starts when the parent process spawned this one (``DUBAN_BENCH_T0``), so
    the interpreter's start and every import count, as they do for a clerk.
    """
    import resource

    t0 = float(os.environ["DUBAN_BENCH_T0"])
    from PySide6 import QtCore, QtWidgets

    seen: dict[str, float] = {}

    class _PaintWatcher(QtCore.QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt override
            if (
                event.type() == QtCore.QEvent.Type.Paint
                and isinstance(obj, QtWidgets.QMainWindow)
                and "painted" not in seen
            ):
                seen["painted"] = time.time()
                usage = resource.getrusage(resource.RUSAGE_SELF)
                seen["cpu"] = usage.ru_utime + usage.ru_stime
                QtCore.QTimer.singleShot(0, QtWidgets.QApplication.instance().quit)
            return False

    watcher = _PaintWatcher()
    original_init = QtWidgets.QApplication.__init__

    def patched_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.installEventFilter(watcher)
        # A hard stop, so that a window that never paints cannot hang the benchmark.
        QtCore.QTimer.singleShot(60_000, self.quit)

    QtWidgets.QApplication.__init__ = patched_init
    from desktop.cli import main

    main(["--db", str(ledger)])
    if "painted" not in seen:
        raise SystemExit("the main window never painted")
    return {"seconds": seen["painted"] - t0, "cpu_seconds": seen["cpu"]}


# ---------------------------------------------------------------------------------------
# Parent: run workers, collect medians, write the results
# ---------------------------------------------------------------------------------------


class BenchmarkFailed(RuntimeError):
    """A benchmark's process failed; the message ends with the error it printed or logged."""

    @property
    def reason(self) -> str:
        """The last line of the error, short enough for the results table."""
        lines = [line.strip() for line in str(self).splitlines() if line.strip()]
        return lines[-1][:160] if lines else "?"


def run_once(name: str, scale_name: str, work: Path) -> dict:
    """Run one benchmark in a fresh process; return its figures plus wall time and peak RSS."""
    scratch = work / "scratch" / f"{scale_name}-{name}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    out_file = scratch / "result.json"
    env = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", DUBAN_DATA_DIR=str(scratch / "data"), DUBAN_BENCH_T0=repr(time.time())
    )
    started = time.perf_counter()
    with open(scratch / "stdout.txt", "wb") as out, open(scratch / "stderr.txt", "wb") as err:
        proc = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--worker",
                name,
                "--scale",
                scale_name,
                "--work",
                str(work),
                "--result",
                str(out_file),
            ],
            stdout=out,
            stderr=err,
            env=env,
            cwd=str(ROOT),
        )
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0 or not out_file.exists():
        tail = (scratch / "stderr.txt").read_text(encoding="utf-8", errors="replace")[-1500:]
        log_file = scratch / "data" / "duban.log"
        if log_file.exists():  # duban's own log holds the traceback of an internal error
            tail += "\n" + log_file.read_text(encoding="utf-8", errors="replace")[-1500:]
        raise BenchmarkFailed(f"{name} ({scale_name}) failed with {proc.returncode}:\n{tail}")
    figures = json.loads(out_file.read_text(encoding="utf-8"))
    figures["process_seconds"] = wall
    figures["peak_rss_mb"] = usage.ru_maxrss / 1024  # Linux reports kilobytes
    shutil.rmtree(scratch, ignore_errors=True)
    return figures


def run_benchmark(name: str, scale_name: str, work: Path, runs: int, *, log=print) -> dict:
    """Run one benchmark ``runs`` times; return median, spread, peak memory and extras."""
    samples = []
    cold = None
    if name == "startup":
        # The first start after an install or a reboot compiles .pyc files and fills the
        # font cache; it is recorded apart, and the median is taken over warm starts.
        cold = run_once(name, scale_name, work)
        log(f"  {name} {scale_name} cold: {cold['seconds']:.3f} s")
    for i in range(runs):
        figures = run_once(name, scale_name, work)
        samples.append(figures)
        log(f"  {name} {scale_name} #{i + 1}: {figures['seconds']:.3f} s, {figures['peak_rss_mb']:.0f} MB")
    seconds = [s["seconds"] for s in samples]
    extras = {
        k: v for k, v in samples[-1].items() if k not in ("seconds", "cpu_seconds", "process_seconds", "peak_rss_mb")
    }
    return {
        "median": statistics.median(seconds),
        "min": min(seconds),
        "max": max(seconds),
        "runs": runs,
        "cpu_median": statistics.median(s.get("cpu_seconds", s["seconds"]) for s in samples),
        "process_median": statistics.median(s["process_seconds"] for s in samples),
        "peak_rss_mb": max(s["peak_rss_mb"] for s in samples),
        **extras,
        **({"cold_seconds": cold["seconds"]} if cold else {}),
    }


def machine() -> dict:
    """Describe the machine the benchmarks ran on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    from importlib import metadata

    versions = {}
    for dist in ("PySide6-Essentials", "openpyxl", "reportlab", "sqlite-utils"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "—"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    import sqlite3

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "versions": versions,
        "commit": commit,
        "date": datetime.now().strftime("%Y-%m-%d %H:%M"),
        # Other work on the machine skews timings; the load average says how busy it was.
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def _fmt_seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _cell(result: dict | None) -> str:
    if not result:
        return "—"
    if "missing" in result:
        return f"未测（{result['missing']}）"
    spread = f"{_fmt_seconds(result['min'])}–{_fmt_seconds(result['max'])}"
    return f"**{_fmt_seconds(result['median'])}** ({spread}, n={result['runs']})"


def _ledger_size(result_set: dict) -> str:
    s = result_set.get("ledger", {})
    if not s:
        return ""
    return (
        f"{s['key_works']:,} key works, {s['measures']:,} measures, {s['units']:,} units, "
        f"{s['assignments']:,} assignments, {s['reports']:,} reports, {s['problems']:,} problems, "
        f"{s['mb']:.0f} MB"
    )


def verdicts(results: dict) -> list[tuple[str, str, str, str]]:
    """Return (target, measured wall time, measured CPU time, verdict) for each target of the issue.

    The verdict is on wall time, as a clerk experiences it; CPU time is shown beside it
    because it barely moves when other programs load the machine, and says whether a
    miss is duban's own or the machine's.
    """
    county = results.get("county", {}).get("benchmarks", {})
    city = results.get("city", {}).get("benchmarks", {})

    def figure(scale: dict, name: str, key: str) -> float | None:
        r = scale.get(name)
        return r.get(key) if r and "median" in r else None

    out = []

    def add(target: str, wall: float | None, cpu: float | None, limit: float, fmt) -> None:
        if wall is None:
            out.append((target, "未测", "—", "—"))
            return
        verdict = "✅ 达标" if wall <= limit else "❌ 未达标"
        if wall > limit and cpu is not None and cpu <= limit:
            verdict += "（CPU 时间达标：机器繁忙）"
        out.append((target, fmt(wall), fmt(cpu) if cpu is not None else "—", verdict))

    def both(scale: dict, names: tuple[str, ...], combine) -> tuple[float | None, float | None]:
        values = []
        for key in ("median", "cpu_median"):
            parts = [figure(scale, n, key) for n in names]
            values.append(None if any(p is None or p == 0 for p in parts) else combine(*parts))
        return values[0], values[1]

    add(
        "县级：导出全部填报表 + 导入全部回收表 < 10 s",
        *both(county, ("export_handoff", "import_returns"), lambda a, b: a + b),
        10,
        _fmt_seconds,
    )
    add(
        "县级：导入 ≤ 1.5 × openpyxl 只读加载同批文件",
        *both(county, ("import_returns", "openpyxl_floor"), lambda a, b: a / b),
        1.5,
        lambda v: f"{v:.2f} ×",
    )
    add("县级：通报 PDF < 3 s", *both(county, ("bulletin",), lambda a: a), 3, _fmt_seconds)
    add("县级：通报 Word < 3 s", *both(county, ("bulletin_docx",), lambda a: a), 3, _fmt_seconds)
    add("县级：启动到主窗口 < 2 s", *both(county, ("startup",), lambda a: a), 2, _fmt_seconds)
    rss = [r["peak_rss_mb"] for r in city.values() if "peak_rss_mb" in r]
    add("市级：峰值内存 < 400 MB", max(rss) if rss else None, None, 400, lambda v: f"{v:.0f} MB")
    for key, label in (("median", "wall"), ("cpu_median", "cpu")):
        ratios = [
            (n, city[n][key] / county[n][key]) for n in city if key in city[n] and n in county and county[n].get(key)
        ]
        if label == "wall":
            worst_wall = max(ratios, key=lambda x: x[1]) if ratios else None
        else:
            worst_cpu = max(ratios, key=lambda x: x[1]) if ratios else None
    add(
        "市级：任何一项不慢于县级的 10 倍",
        worst_wall[1] if worst_wall else None,
        worst_cpu[1] if worst_cpu else None,
        10,
        lambda v: f"{v:.1f} ×",
    )
    if worst_wall:
        out[-1] = (
            *out[-1][:3],
            out[-1][3] + f"（最慢：wall {worst_wall[0]}，CPU {worst_cpu[0] if worst_cpu else '—'}）",
        )
    return out


def summary_lines(results: dict) -> list[str]:
    """Return the machine each scale ran on and the table of targets (RESULTS.md and the README show both)."""
    lines = []
    for scale_name in ("county", "city"):
        r = results.get(scale_name)
        if not r:
            continue
        m = r["machine"]
        lines += [
            f"- **{scale_name}** ledger: {_ledger_size(r)}",
            f"  - ran {m['date']} at commit `{m['commit']}` on {m['cpu']}, {m['cores']} cores, "
            f"{m['memory']} RAM, {m['os']}, load average {m.get('load', '?')} at start, "
            f"Python {m['python']}, SQLite {m['sqlite']}, " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
        ]
    lines += [
        "",
        "## Targets / 目标",
        "",
        "| 目标 | 实测（墙钟，中位数） | CPU 时间（中位数） | 结论 |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {t} | {v} | {c} | {ok} |" for t, v, c, ok in verdicts(results)]
    return lines


def write_readme_summary(results: dict, path: Path = README) -> None:
    """Put the machine and the targets table into the README, between its benchmark markers."""
    if not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        return
    head, rest = text.split(README_START, 1)
    _old, tail = rest.split(README_END, 1)
    body = [line.replace("## Targets / 目标", "**Targets / 目标**") for line in summary_lines(results)]
    path.write_text(head + README_START + "\n" + "\n".join(body) + "\n" + README_END + tail, encoding="utf-8")


def write_markdown(results: dict, path: Path = RESULTS_MD) -> None:
    """Rewrite RESULTS.md from the results, keeping the notes below the marker."""
    notes = ""
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if NOTES_MARKER in text:
            notes = text.split(NOTES_MARKER, 1)[1]
    lines = [
        "# duban benchmarks / 性能测试结果",
        "",
        "Written by `python3 tests/perf/bench_duban.py` (do not edit above the notes marker).",
        "",
        *summary_lines(results),
    ]
    lines += [
        "",
        "## Timings / 耗时（中位数，括号内为最小–最大）",
        "",
        "| 项目 | 县级 county | 市级 city | 市/县 | CPU 时间 county / city | 峰值内存 county / city "
        "| 整个进程 county / city |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    county = results.get("county", {}).get("benchmarks", {})
    city = results.get("city", {}).get("benchmarks", {})
    for b in BENCHMARKS:
        c, t = county.get(b.name), city.get(b.name)
        ratio = (
            f"{t['median'] / c['median']:.1f} ×"
            if c and t and "median" in c and "median" in t and c["median"] > 0
            else "—"
        )
        rss = " / ".join(f"{r['peak_rss_mb']:.0f} MB" if r and "peak_rss_mb" in r else "—" for r in (c, t))
        proc = " / ".join(_fmt_seconds(r.get("process_median")) if r and "median" in r else "—" for r in (c, t))
        cpu = " / ".join(_fmt_seconds(r.get("cpu_median")) if r and "median" in r else "—" for r in (c, t))
        lines.append(f"| {b.label} | {_cell(c)} | {_cell(t)} | {ratio} | {cpu} | {rss} | {proc} |")
    extra = []
    for scale_name, scale in (("county", county), ("city", city)):
        for name in ("export_handoff", "import_returns", "openpyxl_floor"):
            r = scale.get(name)
            if r and "files" in r:
                extra.append(
                    f"{scale_name} {name}: {r['files']} files" + (f", {r['cells']:,} cells" if "cells" in r else "")
                )
        imp, floor = scale.get("import_returns"), scale.get("openpyxl_floor")
        if imp and floor and "median" in imp and "median" in floor:
            extra.append(f"{scale_name}: import-returns / openpyxl floor = {imp['median'] / floor['median']:.2f} ×")
    for scale_name, scale in (("county", county), ("city", city)):
        r = scale.get("startup")
        if r and "cold_seconds" in r:
            extra.append(
                f"{scale_name} startup: first (cold) start {_fmt_seconds(r['cold_seconds'])}, not counted in the median"
            )
    if extra:
        lines += ["", *[f"- {e}" for e in extra]]
    gui = results.get("gui_filter")
    if gui:
        lines += [
            "",
            "## GUI filter keystroke / 筛选响应（`tests/perf/bench_gui.py`，20,000 项重点工作）",
            "",
            "```",
            gui,
            "```",
        ]
    lines += ["", NOTES_MARKER]
    text = "\n".join(lines) + (notes if notes else "\n")
    path.write_text(text, encoding="utf-8")


def ledger_facts(path: Path) -> dict:
    """Return the size of a synthetic ledger, for the results header."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        row = conn.execute(
            "SELECT (SELECT COUNT(*) FROM key_works), (SELECT COUNT(*) FROM measures), (SELECT COUNT(*) FROM units), "
            "(SELECT COUNT(*) FROM assignments), (SELECT COUNT(*) FROM reports), (SELECT COUNT(*) FROM problems)"
        ).fetchone()
    finally:
        conn.close()
    keys = ("key_works", "measures", "units", "assignments", "reports", "problems")
    return {**dict(zip(keys, row, strict=True)), "mb": path.stat().st_size / 1024 / 1024}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks (or, with ``--worker``, one measurement)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scale", nargs="+", choices=("county", "city"), default=["county", "city"])
    parser.add_argument("--runs", type=int, help="runs per benchmark (default 5 county, 3 city)")
    parser.add_argument("--only", nargs="+", choices=[b.name for b in BENCHMARKS])
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="folder for ledgers and files")
    parser.add_argument("--skip-gui-bench", action="store_true", help="do not run bench_gui.py this time")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        figures = worker(args.worker, args.scale[0], args.work, args.result.parent)
        args.result.write_text(json.dumps(figures), encoding="utf-8")
        return 0

    results = json.loads(RESULTS_JSON.read_text(encoding="utf-8")) if RESULTS_JSON.exists() else {}
    commands = available_commands()
    for scale_name in args.scale:
        paths = prepare(scale_name, args.work)
        scale_results = results.setdefault(scale_name, {})
        scale_results["machine"] = machine()
        scale_results["ledger"] = ledger_facts(paths["ledger"])
        benchmarks = scale_results.setdefault("benchmarks", {})
        runs = args.runs or (5 if scale_name == "county" else 3)
        for b in BENCHMARKS:
            if args.only and b.name not in args.only:
                continue
            needs = b.command or ("import-returns" if b.name == "openpyxl_floor" else None)
            if needs and needs not in commands:
                benchmarks[b.name] = {"missing": f"duban {needs} 尚未实现"}
                print(f"跳过 {b.name}：duban {needs} 尚未实现")
                continue
            if b.name == "startup" and not _has_gui():
                benchmarks[b.name] = {"missing": "desktop.app 尚未实现"}
                print("跳过 startup：desktop.app 尚未实现")
                continue
            try:
                benchmarks[b.name] = run_benchmark(b.name, scale_name, args.work, runs)
            except BenchmarkFailed as exc:
                benchmarks[b.name] = {"missing": f"运行失败：{exc.reason}"}
                print(f"失败 {b.name}：{exc}", file=sys.stderr)
            RESULTS_JSON.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    gui = HERE / "bench_gui.py"
    if gui.exists() and not args.only and not args.skip_gui_bench:
        results["gui_filter"] = _run_gui_bench(gui)
    RESULTS_JSON.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    write_markdown(results)
    write_readme_summary(results)
    print(f"已写入 {RESULTS_MD} 与 README.md 的性能一节")
    for target, value, cpu, ok in verdicts(results):
        print(f"{ok}  {target}：{value}（CPU {cpu}）")
    return 0


def _has_gui() -> bool:
    import importlib.util

    return importlib.util.find_spec("desktop.app") is not None


def _run_gui_bench(script: Path) -> str:
    """Run the GUI's own benchmark (``bench_gui.py``, 20,000 key works) and keep its report."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=900
    )
    if done.returncode != 0 or not done.stdout.strip():
        return f"bench_gui.py failed ({done.returncode}): {done.stderr.strip()[-300:]}"
    return done.stdout.strip()


if __name__ == "__main__":
    sys.exit(main())

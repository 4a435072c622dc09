"""GUI benchmark (run by hand, not collected by pytest): filter keystroke latency and window open time.

    python3 tests/perf/bench_gui.py [--key-works 20000] [--runs 5]

* **Filter keystroke**: a ledger with 20,000 key works (bulk-written with the real
  schema: plans, categories, 200 units, three assignments per work, an open round with
  60 % of the assignments reported, so every row has a status and a light) is opened in
  the main window; text is typed into the 台账 filter one character at a time, and the
  category / unit / light filters are switched. Each sample is the time from the key
  event to the table having re-filtered and repainted (``processEvents`` returned).
  Target: under 100 ms per keystroke.
* **Window open**: ``open_window`` on the demo ledger until the first page is painted,
  repeated ``--runs`` times. Target: under 2 s. The large ledger's open time (first page,
  the dashboard) and the 台账's first showing are printed too: pages read the ledger
  when first shown, not all at start.

Runs offscreen unless a display is available.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if sys.platform not in ("win32", "darwin") and not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TITLE_WORDS = ["推进", "深化", "实施", "加快", "优化", "建设", "提升", "培育", "强化", "完善"]
TITLE_OBJECTS = [
    "营商环境",
    "数字化改造",
    "产业园区",
    "城市更新",
    "乡村振兴",
    "企业服务",
    "招商引资",
    "科技创新",
    "交通基础设施",
    "生态环境治理",
    "民营经济",
    "政务服务",
    "人才引进",
    "金融服务",
    "消费升级",
]


def build_large_ledger(path: Path, key_works: int, seed: int = 20000) -> None:
    """Write a ledger with ``key_works`` key works straight into the real schema (fast bulk inserts)."""
    from db.ledger import create_ledger, set_meta
    from db.text import name_key

    rng = random.Random(seed)
    db = create_ledger(path)
    set_meta(db, "mode", "office", "bench")
    set_meta(db, "org_name", "基准测试市督查室", "bench")
    conn = db.conn
    with db.atomic():
        conn.execute("INSERT INTO plans (id, title, year) VALUES (1, '基准测试重点工作计划', 2024)")
        categories = [f"第{i}类重点任务" for i in range(1, 41)]
        conn.executemany(
            "INSERT INTO categories (id, plan_id, seq, title) VALUES (?, 1, ?, ?)",
            [(i, i, t) for i, t in enumerate(categories, 1)],
        )
        units = [f"县{w}局{i}" for i, w in enumerate(["财政", "发改", "经信", "商务", "住建"] * 32, 1)]
        units += [f"第{i}镇" for i in range(1, 41)]
        conn.executemany(
            "INSERT INTO units (id, name, name_key, kind, sort_order) VALUES (?, ?, ?, ?, ?)",
            [(i, n, name_key(n), "乡镇街道" if n.endswith("镇") else "部门", i) for i, n in enumerate(units, 1)],
        )
        kw_rows, targets, assignments = [], [], []
        aid = 0
        for k in range(1, key_works + 1):
            title = f"{rng.choice(TITLE_WORDS)}{rng.choice(TITLE_OBJECTS)}第{k}项"
            cat = (k - 1) * len(categories) // key_works + 1
            kw_rows.append((k, cat, str(k), title, "2024年", "2024-01-01", "2024-12-31", k))
            targets.append((k, f"完成{title}年度目标"))
            for role, unit in zip(("牵头", "责任", "责任"), rng.sample(range(1, len(units) + 1), 3), strict=True):
                aid += 1
                assignments.append((aid, k, unit, role))
        conn.executemany(
            "INSERT INTO key_works (id, plan_id, category_id, number, title, period_phrase, start_date, "
            "end_date, sort_order) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)",
            kw_rows,
        )
        conn.executemany("INSERT INTO targets (key_work_id, seq, text) VALUES (?, 1, ?)", targets)
        conn.executemany("INSERT INTO assignments (id, key_work_id, unit_id, role) VALUES (?, ?, ?, ?)", assignments)
        conn.execute(
            "INSERT INTO rounds (id, year, kind, cutoff, due_date, state) "
            "VALUES ('2024Q3', 2024, '季度', '2024-09-30', '2024-10-10', 'open')"
        )
        reports = []
        for a_id, _k, _u, _role in assignments:
            if rng.random() < 0.6:
                pct = float(rng.randint(0, 100))
                status = "已完成" if pct == 100 else ("进度滞后" if pct < 50 else "序时推进")
                reports.append((a_id, pct, status, "按计划推进，已完成阶段性任务。"))
        conn.executemany(
            "INSERT INTO reports (assignment_id, round_id, percent, reported_status, progress_text, "
            "submitted_at, updated_at) VALUES (?, '2024Q3', ?, ?, ?, '2024-10-05T09:00:00', "
            "'2024-10-05T09:00:00')",
            reports,
        )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def _timed(app, action) -> float:
    start = time.perf_counter()
    action()
    app.processEvents()
    return (time.perf_counter() - start) * 1000


def bench_filter(path: Path) -> dict:
    """Type into the filter and switch the combos; return latencies in milliseconds."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from desktop.app import ensure_application, open_window

    app = ensure_application()
    started = time.perf_counter()
    window = open_window(path)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    opened = time.perf_counter() - started
    started = time.perf_counter()
    window.go("台账")
    app.processEvents()
    ledger_first_shown = time.perf_counter() - started
    page = window.page("台账")
    rows = page.model.rowCount()
    samples: dict[str, list[float]] = {
        "typing (digits, key events)": [],
        "typing (Chinese, as an IME commits)": [],
        "backspace": [],
        "combo filters": [],
    }
    page.search.setFocus()
    for text in ("1234", "999", "20000"):
        for ch in text:
            samples["typing (digits, key events)"].append(_timed(app, lambda ch=ch: QTest.keyClick(page.search, ch)))
        for _ in text:
            samples["backspace"].append(_timed(app, lambda: QTest.keyClick(page.search, Qt.Key_Backspace)))
    for text in ("推进营商环境", "县财政局12", "第3类", "乡村振兴"):
        for ch in text:
            samples["typing (Chinese, as an IME commits)"].append(_timed(app, lambda ch=ch: page.search.insert(ch)))
        page.search.clear()
        app.processEvents()
    for box in (page.category_box, page.unit_box, page.light_box):
        for index in (1, 2, 3, 0):
            samples["combo filters"].append(_timed(app, lambda b=box, i=index: b.setCurrentIndex(i)))
    window.close()
    app.processEvents()
    return {"rows": rows, "open_seconds": opened, "ledger_seconds": ledger_first_shown, "samples": samples}


def bench_open(demo: Path, runs: int) -> list[float]:
    """Open the main window on the demo ledger until it is painted, ``runs`` times (seconds)."""
    from desktop.app import ensure_application, open_window

    app = ensure_application()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        window = open_window(demo)
        window.show()
        app.processEvents()
        times.append(time.perf_counter() - start)
        window.close()
        app.processEvents()
    return times


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks and print a small table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--key-works", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="duban-bench-gui-") as tmp:
        tmp = Path(tmp)
        os.environ["DUBAN_DATA_DIR"] = str(tmp / "data")
        from desktop.app import ensure_application

        ensure_application()
        large = tmp / "large.db"
        t0 = time.perf_counter()
        build_large_ledger(large, args.key_works)
        print(
            f"built a {args.key_works}-key-work ledger in {time.perf_counter() - t0:.1f} s "
            f"({large.stat().st_size / 1e6:.1f} MB)"
        )
        result = bench_filter(large)
        print(
            f"main window on it: opened (dashboard painted) in {result['open_seconds']:.2f} s; "
            f"台账 first shown ({result['rows']} rows) in {result['ledger_seconds']:.2f} s"
        )
        worst = 0.0
        print(f"{'filter action':40} {'n':>4} {'median ms':>10} {'max ms':>8}")
        for name, values in result["samples"].items():
            worst = max(worst, max(values))
            print(f"{name:40} {len(values):>4} {statistics.median(values):>10.1f} {max(values):>8.1f}")
        from db.demo import build_demo

        demo = tmp / "demo.db"
        build_demo(demo).close()
        spare = tmp / "demo-copy.db"
        shutil.copy2(demo, spare)
        opens = bench_open(spare, args.runs)
        print(
            f"main window on the demo ledger: median {statistics.median(opens):.2f} s, max {max(opens):.2f} s "
            f"over {len(opens)} runs"
        )
        ok = worst < 100 and max(opens) < 2
        print(
            f"verdict: keystroke worst {worst:.0f} ms (target < 100), window open worst {max(opens):.2f} s "
            f"(target < 2): {'PASS' if ok else 'FAIL'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Check that every example of issue 18 is caught: each change, applied to a scratch copy, fails a rule test.

Each entry is one change the issue names (a mutation that used to pass the whole fast suite), as
(what a leader would see, file, original text, changed text, the test file that must now fail).
Run by hand after changing a rule module or its tests::

    python3 tests/mutation/examples.py

An entry whose original text is no longer in the module is reported as "not applied": update it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# fmt: off
EXAMPLES = [
    ("未启动 without figure shows green", "db/status.py", "if report.reported_status in (None, NOT_STARTED):", "if report.reported_status in (None,):", "tests/test_rules_status.py"),
    ("period ending on cut-off is overdue", "db/status.py", "if period[1] < cutoff and not overdue:", "if period[1] <= cutoff and not overdue:", "tests/test_rules_status.py"),
    ("milestone met on cut-off counts as missed", "db/status.py", "if m.due is not None and m.due < cutoff and (m.done is None or m.done > cutoff)", "if m.due is not None and m.due < cutoff and (m.done is None or m.done >= cutoff)", "tests/test_rules_status.py"),
    ("severity of 逾期 and 进度滞后 swapped", "db/status.py", "BEHIND: 4, OVERDUE: 5}", "BEHIND: 5, OVERDUE: 4}", "tests/test_rules_status.py"),
    ("on target shown as not met", "db/status.py", "else actual >= target", "else actual > target", "tests/test_rules_status.py"),
    ("target 1 actual 0 as 100", "db/status.py", "    if target == 0:", "    if target == 1:", "tests/test_rules_status.py"),
    ("two leads crash", "db/status.py", "return max(leads, key=lambda r: _SEVERITY[r.status])", "return max(leads)", "tests/test_rules_status.py"),
    ("yellow_behind setting ignored", "db/status.py", '("yellow_behind", "red_behind", "due_soon_days")', '("yellow_behindX", "red_behind", "due_soon_days")', "tests/test_rules_status.py"),
    ("due_soon_days setting ignored", "db/status.py", '("yellow_behind", "red_behind", "due_soon_days")', '("yellow_behind", "red_behind", "due_soon_day")', "tests/test_rules_status.py"),
    ("每月 crashes", "db/deadlines.py", "for m in range(1, 13))", "for m in range(1, 14))", "tests/test_rules_deadlines.py"),
    ("每半年 wrong", "db/deadlines.py", "dates = (_month_end(year, 6), _month_end(year, 12))", "dates = (_month_end(year, 7), _month_end(year, 12))", "tests/test_rules_deadlines.py"),
    ("每年 wrong", "db/deadlines.py", 'return Deadline(original, recurring="年度", dates=(date(year, 12, 31),))', 'return Deadline(original, recurring="年度", dates=(date(year, 12, 30),))', "tests/test_rules_deadlines.py"),
    ("1月底前 at month edge", "db/deadlines.py", "return _month_end(year, month) if month and 1 <= month <= 12 else None", "return _month_end(year, month) if month and 1 < month <= 12 else None", "tests/test_rules_deadlines.py"),
    ("13月中旬 crashes", "db/deadlines.py", "        if not month or not 1 <= month <= 12:\n            return None\n        day =", "        day =", "tests/test_rules_deadlines.py"),
    ("6/30 unguarded", "db/deadlines.py", r'r"(\d{1,2})[./-](\d{1,2})"', r'r"(\d{1,2})[.-](\d{1,2})"', "tests/test_rules_deadlines.py"),
    ("trailing 。 unguarded", "db/deadlines.py", 'text.rstrip("。，,;；")', 'text.rstrip("，,;；")', "tests/test_rules_deadlines.py"),
    ("480 as text in 户 column read as 48", "db/values.py", "            if text.endswith(suffix) and len(text) > len(suffix):\n                text = text[: -len(suffix)]", "            if text.endswith(suffix) or len(text) > len(suffix):\n                text = text[: -len(suffix)]", "tests/test_rules_values.py"),
    ("3.6亿元 stored as 4", "db/values.py", "        number = float(text)\n    if not math.isfinite", "        number = float(round(float(text)))\n    if not math.isfinite", "tests/test_rules_values.py"),
    ("35% in Excel stored as 0.0035", "db/values.py", 'if is_percent_format(cell.number_format) and measure_unit == "%":\n            number *= 100', 'if is_percent_format(cell.number_format) and measure_unit == "%":\n            number /= 100', "tests/test_rules_values.py"),
    ("35% in Excel stored as 100", "db/values.py", '            # Excel turns a typed "50%" into 0.5 shown with a percent format.\n            number *= 100', '            # Excel turns a typed "50%" into 0.5 shown with a percent format.\n            number = 100', "tests/test_rules_values.py"),
    ("phone as 13800000000.0", "db/values.py", "        return number_text(value)\n    return to_halfwidth", "        return str(value)\n    return to_halfwidth", "tests/test_rules_values.py"),
    ("正常 forgotten", "db/values.py", '    "正常": "序时推进",\n', '', "tests/test_rules_values.py"),
    ("全部完成 forgotten", "db/values.py", '    "全部完成": "已完成",\n', '', "tests/test_rules_values.py"),
    ("尚未启动 forgotten", "db/values.py", '    "尚未启动": "未启动",\n', '', "tests/test_rules_values.py"),
    ("negative numbers refused", "db/values.py", r'_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")', r'_NUMBER = re.compile(r"^[+]?(\d+(\.\d*)?|\.\d+)$")', "tests/test_rules_values.py"),
    (".5 refused", "db/values.py", r'_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")', r'_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?)$")', "tests/test_rules_values.py"),
]
# fmt: on


def main() -> int:
    """Apply each example to a fresh copy of db/ and tests/, run its test file, and report."""
    missed = 0
    with tempfile.TemporaryDirectory(prefix="duban-examples-") as scratch:
        root = Path(scratch) / "tree"
        for name, path, old, new, test in EXAMPLES:
            if root.exists():
                shutil.rmtree(root)
            root.mkdir()
            for part in ("db", "tests"):
                shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copy2(ROOT / "pyproject.toml", root / "pyproject.toml")
            source = (root / path).read_text(encoding="utf-8")
            if source.count(old) != 1:
                print(f"not applied  {name}: the original text is not (once) in {path}")
                missed += 1
                continue
            (root / path).write_text(source.replace(old, new), encoding="utf-8")
            run = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:pytestqt", test],
                cwd=root,
                env=dict(os.environ, PYTHONPATH=str(root)),
                capture_output=True,
                text=True,
                check=False,
            )
            failed = next((line for line in run.stdout.splitlines() if line.startswith("FAILED")), "")
            print(
                f"{'caught' if run.returncode else 'MISSED'}  {name}  {failed.removeprefix('FAILED ')[:120]}",
                flush=True,
            )
            missed += run.returncode == 0
    print(f"{len(EXAMPLES) - missed} of {len(EXAMPLES)} examples caught")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

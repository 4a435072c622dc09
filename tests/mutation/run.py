"""Measure how well the fast tests pin the rule modules, and write RESULTS.md next to this file.

Mutation testing (mutmut) makes one small change at a time to a rule module — ``<`` to ``<=``,
a constant off by one, an argument dropped — and runs the tests that reach the changed function.
A change no test notices "survives": either a rule edge no test holds, or a change that cannot
alter what any caller sees ("equivalent"). Equivalent survivors are judged by hand and listed in
``EQUIVALENT`` below with their reason; anything else that survives is a missing test.

Not part of the normal test run (it takes minutes): run it after changing a rule::

    python3 tests/mutation/run.py                 # every rule module, one at a time
    python3 tests/mutation/run.py db/status.py    # one module
    python3 tests/mutation/run.py --jobs 2        # more parallel test processes

Configuration (which modules, which tests) is ``[tool.mutmut]`` in pyproject.toml. mutmut copies
the package into ``mutants/`` at the repository root and tests the copy, so what is measured is
always the checkout the script is run from.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import tomllib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).resolve().with_name("RESULTS.md")

#: Every rule module measured, and the threshold the issue sets for each.
MODULES = ("db/status.py", "db/deadlines.py", "db/values.py")
TARGET_SCORE = 90.0

#: Survivors judged equivalent: mutant name -> (the mutated line as mutmut writes it, why no test can
#: tell). The line is checked, so a renumbered mutant after a code change shows up as unjudged.
EQUIVALENT: dict[str, tuple[str, str]] = {
    # db/status.py
    "db.status.x_expected_progress__mutmut_3": (
        "if cutoff > end:",
        "on the last day itself the general formula gives days/days = 100.0 too",
    ),
    "db.status.x__worse_light__mutmut_3": (
        "return a if _LIGHT_SEVERITY[a] > _LIGHT_SEVERITY[b] else b",
        "a tie in severity means the same light, so returning b instead of a changes nothing",
    ),
    "db.status.x_assignment_status__mutmut_92": (
        "behind = round(expected, 2)",
        "序时进度 is already rounded to one decimal by expected_progress, so rounding it again to two is a no-op",
    ),
    "db.status.x_indicator_ratio__mutmut_1": (
        'def indicator_ratio(target: float, actual: float | None, direction: str = "XXat_leastXX") -> float | None:',
        'the code only asks whether direction == "at_most"; any other default means "at least"',
    ),
    "db.status.x_indicator_ratio__mutmut_2": (
        'def indicator_ratio(target: float, actual: float | None, direction: str = "AT_LEAST") -> float | None:',
        'the code only asks whether direction == "at_most"; any other default means "at least"',
    ),
    "db.status.x_indicator_ratio__mutmut_7": (
        "if actual < target:",
        "at actual == target the next lines give 100.0 as well (100 * target / actual, or the actual <= 0 guard)",
    ),
    "db.status.x_indicator_met__mutmut_1": (
        'def indicator_met(target: float, actual: float | None, direction: str = "XXat_leastXX") -> bool | None:',
        'the code only asks whether direction == "at_most"; any other default means "at least"',
    ),
    "db.status.x_indicator_met__mutmut_2": (
        'def indicator_met(target: float, actual: float | None, direction: str = "AT_LEAST") -> bool | None:',
        'the code only asks whether direction == "at_most"; any other default means "at least"',
    ),
    # db/deadlines.py
    "db.deadlines.x_parse_deadline__mutmut_6": (
        'text = remove_spaces(to_halfwidth(phrase or "XXXX"))',
        "a missing phrase read as the text XXXX is just as unreadable as an empty one",
    ),
    "db.deadlines.x_parse_deadline__mutmut_28": (
        'text = text.replace("XX－XX", "-").replace("—", "-").replace("–", "-").replace("～", "-").replace("~", "-")',
        "to_halfwidth has already turned the full-width － into -, so this replace never finds one",
    ),
    "db.deadlines.x_parse_deadline__mutmut_29": (
        'text = text.replace("－", "XX-XX").replace("—", "-").replace("–", "-").replace("～", "-").replace("~", "-")',
        "to_halfwidth has already turned the full-width － into -, so this replace never finds one",
    ),
    "db.deadlines.x_parse_deadline__mutmut_34": (
        'text = text.replace("－", "-").replace("—", "-").replace("–", "-").replace("XX～XX", "-").replace("~", "-")',
        "to_halfwidth has already turned the full-width ～ into ~, which the next replace handles",
    ),
    "db.deadlines.x_parse_deadline__mutmut_35": (
        'text = text.replace("－", "-").replace("—", "-").replace("–", "-").replace("～", "XX-XX").replace("~", "-")',
        "to_halfwidth has already turned the full-width ～ into ~, which the next replace handles",
    ),
    "db.deadlines.x__single_date__mutmut_128": (
        "return date(year, month, day) if (month and day) or True else None",
        "a zero month or day makes date() raise ValueError, which the surrounding try turns into None anyway",
    ),
    "db.deadlines.x__single_date__mutmut_135": (
        "return date(year, month, day) if month or day else None",
        "a zero month or day makes date() raise ValueError, which the surrounding try turns into None anyway",
    ),
    "db.deadlines.x_parse_deadline__mutmut_216": (
        'if text in ("年内", "XX年内完成XX", "本年内", "今年内"):',
        "年内完成 loses its 完成 below and _single_date reads the remaining 年内 as the year end too",
    ),
    "db.deadlines.x_parse_deadline__mutmut_218": (
        'if text in ("年内", "年内完成", "本年内", "XX今年内XX"):',
        "今年内 loses its 内 below and _single_date reads the remaining 今年 as the year end too",
    ),
    # db/values.py
    "db.values.x__strip_approximate__mutmut_1": (
        "found = None",
        "callers only test whether the flag is true; None and False are both false",
    ),
    "db.values.x_is_percent_format__mutmut_9": (
        'return "%" in _FORMAT_LITERALS.sub("XXXX", number_format)',
        "what replaces the quoted literals does not matter as long as it holds no %",
    ),
    "db.values.x_normalise_number__mutmut_29": (
        'None, [to_halfwidth(measure_unit or "XXXX"), "%", "个", "户", "项", "家", "人", "万元", "亿元"]',
        "without a measure unit the mutant strips the text XXXX, which no figure a clerk types ends in",
    ),
    "db.values.x_normalise_number__mutmut_40": (
        "if text.endswith(suffix) and len(text) >= len(suffix):",
        "a unit alone would be stripped to an empty text, which the number check refuses just the same",
    ),
    "db.values.x_normalise_number__mutmut_62": (
        'if number < 0 and to_halfwidth(measure_unit or "XXXX") in COUNT_UNITS:',
        "neither an empty unit nor XXXX is a count unit",
    ),
    "db.values.x_approximate_note__mutmut_16": (
        '_rest, approximate = _strip_approximate(text.replace("百分之", "").rstrip("XX%XX"))',
        "only a value ending in the letter X could tell, and normalise_percent refuses such a value anyway",
    ),
    "db.values.x_normalise_percent__mutmut_77": (
        "shown = number_text(round(number, 4)) if (not math.isnan(number)) or True else str(value)",
        "NaN only arrives as a float NaN, and number_text(round(nan, 4)) is the same 'nan' as str(value)",
    ),
    "db.values.x_tidy_person_name__mutmut_9": (
        r'return re.sub(r"(?<=[\u3400-\u9FFF])\s+(?=[\u3400-\u9FFF])", "", name)',
        "the same character range written in capital hex digits",
    ),
}

# exit codes mutmut records per mutant (mutmut.stats.status_by_exit_code)
_KILLED = {1, 3, 24, -24, 36, 152, 255, 37, -11, -9}  # tests failed, crashed or timed out
_SURVIVED = {0}
_NO_TESTS = {5, 33}


def _mutmut(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    # The worktree itself must not be importable ahead of mutants/ (mutmut drops only the cwd).
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, "-m", "mutmut", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def _module_key(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def _mutated_line(name: str) -> str:
    """Return the mutant's changed line(s), as ``mutmut show`` prints them after ``+``."""
    diff = _mutmut("show", name).stdout.splitlines()
    added = [line[1:].strip() for line in diff if line.startswith("+") and not line.startswith("+++")]
    return " / ".join(added) or "(line removed)"


def measure(path: str, jobs: int, *, rerun: bool = True) -> dict:
    """Run mutmut on one module (or, with ``rerun=False``, read its last run) and return counts and survivors."""
    started = time.monotonic()
    meta = ROOT / "mutants" / (path + ".meta")
    if rerun:
        run = _mutmut("run", "--max-children", str(jobs), f"{_module_key(path)}.*")
        if run.returncode != 0 or not meta.exists():
            sys.exit(f"mutmut failed on {path}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    elif not meta.exists():
        sys.exit(f"no earlier mutmut run for {path}; run without --report-only first")
    codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    counts = Counter()
    for code in codes.values():
        if code in _KILLED:
            counts["killed"] += 1
        elif code in _SURVIVED:
            counts["survived"] += 1
        elif code in _NO_TESTS:
            counts["no tests"] += 1
        else:
            counts["other"] += 1
    survivors = sorted((name for name, code in codes.items() if code in _SURVIVED), key=_natural)
    judged, unjudged = [], []
    for name in survivors:
        line = _mutated_line(name)
        known = EQUIVALENT.get(name)
        if known and known[0] == line:
            judged.append((name, line, known[1]))
        else:
            unjudged.append((name, line))
    return {
        "path": path,
        "mutants": len(codes),
        "counts": counts,
        "equivalent": judged,
        "unjudged": unjudged,
        "seconds": time.monotonic() - started if rerun else None,
        "jobs": jobs,
        "measured": datetime.fromtimestamp(meta.stat().st_mtime, UTC),
    }


def _natural(name: str) -> tuple[str, int]:
    stem, _, number = name.rpartition("_")
    return (stem, int(number) if number.isdigit() else 0)


def _score(result: dict) -> float:
    return 100.0 * result["counts"]["killed"] / result["mutants"] if result["mutants"] else 0.0


def write_results(results: list[dict]) -> str:
    """Write RESULTS.md for the measured modules, keeping earlier sections for the others."""
    sections = _read_sections()
    for result in results:
        sections[result["path"]] = _section(result)
    lines = [
        "# Mutation testing of the rule modules",
        "",
        "Written by `python3 tests/mutation/run.py` (mutmut, configured in `[tool.mutmut]` of pyproject.toml).",
        "Score = mutants killed (a test failed, crashed or timed out) / all mutants; target "
        f"{TARGET_SCORE:.0f} % per module. Survivors judged equivalent cannot change what any caller sees;",
        "each is listed with its reason. Re-run after changing a rule.",
        "",
        "Tests run against each mutant (only those that reach the mutated function): "
        + ", ".join(f"`{t}`" for t in _test_selection())
        + ".",
        "",
        "| module | mutants | killed | survived | no tests | score | equivalent survivors |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for path in MODULES:
        if path in sections:
            lines.append(sections[path][0])
    for path in MODULES:
        if path in sections:
            lines.extend(["", *sections[path][1]])
    text = "\n".join(lines).rstrip() + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    return text


def _test_selection() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["mutmut"]["pytest_add_cli_args_test_selection"]


def _section(result: dict) -> tuple[str, list[str]]:
    counts = result["counts"]
    row = (
        f"| `{result['path']}` | {result['mutants']} | {counts['killed']} | {counts['survived']} | "
        f"{counts['no tests']} | {_score(result):.1f} % | {len(result['equivalent'])} |"
    )
    stamp = result["measured"].strftime("%Y-%m-%d %H:%M UTC")
    took = (
        f" in {result['seconds']:.0f} s ({result['jobs']} test process(es) at a time)"
        if result["seconds"] is not None
        else ""
    )
    body = [
        f"## `{result['path']}`",
        "",
        f"Measured {stamp}{took}: {result['mutants']} mutants, {counts['killed']} killed, "
        f"{counts['survived']} survived, {counts['no tests']} reached by no test, score {_score(result):.1f} %.",
        "",
    ]
    if result["equivalent"]:
        body += ["Survivors judged equivalent:", ""]
        body += [f"- `{name}` — `{line}`: {reason}" for name, line, reason in result["equivalent"]]
        body.append("")
    if result["unjudged"]:
        body += ["Survivors not yet judged (a missing test, or an equivalent to add to `EQUIVALENT` in run.py):", ""]
        body += [f"- `{name}` — `{line}`" for name, line in result["unjudged"]]
        body.append("")
    return row, body


def _read_sections() -> dict[str, tuple[str, list[str]]]:
    """Return the table row and section of each module in an existing RESULTS.md."""
    if not RESULTS.exists():
        return {}
    lines = RESULTS.read_text(encoding="utf-8").splitlines()
    sections: dict[str, tuple[str, list[str]]] = {}
    for path in MODULES:
        row = next((line for line in lines if line.startswith(f"| `{path}` |")), None)
        header = f"## `{path}`"
        if row is None or header not in lines:
            continue
        start = lines.index(header)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        sections[path] = (row, lines[start:end])
    return sections


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"rule modules to measure (default: {', '.join(MODULES)})")
    parser.add_argument("--jobs", type=int, default=1, help="parallel test processes (default 1: a shared machine)")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite RESULTS.md from the last run (after judging survivors)"
    )
    args = parser.parse_args(argv)
    modules = args.modules or [m for m in MODULES if (ROOT / m).exists()]
    unknown = [m for m in modules if m not in MODULES]
    if unknown:
        parser.error(f"not a rule module: {', '.join(unknown)}")
    results = []
    for path in modules:
        print(f"mutating {path} ...", flush=True)
        result = measure(path, args.jobs, rerun=not args.report_only)
        results.append(result)
        print(
            f"  {result['mutants']} mutants, {result['counts']['killed']} killed, "
            f"{result['counts']['survived']} survived ({len(result['unjudged'])} not judged equivalent), "
            f"score {_score(result):.1f} %",
            flush=True,
        )
    write_results(results)
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0 if all(_score(r) >= TARGET_SCORE for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Build the demo ledger of 示例县 from ``resources/demo/demo_county.json``.

The county, its units and its 30 key works are fictional and written for duban. Reports
are generated from each key work's ``trajectory`` (on schedule, behind, overdue …) with
a fixed random seed, so every demo ledger is the same and covers every status.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlite_utils

from db.deadlines import period_of
from db.ledger import create_ledger, set_meta
from db.paths import resource_path
from db.problems import close_problem, record_problem
from db.progress import review_report, save_report
from db.round_closing import close_round
from db.rounds import open_round
from db.status import expected_progress
from db.tasks import add_indicator, add_key_work, add_milestone, add_plan, assign
from db.text import to_halfwidth
from db.units import add_alias, add_unit, find_unit, township_ids
from db.values import COUNT_UNITS

DEMO_FILE = ("demo", "demo_county.json")
ALL_TOWNSHIPS = "各乡镇（街道）"
SOURCE = "demo"

_PROGRESS = [
    "已制定{title}工作方案，明确责任分工和时间节点，召开专题推进会{n}次。",
    "{measure}目前已完成阶段性任务，累计投入工作人员{n}人次，形成月度工作台账。",
    "对照目标任务逐项推进，{measure}按计划实施，已完成年度任务的{pct}%。",
    "组织开展专项督查{n}次，协调解决具体问题{m}个，{title}整体进展平稳。",
]
_PROBLEMS = [
    "项目前期手续办理周期较长，影响整体进度。",
    "资金到位不及时，部分子项目推进缓慢。",
    "部分乡镇（街道）工作力量不足，基础数据报送不及时。",
    "用地指标紧张，个别项目尚未落地。",
    "企业参与积极性不高，需进一步加强政策宣传。",
]
_NEXT = [
    "下步将加强统筹协调，倒排工期，确保按时完成年度目标。",
    "下步将加大督查力度，对进度滞后的环节实行挂图作战。",
    "下步将做好政策宣传和要素保障，推动各项措施落地见效。",
]


def _percent_for(trajectory: str, expected: float, round_index: int, rng: random.Random) -> float | None:
    """Return the lead unit's 完成进度 for a round, or None for no report."""
    if trajectory == "missing" and round_index == 2:
        return None
    if trajectory == "done":
        return 100.0 if round_index == 2 else min(95.0, expected + 15 + rng.randint(0, 10))
    if trajectory == "early":
        return 100.0 if round_index >= 1 else min(95.0, expected + 20)
    if trajectory == "not_started":
        return 0.0
    delta = {
        "on": rng.randint(0, 8),
        "missing": rng.randint(-4, 6),
        "behind": -rng.randint(15, 25),
        "far_behind": -rng.randint(35, 45) if round_index == 2 else -rng.randint(12, 20),
        "overdue": -rng.randint(5, 15),
    }[trajectory]
    return float(max(0, min(95, round(expected + delta))))


def _status_for(trajectory: str, percent: float, round_index: int) -> str:
    if percent >= 100:
        return "已完成"
    if trajectory == "not_started" or percent == 0:
        return "未启动"
    if trajectory in ("behind", "far_behind") and round_index >= 1:
        return "进度滞后"
    return "序时推进"


def build_demo(path: str | Path, progress: Callable[[str], None] | None = None) -> sqlite_utils.Database:
    """Create the demo ledger at ``path`` (which must not exist) and return it open."""
    say = progress or (lambda _msg: None)
    data = json.loads(resource_path(*DEMO_FILE).read_text(encoding="utf-8"))
    rng = random.Random(2024)
    db = create_ledger(path)
    set_meta(db, "mode", "office", SOURCE)
    set_meta(db, "org_name", data["org"], SOURCE)
    set_meta(db, "county", data["county"], SOURCE)

    say("登记单位")
    for kind, rows in (("部门", data["units"]["departments"]), ("乡镇街道", data["units"]["townships"])):
        for name, aliases, contact, phone in rows:
            unit_id = add_unit(db, name, kind, contact, phone, SOURCE)
            for alias in aliases:
                add_alias(db, unit_id, alias, SOURCE)
    contacts = {r["id"]: (r["contact"], r["phone"]) for r in db.query("SELECT * FROM units")}
    townships = township_ids(db)

    say("录入重点工作")
    plan = data["plan"]
    year = plan["year"]
    plan_id = add_plan(db, plan["title"], year, plan["doc_no"], plan["issuer"], "demo_county.json", SOURCE)
    key_works = []
    for cat in data["categories"]:
        for kw in cat["key_works"]:
            kw_id = add_key_work(
                db,
                plan_id,
                kw["number"],
                kw["title"],
                category=cat["title"],
                period_phrase=kw["period"],
                targets=kw["targets"],
                measures=kw["measures"],
                plan_year=year,
                source=SOURCE,
            )
            roles: list[tuple[int, str]] = [(find_unit(db, kw["lead"]), "牵头")]
            for name in kw["responsible"]:
                roles += [(t, "责任") for t in townships] if name == ALL_TOWNSHIPS else [(find_unit(db, name), "责任")]
            for name in kw["supporting"]:
                roles += [(t, "责任") for t in townships] if name == ALL_TOWNSHIPS else [(find_unit(db, name), "配合")]
            seen = set()
            for unit_id, role in roles:
                if unit_id in seen:
                    continue
                seen.add(unit_id)
                liaison = contacts[unit_id][0]
                assign(db, kw_id, unit_id, role, kw["leader"], liaison, SOURCE)
            for phrase in kw["milestones"]:
                add_milestone(db, kw_id, phrase, year, source=SOURCE)
            for ind in kw["indicators"]:
                add_indicator(db, kw_id, ind["name"], ind["target"], ind["unit"], ind["direction"], year, source=SOURCE)
            key_works.append((kw_id, kw))

    _mark_milestones(db, key_works)

    for index, rnd in enumerate(data["rounds"]):
        say(f"生成 {rnd['id']} 填报")
        cutoff = date.fromisoformat(rnd["cutoff"])
        due = date.fromisoformat(rnd["due"])
        open_round(db, rnd["id"], cutoff, due_date=due, source=SOURCE)
        _fill_round(db, rnd["id"], index, cutoff, due, year, key_works, contacts, rng)
        if rnd["state"] == "closed":
            _close_old_problems(db, rng)
            close_round(db, rnd["id"], SOURCE)
    return db


def _mark_milestones(db: sqlite_utils.Database, key_works: list) -> None:
    """Mark as met the milestones of every key work that is not meant to be late."""
    for kw_id, kw in key_works:
        if kw["trajectory"] in ("overdue", "not_started", "far_behind"):
            continue
        for m in db.query("SELECT id, due_date FROM milestones WHERE key_work_id = ?", [kw_id]):
            if m["due_date"] and m["due_date"] <= "2024-09-30":
                done = date.fromisoformat(m["due_date"]) - timedelta(days=5)
                db["milestones"].update(m["id"], {"done_date": done.isoformat()})


def _fill_round(db, round_id, index, cutoff, due, year, key_works, contacts, rng) -> None:
    late_unit = db.execute("SELECT id FROM units WHERE name = '白石乡'").fetchone()[0]
    silent_unit = db.execute("SELECT id FROM units WHERE name = '云岭乡'").fetchone()[0]
    for kw_id, kw in key_works:
        start, end = period_of(kw["period"], year)
        expected = expected_progress(start, end, cutoff)
        lead_pct = _percent_for(kw["trajectory"], expected, index, rng)
        indicators = list(db.query("SELECT * FROM indicators WHERE key_work_id = ?", [kw_id]))
        for a in db.query("SELECT * FROM assignments WHERE key_work_id = ?", [kw_id]):
            if a["role"] == "牵头":
                pct = lead_pct
            elif lead_pct is None:
                pct = None if rng.random() < 0.5 else float(min(95, round(expected)))
            else:
                pct = lead_pct if lead_pct in (0.0, 100.0) else float(max(0, min(99, lead_pct + rng.randint(-6, 6))))
            if index == 2 and a["unit_id"] == silent_unit:
                pct = None
            if pct is None:
                continue
            status = _status_for(kw["trajectory"], pct, index)
            measure = kw["measures"][rng.randrange(len(kw["measures"]))].rstrip("。")
            text = _PROGRESS[rng.randrange(len(_PROGRESS))].format(
                title=kw["title"], measure=measure, n=rng.randint(2, 9), m=rng.randint(1, 6), pct=int(pct)
            )
            if status == "已完成":
                text = f"{kw['title']}各项任务已全部完成，{kw['targets'][0]}的目标已实现。"
            elif status == "未启动":
                text = "相关前期工作正在对接中，项目尚未正式启动。"
            problems = None
            troubled = kw["trajectory"] in ("behind", "far_behind", "overdue", "not_started")
            if troubled and (a["role"] == "牵头" or rng.random() < 0.2):
                # The same difficulty is usually reported again until it is solved.
                problems = _PROBLEMS[(kw_id + index // 2) % len(_PROBLEMS)]
            contact, phone = contacts[a["unit_id"]]
            values = {}
            for ind in indicators:
                if ind["direction"] == "at_most":
                    value = ind["target_value"] * (0.7 + 0.1 * index)
                else:
                    value = ind["target_value"] * pct / 100.0
                # Counts (户, 家, 个 …) are whole numbers; amounts and rates keep one decimal.
                whole = to_halfwidth(ind["measure_unit"] or "") in COUNT_UNITS
                values[ind["id"]] = float(round(value)) if whole else round(value, 1)
            save_report(
                db,
                a["id"],
                round_id,
                {
                    "progress_text": text,
                    "percent": pct,
                    "reported_status": status,
                    "problems": problems,
                    "next_steps": _NEXT[rng.randrange(len(_NEXT))],
                    "reporter": contact,
                    "phone": phone,
                },
                indicator_values=values if a["role"] == "牵头" else None,
                source=SOURCE,
            )
            late = a["unit_id"] == late_unit or rng.random() < 0.08
            submitted = datetime.combine(
                due + timedelta(days=rng.randint(2, 6) if late else -rng.randint(0, 6)), datetime.min.time()
            ).replace(hour=9 + rng.randint(0, 8))
            db.execute(
                "UPDATE reports SET submitted_at = ?, updated_at = ? WHERE assignment_id = ? AND round_id = ?",
                [submitted.isoformat(), submitted.isoformat(), a["id"], round_id],
            )
            if problems:
                pid = record_problem(db, kw_id, a["unit_id"], round_id, problems, SOURCE)
                db.execute(
                    "UPDATE problems SET raised_at = ? WHERE id = ? AND raised_at > ?",
                    [submitted.isoformat(), pid, submitted.isoformat()],
                )
    report_ids = [r[0] for r in db.execute("SELECT id FROM reports WHERE round_id = ? ORDER BY id", [round_id])]
    if index < 2:
        for rid in report_ids:
            review_report(db, rid, "accepted", source=SOURCE)
    else:
        for rid in report_ids[:40]:
            review_report(db, rid, "accepted", source=SOURCE)
        review_report(
            db, report_ids[-1], "returned", "进展情况过于笼统，请补充具体数据（完成数量、投资额等）。", SOURCE
        )


def _close_old_problems(db, rng: random.Random) -> None:
    for pid, raised in db.execute("SELECT id, raised_at FROM problems WHERE state = 'open' ORDER BY id").fetchall():
        if rng.random() < 0.45:
            # Solved some weeks after it was raised, never before.
            closed = date.fromisoformat(raised[:10]) + timedelta(days=rng.randint(5, 40))
            close_problem(db, pid, "经协调已解决，企业（单位）确认销号。", closed.isoformat(), SOURCE)

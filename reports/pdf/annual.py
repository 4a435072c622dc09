"""全年总结: each key work's year-end result against its targets, indicators and milestones.

Same official-document layout as the bulletin. The year-end figures are those of the
year's last round (a closed round from its frozen snapshot); indicator actuals are the
latest value any of the year's rounds recorded; ratios come from
:func:`db.status.indicator_ratio`.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import sqlite_utils
from reportlab.lib import colors
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from db.errors import DubanError
from db.ledger import get_meta
from db.queries import key_work_states, round_states
from db.rounds import list_rounds
from db.status import BEHIND, DONE, NOT_STARTED, NOT_SUBMITTED, ON_SCHEDULE, OVERDUE, indicator_met, indicator_ratio
from reports.pdf.document import (
    GB_LEADING,
    GB_WIDTH,
    Progress,
    ReportResult,
    annex_heading,
    area_word,
    build_official,
    chinese_date,
    heading,
    official_styles,
    official_table,
    pct,
    period_phrase,
    round_label,
    signature,
    step,
    typesetter_for,
)
from reports.pdf.figures import key_work_counts, milestone_figures, problem_totals, problems_by_key_work

_CN_NUM = "一二三四五六七八九十"


def _cn(n: int) -> str:
    if n <= 10:
        return _CN_NUM[n - 1]
    if n < 20:
        return "十" + _CN_NUM[n - 11]
    tens, ones = divmod(n, 10)
    return _CN_NUM[tens - 1] + "十" + (_CN_NUM[ones - 1] if ones else "")


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if abs(value) < 1e15 else f"{value:.0f}"


def _latest_actuals(db: sqlite_utils.Database, rounds: list[dict], final_states: list) -> dict[int, tuple[float, str]]:
    """Return ``{indicator_id: (value, round_id)}`` from the newest round that has a value.

    ``final_states`` are the last round's assignment states, already judged by the caller.
    """
    out: dict[int, tuple[float, str]] = {}
    for rnd in reversed(rounds):
        states = final_states if rnd is rounds[-1] else round_states(db, rnd["id"])
        for s in states:
            for ind in s.indicators:
                out.setdefault(ind["indicator_id"], (ind["value"], rnd["id"]))
    return out


def write_annual_summary(
    db: sqlite_utils.Database,
    year: int,
    out_path: str | Path,
    *,
    progress: Progress = None,
) -> ReportResult:
    """Write the 全年总结 of a year as an official-document PDF.

    Args:
        db: the ledger.
        year: the plan year, e.g. 2024; its last round gives the year-end figures.
        out_path: the PDF to write.
        progress: ``progress(done, total, message)``; it may raise to cancel.

    Raises:
        DubanError: the ledger has no round in that year.
    """
    step(progress, 0, 3, "读取台账")
    rounds = [r for r in list_rounds(db) if r["year"] == int(year)]
    if not rounds:
        known = sorted({r["year"] for r in list_rounds(db)})
        hint = f"台账中有轮次的年份：{'、'.join(map(str, known))}。" if known else "台账中还没有任何轮次。"
        raise DubanError(f"{year}年没有任何填报轮次，无法生成全年总结。{hint}")
    final = rounds[-1]
    cutoff = date.fromisoformat(final["cutoff"])
    kws = key_work_states(db, final["id"])
    summary = key_work_counts(kws)
    actuals = _latest_actuals(db, rounds, [part for k in kws for part in k.parts])
    org = get_meta(db, "org_name") or "重点工作督办办公室"
    area = area_word(get_meta(db, "county") or "")
    ts = typesetter_for(db)
    official_styles(ts)
    ts.style("subtitle", "kaiti", 16, leading=GB_LEADING, alignment=1, spaceAfter=GB_LEADING * 0.5)
    year_start, year_end = f"{year}-01-01", final["cutoff"]

    indicators: dict[int, list[dict]] = {}
    for ind in db.query("SELECT * FROM indicators ORDER BY key_work_id, seq, id"):
        indicators.setdefault(ind["key_work_id"], []).append(ind)
    targets: dict[int, list[str]] = {}
    for t in db.query("SELECT key_work_id, text FROM targets ORDER BY key_work_id, seq"):
        targets.setdefault(t["key_work_id"], []).append(t["text"])
    milestones: dict[int, list[dict]] = {}
    for m in db.query("SELECT * FROM milestones ORDER BY key_work_id, seq"):
        milestones.setdefault(m["key_work_id"], []).append(m)
    last_year_end = f"{int(year) - 1}-12-31"
    kw_problems = problems_by_key_work(db, final, since=last_year_end)
    problems = problem_totals(db, final, since=last_year_end)
    ms = milestone_figures(db, [k.key_work_id for k in kws], year_end, since=last_year_end)
    # Before the year is out the summary says how far it has come, not "year-end".
    whole_year = final["cutoff"] == f"{year}-12-31"
    as_of = "年末状态" if whole_year else f"截至{period_phrase(cutoff)}状态"

    step(progress, 1, 3, "撰写总结")
    title = f"关于{year}年度重点工作完成情况的总结"
    story: list = [Spacer(1, GB_LEADING), ts.para(title, "title")]
    if final["cutoff"] != f"{year}-12-31":
        story.append(ts.para(f"（数据截至{chinese_date(cutoff)}，{round_label(final)}调度）", "subtitle"))
    by_status = summary["key_works_by_status"]
    total = summary["key_works"]

    met_count = Counter()
    for kw in kws:
        for ind in indicators.get(kw.key_work_id, []):
            actual = actuals.get(ind["id"], (None, None))[0]
            met = indicator_met(ind["target_value"], actual, ind["direction"])
            met_count["none" if met is None else "met" if met else "unmet"] += 1

    story += heading(ts, "一、总体完成情况", "h1")
    parts = [
        f"{word}{by_status[s]}项"
        for s, word in (
            (DONE, "已完成"),
            (ON_SCHEDULE, "序时推进"),
            (BEHIND, "进度滞后"),
            (OVERDUE, "逾期未完成"),
            (NOT_STARTED, "未启动"),
            (NOT_SUBMITTED, "未报送"),
        )
        if by_status.get(s)
    ]
    if total:
        story.append(
            ts.para(
                f"截至{period_phrase(cutoff)}，{area}{total}项重点工作中，{'，'.join(parts)}，"
                f"完成率{pct(100.0 * by_status.get(DONE, 0) / total, 1)}。",
                "body",
            )
        )
    else:
        story.append(ts.para(f"{year}年台账中没有登记重点工作。", "body"))
    n_ind = sum(met_count.values())
    if n_ind:
        story.append(
            ts.para(
                f"量化指标{n_ind}个，已达到目标值{met_count['met']}个，未达到{met_count['unmet']}个"
                + (f"，未报送实际值{met_count['none']}个" if met_count["none"] else "")
                + "。",
                "body",
            )
        )
    story.append(
        ts.para(
            f"{'全年' if whole_year else f'截至{period_phrase(cutoff)}'}应完成时间节点{ms['due']}个，"
            f"已完成{ms['met']}个，逾期未完成{ms['overdue']}个。"
            if ms["due"]
            else "全年没有到期的时间节点。"
            if whole_year
            else f"截至{period_phrase(cutoff)}没有到期的时间节点。",
            "body",
        )
    )
    story.append(
        ts.para(
            f"全年各单位梳理问题{problems['raised']}个，已化解{problems['closed']}个，"
            f"化解率{pct(problems['rate'], 1)}。"
            if problems["raised"]
            else "全年问题清单中没有登记问题。",
            "body",
        )
    )

    story += heading(ts, "二、各项重点工作完成情况", "h1")
    current = object()
    cat_no = 0
    for i, kw in enumerate(kws, 1):
        lines = []
        if kw.category != current:
            current = kw.category
            cat_no += 1
            # Kept together with the first key work below, so a category never ends a page alone.
            lines.append(ts.para(f"（{_cn(cat_no)}）{kw.category or '未分类'}", "h2"))
        r = kw.result
        head = f"{kw.number}. {kw.title}（牵头单位：{kw.lead_unit or '无'}）"
        lines.append(ts.para(head, "h3", context=kw.title))
        goal = "；".join(targets.get(kw.key_work_id, [])) or "未列明"
        result_text = f"年度目标：{goal}。{as_of}：{r.status}"
        if r.percent is not None:
            result_text += f"，完成进度{pct(r.percent)}"
        lines.append(ts.para(result_text + "。", "body"))
        keep = len(lines)
        inds = indicators.get(kw.key_work_id, [])
        if inds:
            rows = []
            for ind in inds:
                actual = actuals.get(ind["id"], (None, None))[0]
                ratio = indicator_ratio(ind["target_value"], actual, ind["direction"])
                met = indicator_met(ind["target_value"], actual, ind["direction"])
                bound = "≤" if ind["direction"] == "at_most" else "≥"
                rows.append(
                    [
                        ind["name"],
                        f"{bound}{_number(ind['target_value'])}{ind['measure_unit'] or ''}",
                        f"{_number(actual)}{ind['measure_unit'] or '' if actual is not None else ''}",
                        pct(ratio, 1),
                        "—" if met is None else "达标" if met else "未达标",
                    ]
                )
            lines.append(
                official_table(
                    ts, ["指标", "目标值", "实际值", "完成率", "结果"], rows, [150, 80, 80, 60, 60], center={1, 2, 3, 4}
                )
            )
            lines.append(Spacer(1, 6))
        marks = []
        for m in milestones.get(kw.key_work_id, []):
            if not m["due_date"] or not (year_start <= m["due_date"] <= f"{year}-12-31"):
                continue
            if m["done_date"] and m["done_date"] <= year_end:
                marks.append(f"{m['phrase']}（{'按时' if m['done_date'] <= m['due_date'] else '延期'}完成）")
            elif m["due_date"] < year_end:
                marks.append(f"{m['phrase']}（逾期未完成）")
            else:
                marks.append(f"{m['phrase']}（未到期）")
        p = kw_problems.get(kw.key_work_id, {"raised": 0, "closed": 0})
        tail = f"时间节点：{'、'.join(marks)}。" if marks else "无时间节点。"
        if p["raised"]:
            tail += (
                f"全年提出问题{p['raised']}个，化解{p['closed']}个，化解率{pct(100.0 * p['closed'] / p['raised'], 1)}。"
            )
        else:
            tail += "全年未提出问题。"
        lines.append(ts.para(tail, "body"))
        story.append(KeepTogether(lines[:keep]))
        story.extend(lines[keep:])
        if i % 100 == 0:
            step(progress, 1, 3, f"撰写第 {i}/{len(kws)} 项")

    story += signature(ts, org, date.today())

    story += annex_heading(ts, f"{year}年度重点工作完成情况一览表")
    rows = []
    for kw in kws:
        inds = indicators.get(kw.key_work_id, [])
        done = sum(
            1
            for ind in inds
            if indicator_met(ind["target_value"], actuals.get(ind["id"], (None,))[0], ind["direction"])
        )
        rows.append(
            [
                kw.number,
                kw.title,
                kw.lead_unit or "—",
                kw.result.status,
                pct(kw.result.percent),
                f"{done}/{len(inds)}" if inds else "—",
            ]
        )
    if rows:
        story.append(
            official_table(
                ts,
                ["序号", "重点工作", "牵头单位", "年末状态" if whole_year else "状态", "完成\n进度", "指标\n达标"],
                rows,
                [30, 156, 80, 52, 40, 40],
                center={0, 3, 4, 5},
            )
        )
    else:
        empty = Table([[ts.para("（无重点工作）", "cell_c")]], colWidths=[GB_WIDTH])
        empty.setStyle(
            TableStyle(
                [("FONTNAME", (0, 0), (-1, -1), ts.font("fangsong")), ("BOX", (0, 0), (-1, -1), 0.5, colors.black)]
            )
        )
        story.append(empty)

    step(progress, 2, 3, "排版")
    pages = build_official(story, Path(out_path), title, org, ts, progress)
    step(progress, 3, 3, "完成")
    figures = {
        "year": int(year),
        "round": final["id"],
        "key_works": total,
        "key_works_by_status": by_status,
        "indicators": dict(met_count),
        "milestones": {k: v for k, v in ms.items() if k != "overdue_items"},
        "problems": problems,
    }
    return ReportResult(Path(out_path), pages, ts.choice.used(), ts.warnings(), figures)


__all__ = ["write_annual_summary"]

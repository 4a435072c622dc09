"""全年总结: each key work's year-end result against its targets, indicators and milestones.

The year-end figures are those of the year's last round (a closed round from its frozen
snapshot); indicator actuals are the latest value any of the year's rounds recorded;
ratios come from :func:`db.status.indicator_ratio`.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import sqlite_utils

from db.documents import as_dict, official_fields
from db.errors import DubanError
from db.ledger import get_meta
from db.queries import key_work_states, round_states
from db.rounds import list_rounds
from db.status import BEHIND, DONE, NOT_STARTED, NOT_SUBMITTED, ON_SCHEDULE, OVERDUE, indicator_met, indicator_ratio
from db.text import join_clauses
from reports.content.bulletin import UNITS_NAMED, with_nested_quotes
from reports.content.figures import key_work_counts, milestone_figures, problem_totals, problems_by_key_work
from reports.content.layout import GB_LEADING
from reports.content.model import (
    Annex,
    Colophon,
    Document,
    EmptyTable,
    Heading,
    KeepTogether,
    Para,
    Signature,
    Space,
    Subtitle,
    Table,
    Title,
)
from reports.content.wording import (
    area_word,
    break_title,
    chinese_date,
    cn_number,
    pct,
    period_phrase,
    plain_number,
    round_label,
)


def _latest_actuals(db: sqlite_utils.Database, rounds: list[dict], final_states: list) -> dict[int, tuple[float, str]]:
    """Return ``{indicator_id: (value, round_id)}`` from the newest round that has a value.

    ``final_states`` are the last round's assignment states, already judged by the caller.
    """
    out: dict[int, tuple[float, str]] = {}
    for round_row in reversed(rounds):
        states = final_states if round_row is rounds[-1] else round_states(db, round_row["id"])
        for s in states:
            for ind in s.indicators:
                out.setdefault(ind["indicator_id"], (ind["value"], round_row["id"]))
    return out


def annual_content(db: sqlite_utils.Database, year: int, *, official: dict | None = None, progress=None) -> Document:
    """Return the 全年总结 of a year as content.

    Args:
        db: the ledger.
        year: the plan year, e.g. 2024; its last round gives the year-end figures.
        official: 公文 fields that override the ledger's defaults (see :func:`db.documents.official_fields`).
        progress: ``progress(done, total, message)``; it may raise to cancel.

    Raises:
        DubanError: the ledger has no round in that year.
    """
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
    fields = official_fields(db, final, official, numbered=False)
    org = fields.issuer
    area = area_word(get_meta(db, "county") or "")
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

    title = f"关于{year}年度重点工作完成情况的总结"
    warnings = []
    if final["state"] != "closed":
        warnings.append(
            f"{year}年最后一轮（{round_label(final)}）尚未关闭，总结中的数字还会随报送变化；关闭该轮后再印发。"
        )
    blocks: list = [Para(f"（注意：{warnings[0]}）", "warning")] if warnings else []
    blocks += [Space(GB_LEADING), Title(title, break_title(title))]
    if final["cutoff"] != f"{year}-12-31":
        blocks.append(Subtitle(f"（数据截至{chinese_date(cutoff)}，{round_label(final)}调度）"))
    by_status = summary["key_works_by_status"]
    total = summary["key_works"]

    met_count = Counter()
    for kw in kws:
        for ind in indicators.get(kw.key_work_id, []):
            actual = actuals.get(ind["id"], (None, None))[0]
            met = indicator_met(ind["target_value"], actual, ind["direction"])
            met_count["none" if met is None else "met" if met else "unmet"] += 1

    blocks.append(Heading("一、总体完成情况", 1))
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
        blocks.append(
            Para(
                f"截至{period_phrase(cutoff)}，{area}{total}项重点工作中，{'，'.join(parts)}，"
                f"完成率{pct(100.0 * by_status.get(DONE, 0) / total, 1)}。"
            )
        )
    else:
        blocks.append(Para(f"{year}年台账中没有登记重点工作。"))
    n_ind = sum(met_count.values())
    if n_ind:
        blocks.append(
            Para(
                f"量化指标{n_ind}个，已达到目标值{met_count['met']}个，未达到{met_count['unmet']}个"
                + (f"，未报送实际值{met_count['none']}个" if met_count["none"] else "")
                + "。"
            )
        )
    blocks.append(
        Para(
            f"{'全年' if whole_year else f'截至{period_phrase(cutoff)}'}应完成时间节点{ms['due']}个，"
            f"已完成{ms['met']}个，逾期未完成{ms['overdue']}个。"
            if ms["due"]
            else "全年没有到期的时间节点。"
            if whole_year
            else f"截至{period_phrase(cutoff)}没有到期的时间节点。"
        )
    )
    blocks.append(
        Para(
            f"全年各单位梳理问题{problems['raised']}个，已化解{problems['closed']}个，化解率{pct(problems['rate'], 1)}。"
            if problems["raised"]
            else "全年问题清单中没有登记问题。"
        )
    )

    blocks.append(Heading("二、各项重点工作完成情况", 1))
    current = object()
    cat_no = 0
    for i, kw in enumerate(kws, 1):
        lines: list = []
        if kw.category != current:
            current = kw.category
            cat_no += 1
            # Kept together with the first key work below, so a category never ends a page alone.
            lines.append(Heading(f"（{cn_number(cat_no)}）{kw.category or '未分类'}", 2, keep_lines=0))
        r = kw.result
        head = f"{kw.number}. {kw.title}（牵头单位：{kw.lead_unit or '无'}）"
        lines.append(Heading(head, 3, keep_lines=0, context=kw.title))
        goal = join_clauses(targets.get(kw.key_work_id, [])) or "未列明"
        result_text = f"年度目标：{goal}。{as_of}：{r.status}"
        if r.percent is not None:
            result_text += f"，完成进度{pct(r.percent)}"
        lines.append(Para(result_text + "。"))
        blocks.append(KeepTogether(lines))
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
                        f"{bound}{plain_number(ind['target_value'])}{ind['measure_unit'] or ''}",
                        f"{plain_number(actual)}{ind['measure_unit'] or '' if actual is not None else ''}",
                        pct(ratio, 1),
                        "—" if met is None else "达标" if met else "未达标",
                    ]
                )
            blocks.append(
                Table(
                    ["指标", "目标值", "实际值", "完成率", "结果"], rows, [150, 80, 80, 60, 60], frozenset({1, 2, 3, 4})
                )
            )
            blocks.append(Space(6))
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
        blocks.append(Para(tail))
        if progress and i % 100 == 0:
            progress(1, 3, f"撰写第 {i}/{len(kws)} 项")

    blocks += _problems_and_plans(kws, indicators, actuals, problems, ms, whole_year)
    blocks.append(Signature(org, fields.issued))

    blocks.append(Annex(f"{year}年度重点工作完成情况一览表"))
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
        blocks.append(
            Table(
                ["序号", "重点工作", "牵头单位", "年末状态" if whole_year else "状态", "完成\n进度", "指标\n达标"],
                rows,
                [30, 156, 80, 52, 40, 40],
                frozenset({0, 3, 4, 5}),
            )
        )
    else:
        blocks.append(EmptyTable("（无重点工作）"))
    blocks.append(Colophon(fields.cc, fields.printer, fields.printed))

    figures = {
        "year": int(year),
        "round": final["id"],
        "key_works": total,
        "key_works_by_status": by_status,
        "indicators": dict(met_count),
        "milestones": {k: v for k, v in ms.items() if k != "overdue_items"},
        "problems": problems,
        "official": as_dict(fields),
    }
    return Document("annual", "official", title, org, with_nested_quotes(blocks), figures=figures, warnings=warnings)


def _problems_and_plans(kws, indicators, actuals, problems, milestones, whole_year: bool) -> list:
    """Return 三、存在问题 and 四、下步打算, each point drawn from the year's figures."""
    undone = [k for k in kws if k.result.status not in (DONE, ON_SCHEDULE)]
    overdue = [k for k in kws if k.result.status == OVERDUE]
    silent = [k for k in kws if k.result.status == NOT_SUBMITTED]
    unmet = [
        (k, ind)
        for k in kws
        for ind in indicators.get(k.key_work_id, [])
        if indicator_met(ind["target_value"], actuals.get(ind["id"], (None,))[0], ind["direction"]) is False
    ]
    issues, plans = [], []
    if undone:
        named = "、".join(f"第{k.number}项“{k.title}”" for k in undone[:UNITS_NAMED])
        more = f"等{len(undone)}项" if len(undone) > UNITS_NAMED else ""
        issues.append(
            f"部分重点工作推进不及预期。{named}{more}{'年末' if whole_year else '目前'}仍未完成或进度滞后，"
            f"其中逾期{len(overdue)}项。"
        )
        plans.append(
            f"对未完成的{len(undone)}项重点工作逐项明确完成时限和责任人，纳入下一年度台账继续督办，按季调度、销号管理。"
        )
    if unmet:
        named = "、".join(f"{ind['name']}（第{k.number}项）" for k, ind in unmet[:UNITS_NAMED])
        more = f"等{len(unmet)}个" if len(unmet) > UNITS_NAMED else ""
        issues.append(f"部分量化指标未达到目标值。{named}{more}指标未达标。")
        plans.append("对未达标的量化指标分析原因，调整推进举措，必要时提请调整目标并报县领导同意。")
    if problems["open"]:
        issues.append(
            f"问题化解仍有差距。全年梳理问题{problems['raised']}个，尚有{problems['open']}个未化解，"
            f"化解率{pct(problems['rate'], 1)}。"
        )
        plans.append(f"对尚未化解的{problems['open']}个问题实行清单管理，逐个明确化解措施和时限，化解一个、销号一个。")
    if milestones["overdue"]:
        issues.append(
            f"时间节点把控不严。应完成的{milestones['due']}个时间节点中，逾期未完成{milestones['overdue']}个。"
        )
        plans.append("强化时间节点管理，节点到期前提醒、到期后核查，逾期的纳入通报。")
    if silent:
        issues.append(
            f"报送质量有待提高。{len(silent)}项重点工作的牵头单位未报送{'年末' if whole_year else '最近一轮'}进展。"
        )
        plans.append("严格执行按时报送制度，对未按时报送的单位予以通报提醒。")
    blocks: list = [Heading("三、存在问题", 1)]
    if issues:
        blocks += [Para(text, lead=f"（{cn_number(i)}）") for i, text in enumerate(issues, 1)]
    else:
        blocks.append(Para("全年重点工作均已完成或序时推进，量化指标均已达标，问题均已化解。"))
    blocks.append(Heading("四、下步打算", 1))
    plans.append("总结推广全年推进中的好经验好做法，完善“季调度、半年通报、全年总结”工作机制。")
    blocks += [Para(text, lead=f"（{cn_number(i)}）") for i, text in enumerate(plans, 1)]
    return blocks


__all__ = ["annual_content"]

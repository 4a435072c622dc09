"""半年通报: what the half-year bulletin says, read from the ledger.

The text is written the way a clerk would write it by hand — the opening paragraph, the
figures, the ranking of units (比晾晒), the named list of key works behind schedule (通报),
the problem list — followed by an annex table of every key work. All figures come from
:mod:`db.queries` and :mod:`reports.content.figures`; a closed round reads its frozen
snapshot, so printing it again gives the same numbers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import sqlite_utils

from db.documents import as_dict, official_fields
from db.ledger import get_meta
from db.queries import key_work_states
from db.rounds import get_round
from db.status import BEHIND, DONE, LIGHTS, NOT_STARTED, NOT_SUBMITTED, ON_SCHEDULE, OVERDUE, STATUSES
from reports.content.figures import (
    LATE,
    NONE,
    ON_TIME,
    assignment_states,
    key_work_counts,
    milestone_figures,
    problem_totals,
    problems_by_unit,
    unit_standings,
)
from reports.content.layout import GB_LEADING, LIGHT_WORDS
from reports.content.model import (
    Annex,
    Chart,
    Colophon,
    Document,
    Heading,
    Masthead,
    Para,
    Signature,
    Space,
    Table,
    Title,
)
from reports.content.wording import area_word, chinese_date, pct, pct_exact, period_phrase, period_title


def _count_text(counts: dict[str, int], order=STATUSES, unit: str = "项") -> str:
    return "，".join(f"{'未报送' if s == NOT_SUBMITTED else s}{counts[s]}{unit}" for s in order if counts.get(s))


def opening(area: str, cutoff: date, by_status: dict[str, int], total: int) -> str:
    """Return the opening sentences of 一、总体推进情况, from the key works' statuses."""
    if total == 0:
        return f"截至{period_phrase(cutoff)}，台账中尚未登记重点工作。"
    parts = []
    for status, word in (
        (DONE, "已完成"),
        (ON_SCHEDULE, "序时推进"),
        (BEHIND, "进度滞后"),
        (OVERDUE, "逾期未完成"),
        (NOT_STARTED, "尚未启动"),
    ):
        if by_status.get(status):
            parts.append(f"{word}{by_status[status]}项")
    if by_status.get(NOT_SUBMITTED):
        parts.append(f"另有{by_status[NOT_SUBMITTED]}项牵头单位未报送进展")
    good = by_status.get(DONE, 0) + by_status.get(ON_SCHEDULE, 0)
    share = 100.0 * good / total
    verdict = "总体进展顺利" if share >= 80 else "总体平稳有序" if share >= 60 else "总体进度偏慢"
    lagging = by_status.get(BEHIND, 0) + by_status.get(OVERDUE, 0)
    tail = f"，但仍有{lagging}项工作进度滞后或逾期，需加力推进" if lagging else ""
    return (
        f"截至{period_phrase(cutoff)}，{area}{total}项重点工作中，{'，'.join(parts) or '均未报送进展'}。"
        f"已完成和序时推进的占{share:.1f}%，{verdict}{tail}。"
    )


def bulletin_content(db: sqlite_utils.Database, round_id: str, *, official: dict | None = None) -> Document:
    """Return the 通报 of a round as content.

    Args:
        db: the ledger.
        round_id: the round whose figures are reported, e.g. ``2024Q2`` for the half year.
        official: 公文 fields that override the ledger's defaults (see :func:`db.documents.official_fields`):
            ``issuer``, ``issue_no``, ``doc_number``, ``addressees``, ``cc``, ``printer``,
            ``signer``, ``issued``, ``printed``.
    """
    round_row = get_round(db, round_id)
    fields = official_fields(db, round_row, official)
    cutoff = date.fromisoformat(round_row["cutoff"])
    kws = key_work_states(db, round_row["id"])
    states = assignment_states(kws)
    summary = key_work_counts(kws)
    org = fields.issuer
    county = get_meta(db, "county") or ""
    area = area_word(county)
    issue_no = fields.issue_no
    issued = fields.issued
    period = period_title(round_row)

    by_status = summary["key_works_by_status"]
    total = summary["key_works"]
    milestones = milestone_figures(db, [k.key_work_id for k in kws], round_row["cutoff"])
    standings = unit_standings(db, states, round_row)
    reporting = Counter(u.reporting for u in standings)
    problems = problem_totals(db, round_row)
    per_unit_problems = problems_by_unit(db, round_row)
    lagging = [k for k in kws if k.result.status in (BEHIND, OVERDUE)]

    title = f"关于{period}重点工作推进情况的通报"
    blocks: list = [
        Masthead("重点工作督查通报", issue_no, org, issued, fields.doc_number, fields.signer),
        Title(title),
        Para(f"{fields.addressees}：", "addressee"),
    ]
    blocks.append(
        Para(
            f"根据重点工作“季调度、半年通报、全年总结”工作要求，{org}对{period}重点工作推进情况进行了梳理汇总，"
            f"现将有关情况通报如下。"
        )
    )

    # 一、总体推进情况
    blocks.append(Heading("一、总体推进情况", 1))
    blocks.append(Para(opening(area, cutoff, by_status, total)))
    blocks.append(Heading("（一）重点工作推进情况。", 2))
    categories: list[str] = []
    cat_counts: dict[str, Counter] = defaultdict(Counter)
    for k in kws:
        name = k.category or "未分类"
        if name not in categories:
            categories.append(name)
        cat_counts[name][k.result.status] += 1
    if kws:
        pieces = [f"{c}{sum(cat_counts[c].values())}项（{_count_text(cat_counts[c])}）" for c in categories]
        blocks.append(Para("按类别看：" + "；".join(pieces) + "。"))
        used = [s for s in STATUSES if any(cat_counts[c][s] for c in categories)]
        blocks.append(Space(4))
        blocks.append(
            Chart(
                "status_by_category",
                "各类别重点工作推进状态（项）",
                categories,
                used,
                {c: dict(cat_counts[c]) for c in categories},
            )
        )
    blocks.append(Heading("（二）时间节点完成情况。", 2))
    if milestones["due"]:
        text = (
            f"截至{period_phrase(cutoff)}，应完成时间节点{milestones['due']}个，已完成{milestones['met']}个，"
            f"逾期未完成{milestones['overdue']}个"
        )
        if milestones["pending"]:
            text += f"，另有{milestones['pending']}个于{period_phrase(cutoff)}到期、完成情况待下轮报送确认"
        if milestones["overdue_items"]:
            names = "；".join(f"第{m['number']}项“{m['title']}”{m['phrase']}节点" for m in milestones["overdue_items"])
            text += f"。逾期节点为：{names}"
        blocks.append(Para(text + "。"))
    else:
        blocks.append(Para(f"截至{period_phrase(cutoff)}，没有到期的时间节点。"))
    blocks.append(Heading("（三）报送情况。", 2))
    late_units = [u for u in standings if u.reporting == LATE]
    silent_units = [u for u in standings if u.reporting == NONE]
    text = (
        f"本轮应报送单位{len(standings)}个，按时报送{reporting.get(ON_TIME, 0)}个，"
        f"逾期报送{reporting.get(LATE, 0)}个，未报送{reporting.get(NONE, 0)}个"
    )
    if round_row["due_date"]:
        text = f"本轮报送截止日期为{chinese_date(date.fromisoformat(round_row['due_date']))}。" + text
    if late_units:
        text += "。逾期报送的单位：" + "、".join(f"{u.unit}（晚{u.days_late}天）" for u in late_units)
    if silent_units:
        text += "。未报送的单位：" + "、".join(u.unit for u in silent_units)
    blocks.append(Para(text + "。"))

    # 二、比晾晒
    blocks.append(Heading("二、单位比晾晒", 1))
    if standings:
        blocks.append(Para("按报送及时性、承担任务滞后（含逾期）比例、问题化解情况，对各责任单位排序如下。"))
        rows = []
        for u in standings:
            how = u.reporting if u.reporting != LATE else f"逾期{u.days_late}天"
            rows.append(
                [
                    u.rank,
                    u.unit,
                    u.tasks,
                    how,
                    u.behind,
                    pct(u.behind_share, 1),
                    u.problems_raised,
                    u.problems_closed,
                    pct(u.closure_rate, 1),
                ]
            )
        blocks.append(
            Table(
                [
                    "名次",
                    "单位",
                    "承担\n任务",
                    "报送情况",
                    "滞后\n逾期",
                    "滞后\n占比",
                    "问题\n数量",
                    "已化解",
                    "化解率",
                ],
                rows,
                [30, 120, 30, 58, 30, 44, 30, 40, 44],
                frozenset({0, 2, 3, 4, 5, 6, 7, 8}),
            )
        )
        blocks.append(Space(8))
        blocks.append(
            Chart(
                "lights_by_unit",
                "各单位承担任务亮灯情况（项）",
                [u.unit for u in standings],
                list(LIGHTS),
                {u.unit: dict(u.lights) for u in standings},
            )
        )
    else:
        blocks.append(Para("本轮没有分配给单位的任务。"))

    # 三、通报事项
    blocks.append(Heading("三、通报事项", 1))
    if lagging:
        blocks.append(
            Para(f"以下{len(lagging)}项重点工作进度滞后或逾期，予以通报，请牵头单位认真分析原因，倒排工期、加快推进。")
        )
        for n, k in enumerate(lagging, 1):
            r = k.result
            detail = []
            if r.percent is not None and r.expected is not None:
                detail.append(
                    f"完成进度{pct_exact(r.percent)}，序时进度{pct_exact(r.expected)}，"
                    f"滞后{pct_exact(r.behind or 0)[:-1]}个百分点"
                )
            if r.overdue:
                detail.append(f"逾期节点：{'、'.join(r.overdue)}")
            units_behind = [p for p in k.parts if p.status in (BEHIND, OVERDUE, NOT_SUBMITTED) and p.role != "牵头"]
            if units_behind:
                detail.append(
                    "滞后或未报送的责任单位："
                    + "、".join(
                        f"{p.unit}（{p.status if p.result.percent is None else pct_exact(p.result.percent)}）"
                        for p in units_behind
                    )
                )
            lead = k.lead_unit or "无牵头单位"
            blocks.append(
                Para(
                    f"{n}. 第{k.number}项“{k.title}”（牵头单位：{lead}，{r.status}）："
                    f"{'；'.join(detail) or '未报送完成进度'}。"
                )
            )
    else:
        blocks.append(Para("本期没有进度滞后或逾期的重点工作。"))
    if silent_units:
        blocks.append(Para(f"对未按要求报送进展的{'、'.join(u.unit for u in silent_units)}，予以通报提醒。"))

    # 四、问题化解情况
    blocks.append(Heading("四、问题化解情况", 1))
    if problems["raised"]:
        blocks.append(
            Para(
                f"截至{period_phrase(cutoff)}，各单位累计梳理问题{problems['raised']}个，已化解（销号）{problems['closed']}个，"
                f"化解率{pct(problems['rate'], 1)}；尚未化解{problems['open']}个。"
            )
        )
        names = {u.unit_id: u.unit for u in standings}
        names.update({r["id"]: r["name"] for r in db.query("SELECT id, name FROM units")})
        open_units = [(uid, v) for uid, v in per_unit_problems.items() if v["open_items"]]
        if open_units:
            blocks.append(Para("尚未化解的问题按单位分列如下："))
            for n, (uid, v) in enumerate(sorted(open_units, key=lambda kv: -len(kv[1]["open_items"])), 1):
                items = "；".join(
                    f"第{p['number']}项“{p['key_work']}”：{p['text'].rstrip('。；;')}" for p in v["open_items"]
                )
                blocks.append(Para(f"（{n}）{names.get(uid, uid)}（{len(v['open_items'])}个）：{items}。"))
    else:
        blocks.append(Para(f"截至{period_phrase(cutoff)}，问题清单中没有登记问题。"))

    # 五、下步工作要求
    blocks.append(Heading("五、下步工作要求", 1))
    for lead, text in (
        (
            "（一）加快滞后工作推进。",
            "对本期通报的进度滞后、逾期事项，牵头单位要逐项明确整改措施和完成时限，下一轮调度时重点报告整改情况。",
        ),
        (
            "（二）提高报送质量。",
            "各单位要按时、如实报送进展情况，完成进度、存在问题要有具体数据支撑，避免以笼统表述代替实际进展。",
        ),
        (
            "（三）推动问题化解。",
            "对尚未化解的问题，责任单位要建立清单、挂号销号，需要协调的及时提请县领导研究解决。",
        ),
    ):
        # GB/T 9704: a （一） heading in 楷体, the text running on in 仿宋.
        blocks.append(Para(text, lead=lead))
    annex_title = f"{period}重点工作推进情况一览表"
    blocks.append(Space(GB_LEADING))
    blocks.append(Para(f"附件：{annex_title}"))
    blocks.append(Signature(org, issued))

    # 附件
    blocks.append(Annex(annex_title))
    rows = [
        [
            k.number,
            k.category or "",
            k.title,
            k.lead_unit or "—",
            k.result.status,
            LIGHT_WORDS[k.result.light],
            pct_exact(k.result.percent),
            pct_exact(k.result.expected),
        ]
        for k in kws
    ]
    if rows:
        blocks.append(
            Table(
                ["序号", "类别", "重点工作", "牵头单位", "状态", "亮灯", "完成\n进度", "序时\n进度"],
                rows,
                [30, 56, 112, 70, 52, 32, 36, 36],
                frozenset({0, 4, 5, 6, 7}),
            )
        )
    else:
        blocks.append(Para("（无重点工作）"))
    blocks.append(Colophon(fields.cc, fields.printer, fields.printed))

    figures = {
        "round": round_row["id"],
        "key_works": total,
        "key_works_by_status": by_status,
        "milestones": {k: v for k, v in milestones.items() if k != "overdue_items"},
        "reporting": {ON_TIME: reporting.get(ON_TIME, 0), LATE: reporting.get(LATE, 0), NONE: reporting.get(NONE, 0)},
        "problems": problems,
        "ranking": [(u.rank, u.unit) for u in standings],
        "lagging": [k.number for k in lagging],
        "issue_no": issue_no,
        "official": as_dict(fields),
    }
    return Document("bulletin", "official", title, org, blocks, figures=figures)


__all__ = ["bulletin_content", "opening"]

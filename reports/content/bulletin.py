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
from db.ledger import get_meta, set_meta
from db.queries import key_work_states
from db.rounds import get_round
from db.status import BEHIND, DONE, LIGHTS, NOT_STARTED, NOT_SUBMITTED, ON_SCHEDULE, OVERDUE, STATUSES
from reports.content.figures import (
    LATE,
    NONE,
    ON_TIME,
    PARTIAL,
    assignment_states,
    key_work_counts,
    milestone_figures,
    named_items,
    praised_units,
    problem_totals,
    problems_by_unit,
    ranking_method,
    ranking_weights,
    unit_standings,
)
from reports.content.layout import GB_LEADING, LIGHT_WORDS
from reports.content.model import (
    Annex,
    Chart,
    Colophon,
    Document,
    Heading,
    KeepTogether,
    Masthead,
    Para,
    Signature,
    Space,
    Table,
    Title,
)
from reports.content.wording import (
    area_word,
    break_title,
    chinese_date,
    nest_quotes,
    pct,
    pct_exact,
    period_phrase,
    period_title,
)

#: How many lagging units an item names before "等N个单位".
UNITS_NAMED = 5
#: How many open problems the 通报 names in its text (the rest are in the annex).
TOP_PROBLEMS = 5
TOP_PROBLEMS_SETTING = "bulletin_top_problems"
#: The ledger setting holding, per round, the key works the office chose not to name.
OMITTED_SETTING = "bulletin_omitted"


def _count_text(counts: dict[str, int], order=STATUSES, unit: str = "项") -> str:
    return "，".join(f"{'未报送' if s == NOT_SUBMITTED else s}{counts[s]}{unit}" for s in order if counts.get(s))


def opening(area: str, cutoff: date, by_status: dict[str, int], total: int) -> str:
    """Return the opening sentences of 一、总体推进情况, derived from the key works' statuses.

    The verdict follows the share of key works done or on schedule (80 % 进展顺利, 60 %
    平稳有序, else 偏慢); what is behind is said with "但仍有" only after a good verdict, and
    a slow verdict names its cause. No sentence can contradict another
    (``tests/test_bulletin_wording.py`` checks every combination of a grid of figures).
    """
    when = f"截至{period_phrase(cutoff)}"
    if total == 0:
        return f"{when}，台账中尚未登记重点工作。"
    count = {s: by_status.get(s, 0) for s in (DONE, ON_SCHEDULE, BEHIND, OVERDUE, NOT_STARTED, NOT_SUBMITTED)}
    if count[NOT_SUBMITTED] == total:
        return f"{when}，{area}{total}项重点工作的牵头单位均未报送进展，推进情况有待核实。"
    if count[DONE] == total:
        return f"{when}，{area}{total}项重点工作已全部完成。"
    parts = [
        f"{word}{count[status]}项"
        for status, word in (
            (DONE, "已完成"),
            (ON_SCHEDULE, "序时推进"),
            (BEHIND, "进度滞后"),
            (OVERDUE, "逾期未完成"),
            (NOT_STARTED, "尚未启动"),
        )
        if count[status]
    ]
    if count[NOT_SUBMITTED]:
        parts.append(f"另有{count[NOT_SUBMITTED]}项牵头单位未报送进展")
    share = 100.0 * (count[DONE] + count[ON_SCHEDULE]) / total
    lagging = count[BEHIND] + count[OVERDUE]
    verdict = "总体进展顺利" if share >= 80 else "总体平稳有序" if share >= 60 else "总体进度偏慢"
    if lagging and share >= 60:
        tail = f"，但仍有{lagging}项工作进度滞后或逾期，需加力推进"
    elif lagging:
        tail = f"，{lagging}项工作进度滞后或逾期，需加力推进"
    elif share < 60:
        causes = [f"{count[NOT_STARTED]}项尚未启动"] if count[NOT_STARTED] else []
        causes += [f"{count[NOT_SUBMITTED]}项未报送进展"] if count[NOT_SUBMITTED] else []
        tail = "，主要是" + "、".join(causes)
    else:
        tail = ""
    return f"{when}，{area}{total}项重点工作中，{'，'.join(parts)}。已完成和序时推进的占{share:.1f}%，{verdict}{tail}。"


def _item_detail(k, with_units: bool = True) -> str:
    """Return why a key work is named: its figures, overdue milestones, units behind (``with_units``)."""
    r = k.result
    detail = []
    if r.status == NOT_SUBMITTED:
        detail.append("牵头单位未报送进展")
    elif r.status == NOT_STARTED and r.percent is None and r.expected is not None:
        detail.append(f"尚未启动，序时进度{pct_exact(r.expected)}")
    if r.percent is not None and r.expected is not None:
        detail.append(
            f"完成进度{pct_exact(r.percent)}，序时进度{pct_exact(r.expected)}，滞后{pct_exact(r.behind or 0)[:-1]}个百分点"
        )
    if r.overdue:
        detail.append(f"逾期节点：{'、'.join(r.overdue)}")
    elif r.due_soon and r.light == "黄":
        detail.append(f"{'、'.join(r.due_soon)}节点临近")
    units_behind = [p for p in k.parts if p.status in (BEHIND, OVERDUE, NOT_SUBMITTED) and p.role != "牵头"]
    if units_behind and with_units:
        # A handful of names says who to call; a county's 29 townships would fill half a page per item.
        shown = "、".join(
            f"{p.unit}（{p.status if p.result.percent is None else pct_exact(p.result.percent)}）"
            for p in units_behind[:UNITS_NAMED]
        )
        more = f"等{len(units_behind)}个单位" if len(units_behind) > UNITS_NAMED else ""
        detail.append(f"滞后或未报送的责任单位：{shown}{more}")
    return "；".join(detail) or "未报送完成进度"


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
    weights = ranking_weights(db)
    standings = unit_standings(db, states, round_row, weights)
    praised = praised_units(standings)
    red, yellow = named_items(kws)
    omitted = set(omitted_names(db, round_row["id"]))
    red = [k for k in red if k.number not in omitted]
    yellow = [k for k in yellow if k.number not in omitted]
    top_problems = int(get_meta(db, TOP_PROBLEMS_SETTING) or TOP_PROBLEMS)
    reporting = Counter(u.reporting for u in standings)
    problems = problem_totals(db, round_row)
    per_unit_problems = problems_by_unit(db, round_row)

    title = f"关于{period}重点工作推进情况的通报"
    blocks: list = [
        Masthead("重点工作督查通报", issue_no, org, issued, fields.doc_number, fields.signer),
        Title(title, break_title(title)),
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
            # One mention per key work, its overdue milestones together.
            by_work: dict[str, list[dict]] = {}
            for m in milestones["overdue_items"]:
                by_work.setdefault(m["number"], []).append(m)
            names = "；".join(
                f"第{number}项“{ms[0]['title']}”（{'、'.join(m['phrase'] for m in ms)}）"
                for number, ms in by_work.items()
            )
            text += f"。逾期节点为：{names}"
        blocks.append(Para(text + "。"))
    else:
        blocks.append(Para(f"截至{period_phrase(cutoff)}，没有到期的时间节点。"))
    blocks.append(Heading("（三）报送情况。", 2))
    late_units = [u for u in standings if u.reporting == LATE]
    partial_units = [u for u in standings if u.reporting == PARTIAL]
    silent_units = [u for u in standings if u.reporting == NONE]
    text = (
        f"本轮应报送单位{len(standings)}个，按时报送{reporting.get(ON_TIME, 0)}个，"
        f"逾期报送{reporting.get(LATE, 0)}个，"
        + (f"部分事项未报送{reporting.get(PARTIAL, 0)}个，" if partial_units else "")
        + f"未报送{reporting.get(NONE, 0)}个"
    )
    if round_row["due_date"]:
        text = f"本轮报送截止日期为{chinese_date(date.fromisoformat(round_row['due_date']))}。" + text
    if late_units:
        text += "。逾期报送的单位：" + "、".join(f"{u.unit}（晚{u.days_late}天）" for u in late_units)
    if partial_units:
        text += "。部分事项未报送的单位：" + "、".join(f"{u.unit}（{u.missing}项未报）" for u in partial_units)
    if silent_units:
        text += "。未报送的单位：" + "、".join(u.unit for u in silent_units)
    blocks.append(Para(text + "。"))

    # 二、比晾晒
    blocks.append(Heading("二、单位比晾晒", 1))
    if standings:
        blocks.append(Para("按任务推进、报送及时性和问题化解情况，对各责任单位综合评分排序如下。"))
        rows = []
        for u in standings:
            how = f"逾期{u.days_late}天" if u.reporting == LATE else u.reporting
            rows.append(
                [
                    u.rank,
                    u.unit,
                    u.tasks,
                    how,
                    u.behind,
                    pct(u.good_share, 1),
                    u.problems_raised,
                    u.problems_closed,
                    pct(u.closure_rate, 1),
                    f"{u.score:.1f}",
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
                    "完成或\n序时",
                    "问题\n数量",
                    "已化解",
                    "化解率",
                    "综合\n得分",
                ],
                rows,
                [28, 106, 28, 58, 28, 42, 28, 36, 42, 34],
                frozenset({0, 2, 3, 4, 5, 6, 7, 8, 9}),
            )
        )
        blocks.append(Para(ranking_method(weights), "note"))
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
    blocks.append(Heading("（一）表扬。", 2))
    if praised:
        names = "、".join(u.unit for u in praised)
        blocks.append(Para(f"{names}等{len(praised)}个单位承担的任务全部完成或序时推进，且按时报送进展，予以表扬。"))
    else:
        blocks.append(Para("本期没有承担任务全部完成或序时推进且按时报送的单位。"))
    blocks.append(Heading("（二）红灯事项。", 2))
    if red:
        blocks.append(
            Para(
                f"以下{len(red)}项重点工作亮红灯（逾期、严重滞后、到期未启动或牵头单位未报送），予以通报，"
                "请牵头单位认真分析原因，倒排工期、加快推进。"
            )
        )
        judged = [k for k in red if k.result.status != NOT_SUBMITTED]
        for n, k in enumerate(judged, 1):
            lead = k.lead_unit or "无牵头单位"
            blocks.append(
                Para(f"{n}. 第{k.number}项“{k.title}”（牵头单位：{lead}，{k.result.status}）：{_item_detail(k)}。")
            )
        unreported = [k for k in red if k.result.status == NOT_SUBMITTED]
        if unreported:
            # Nothing to say about their figures: named together, each with the unit to call.
            items = "；".join(
                f"第{k.number}项“{k.title}”（牵头单位：{k.lead_unit or '无牵头单位'}）" for k in unreported
            )
            blocks.append(Para(f"{len(judged) + 1}. 以下{len(unreported)}项牵头单位未报送进展：{items}。"))
    else:
        blocks.append(Para("本期没有亮红灯的重点工作。"))
    if yellow:
        blocks.append(Heading("（三）黄灯提醒。", 2))
        items = "；".join(
            f"第{k.number}项“{k.title}”（牵头单位：{k.lead_unit or '无牵头单位'}，{_item_detail(k, with_units=False)}）"
            for k in yellow
        )
        blocks.append(Para(f"以下{len(yellow)}项重点工作亮黄灯，请牵头单位加强调度、防止滞后：{items}。"))
    if silent_units:
        blocks.append(Para(f"对未按要求报送进展的{'、'.join(u.unit for u in silent_units)}，予以通报提醒。"))

    # 四、问题化解情况
    blocks.append(Heading("四、问题化解情况", 1))
    open_items = []
    if problems["raised"]:
        blocks.append(
            Para(
                f"截至{period_phrase(cutoff)}，各单位累计梳理问题{problems['raised']}个，已化解（销号）{problems['closed']}个，"
                f"化解率{pct(problems['rate'], 1)}；尚未化解{problems['open']}个。"
            )
        )
        names = {u.unit_id: u.unit for u in standings}
        names.update({r["id"]: r["name"] for r in db.query("SELECT id, name FROM units")})
        per_unit = sorted(
            per_unit_problems.items(),
            key=lambda kv: (-len(kv[1]["open_items"]), -kv[1]["raised"], names.get(kv[0], "")),
        )
        # Each unit's counts are in the 比晾晒 table; here, the units that hold most of what is open.
        holding = [(uid, v) for uid, v in per_unit if v["open_items"]][:UNITS_NAMED]
        if holding:
            blocks.append(
                Para(
                    "未化解问题较多的单位："
                    + "、".join(f"{names.get(uid, uid)}（{len(v['open_items'])}个）" for uid, v in holding)
                    + "。各单位提出和化解的问题数见单位比晾晒表。"
                )
            )
        red_ids = {k.key_work_id for k in red}
        open_items = [
            {**p, "unit": names.get(uid, uid)} for uid, v in per_unit_problems.items() for p in v["open_items"]
        ]
        # The most important open problems first: on a red-light key work, then the oldest.
        open_items.sort(key=lambda p: (p["key_work_id"] not in red_ids, p["raised_at"] or "", p["id"]))
        top = open_items[:top_problems]
        if top:
            blocks.append(Space(6))
            blocks.append(
                Para(
                    f"尚未化解的主要问题{'（共' + str(len(open_items)) + '个，全部见附件2）' if len(open_items) > len(top) else ''}："
                )
            )
            for n, p in enumerate(top, 1):
                blocks.append(
                    Para(f"（{n}）第{p['number']}项“{p['key_work']}”，{p['unit']}：{p['text'].rstrip('。；;')}。")
                )
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
    problems_title = f"{period}尚未化解问题清单"
    with_problems = len(open_items) > top_problems
    blocks.append(Space(GB_LEADING))
    if with_problems:
        blocks.append(Para(f"附件：1. {annex_title}"))
        blocks.append(Para(f"2. {problems_title}", "annex_more"))
    else:
        blocks.append(Para(f"附件：{annex_title}"))
    blocks.append(Signature(org, issued))

    # 附件
    blocks.append(Annex(annex_title, "附件1" if with_problems else "附件"))
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
    if with_problems:
        blocks.append(Annex(problems_title, "附件2"))
        # Listed by unit, each problem one numbered line with its key work's number (titles are in 附件1):
        # paragraphs lay out at a third of the cost of table cells, which matters at a county's 600.
        by_unit: dict[str, list[dict]] = {}
        for p in sorted(open_items, key=lambda p: (p["unit"], p["raised_at"] or "", p["id"])):
            by_unit.setdefault(p["unit"], []).append(p)
        for unit, items in sorted(by_unit.items(), key=lambda kv: -len(kv[1])):
            blocks.append(Heading(f"{unit}（{len(items)}个）", 3, keep_lines=2))
            # The same problem raised on several key works is one line naming them all.
            same: dict[str, list[dict]] = {}
            for p in items:
                same.setdefault(p["text"].rstrip("。；;"), []).append(p)
            for n, (text, group) in enumerate(same.items(), 1):
                numbers = "、".join(dict.fromkeys(p["number"] for p in group))
                first = min((p["raised_at"] for p in group if p["raised_at"]), default=None)
                raised = f"（{chinese_date(date.fromisoformat(first[:10]))}提出）" if first else ""
                blocks.append(Para(f"{n}. 第{numbers}项：{text}{raised}。"))
    blocks.append(Colophon(fields.cc, fields.printer, fields.printed))
    blocks = with_nested_quotes(blocks)

    figures = {
        "round": round_row["id"],
        "key_works": total,
        "key_works_by_status": by_status,
        "milestones": {k: v for k, v in milestones.items() if k != "overdue_items"},
        "reporting": {key: reporting.get(key, 0) for key in (ON_TIME, LATE, PARTIAL, NONE)},
        "problems": problems,
        "ranking": [(u.rank, u.unit) for u in standings],
        "red": [k.number for k in red],
        "yellow": [k.number for k in yellow],
        "praised": [u.unit for u in praised],
        "issue_no": issue_no,
        "official": as_dict(fields),
    }
    return Document("bulletin", "official", title, org, blocks, figures=figures)


def with_nested_quotes(blocks: list) -> list:
    """Quotes inside quotes become ‘ ’ in every paragraph and heading (a title quoting a campaign)."""
    for block in blocks:
        if isinstance(block, (Para, Heading)):
            block.text = nest_quotes(block.text)
        elif isinstance(block, KeepTogether):
            with_nested_quotes(block.blocks)
    return blocks


def omitted_names(db: sqlite_utils.Database, round_id: str) -> list[str]:
    """Return the numbers of the key works the office chose not to name in this round's 通报."""
    return list((get_meta(db, OMITTED_SETTING) or {}).get(round_id, []))


def save_omitted_names(db: sqlite_utils.Database, round_id: str, numbers: list[str]) -> None:
    """Remember which key works the office unticked for this round's 通报 (the window's choice)."""
    saved = dict(get_meta(db, OMITTED_SETTING) or {})
    saved[round_id] = sorted(set(numbers))
    set_meta(db, OMITTED_SETTING, saved, "gui-reports")


__all__ = ["bulletin_content", "omitted_names", "opening", "save_omitted_names", "with_nested_quotes"]

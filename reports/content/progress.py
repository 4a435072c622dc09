"""季调度进展表: every key work's progress for a round, as one wide table.

Grouped by category (总体任务); per key work the lead unit, the light, the judged status
against 序时进度, each unit's 进展情况 and 存在问题.
"""

from __future__ import annotations

from datetime import date

import sqlite_utils

from db.ledger import get_meta
from db.queries import key_work_states, light_thresholds
from db.rounds import get_round
from db.status import LIGHTS, STATUSES
from reports.content.figures import key_work_counts
from reports.content.layout import LIGHT_SYMBOLS, LIGHT_WORDS
from reports.content.model import (
    CategoryRow,
    Document,
    KeyWorkRow,
    Para,
    ProgressTable,
    Space,
    Subtitle,
    Title,
    UnitEntry,
)
from reports.content.wording import chinese_date, round_label

#: Column titles and widths in points; they add up to the landscape type area (A4 minus 2 × 14 mm).
COLUMNS = (
    ("序号", 30),
    ("重点工作", 118),
    ("牵头单位", 62),
    ("亮灯", 40),
    ("推进状态", 62),
    ("进展情况（各单位）", 287),
    ("存在问题", 162),
)


def _row(kw) -> KeyWorkRow:
    entries, problems = [], []
    for part in kw.parts:
        report = part.report or {}
        role = "" if part.role == "责任" else f"（{part.role}）"
        if not report:
            entries.append(UnitEntry(part.unit, role))
            continue
        entries.append(
            UnitEntry(part.unit, role, report.get("percent"), report.get("progress_text") or "（未填写进展）")
        )
        if (report.get("problems") or "").strip():
            problems.append((part.unit, report["problems"]))
    r = kw.result
    return KeyWorkRow(
        kw.number,
        kw.title,
        kw.lead_unit or "",
        r.light,
        r.status,
        r.percent,
        r.expected,
        entries,
        problems,
        list(r.overdue or []),
    )


def progress_content(db: sqlite_utils.Database, round_id: str) -> Document:
    """Return the 季调度进展表 of a round as content (a closed round is read from its frozen figures)."""
    round_row = get_round(db, round_id)
    kws = key_work_states(db, round_row["id"])
    summary = key_work_counts(kws)
    thresholds = light_thresholds(db)
    org = get_meta(db, "org_name") or "重点工作督办办公室"
    county = get_meta(db, "county") or ""

    label = round_label(round_row)
    state = "已关闭，数据已冻结" if round_row["state"] == "closed" else "进行中"
    title = f"{county}重点工作季调度进展表"
    blocks: list = [
        Title(title),
        Subtitle(f"（{label} · 截至{chinese_date(date.fromisoformat(round_row['cutoff']))} · {state}）"),
    ]
    by_status = summary["key_works_by_status"]
    by_light = summary["key_works_by_light"]
    status_text = "，".join(f"{s}{by_status[s]}项" for s in STATUSES if by_status[s])
    light_text = "，".join(f"{LIGHT_WORDS[light]}{by_light[light]}项" for light in LIGHTS if by_light[light])
    if kws:
        blocks.append(Para(f"重点工作共{summary['key_works']}项：{status_text}。亮灯：{light_text}。", "summary"))
    else:
        blocks.append(Para("本轮次台账中没有重点工作，表格为空。", "summary"))
    blocks.append(
        Para(
            f"亮灯说明：{LIGHT_SYMBOLS['红']}红灯 逾期或落后序时进度{thresholds.red_behind:g}个百分点以上；"
            f"{LIGHT_SYMBOLS['黄']}黄灯 落后{thresholds.yellow_behind:g}～{thresholds.red_behind:g}个百分点或"
            f"{thresholds.due_soon_days}天内有节点到期；{LIGHT_SYMBOLS['绿']}绿灯 序时推进或已完成；"
            f"{LIGHT_SYMBOLS['灰']}未报送。“序时”为按实施阶段已过时间应达到的进度。",
            "summary",
        )
    )
    blocks.append(Space(6))
    rows: list = []
    current_category = object()
    for kw in kws:
        if kw.category != current_category:
            current_category = kw.category
            rows.append(CategoryRow(kw.category or "未分类"))
        rows.append(_row(kw))
    blocks.append(ProgressTable(COLUMNS, rows))
    footer = f"{org} · {label}季调度进展表 · 生成于 {chinese_date(date.today())}"
    figures = {
        "round": round_row["id"],
        "key_works": summary["key_works"],
        "key_works_by_status": by_status,
        "key_works_by_light": by_light,
    }
    return Document("progress", "landscape", title, org, blocks, footer=footer, figures=figures)


__all__ = ["COLUMNS", "progress_content"]

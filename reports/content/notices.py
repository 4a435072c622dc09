"""Notices an office sends one unit: the 催报通知 and the 督办通知单.

* 催报通知 (``duban report notice``): per unit of a round, every item it has not reported
  and every item sent back for changes (with the office's reason), its contact and the new
  deadline. Without a unit, one notice per unit that owes something, each on its own page.
* 督办通知单 (``duban report supervise``): one lagging key work — its status against 序时进度,
  what the units reported, what is required, and the date to reply by.

Both are official documents (GB/T 9704 pages) meant to fit one page and print at 10 pt or more.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlite_utils

from db.documents import as_dict, official_fields, parse_day
from db.errors import DubanError
from db.queries import key_work_states, round_states
from db.rounds import default_round, get_round
from db.status import BEHIND, DONE, NOT_STARTED, NOT_SUBMITTED, OVERDUE
from db.tasks import key_work_id_by_number
from db.units import require_unit
from reports.content.bulletin import with_nested_quotes
from reports.content.model import Document, Heading, PageBreak, Para, Signature, Space, Table, Title
from reports.content.wording import break_title, chinese_date, pct_exact, round_label

#: Working days a unit is given to answer a notice, when the office names no date.
REPLY_DAYS = 3


def _reply_by(given: str | date | None, start: date) -> date:
    return parse_day(given, "报送期限") or start + timedelta(days=REPLY_DAYS)


def _owed(states) -> list[tuple]:
    """Return ``(state, what)`` for each item a unit owes: not reported, or sent back."""
    out = []
    for s in states:
        report = s.report or {}
        if not report.get("submitted_at"):
            out.append((s, "未报送"))
        elif report.get("review") == "returned":
            reason = (report.get("review_comment") or "").strip().rstrip("。")
            out.append((s, f"退回修改：{reason}" if reason else "退回修改"))
    return out


def notice_content(
    db: sqlite_utils.Database,
    round_id: str,
    *,
    unit: str | None = None,
    deadline: str | date | None = None,
    official: dict | None = None,
) -> Document:
    """Return the 催报通知 of a round: for one unit, or for every unit that owes something.

    Args:
        db: the ledger.
        round_id: the round chased.
        unit: the unit's name (or alias); all units that owe something when None.
        deadline: the new deadline, YYYY-MM-DD; by default three days after today.
        official: 公文 fields overriding the ledger's defaults (发文机关, 成文日期 …).

    Raises:
        DubanError: the unit is unknown, or owes nothing.
    """
    round_row = get_round(db, round_id)
    fields = official_fields(db, None, official, numbered=False)
    reply_by = _reply_by(deadline, fields.issued)
    states = round_states(db, round_row["id"], unit_id=require_unit(db, unit) if unit else None)
    by_unit: dict[int, list] = {}
    for s in states:
        by_unit.setdefault(s.unit_id, []).append(s)
    owing = [(unit_states, _owed(unit_states)) for unit_states in by_unit.values()]
    owing = [(unit_states, owed) for unit_states, owed in owing if owed]
    if not owing:
        who = f"“{unit}”" if unit else "各单位"
        raise DubanError(f"{who}本轮（{round_row['id']}）的填报都已报送且未被退回，不需要催报。")
    contacts = {r["id"]: r for r in db.query("SELECT id, name, contact, phone FROM units")}
    label = round_label(round_row)
    due = chinese_date(date.fromisoformat(round_row["due_date"])) if round_row["due_date"] else ""
    title = f"关于报送{label}重点工作进展情况的催报通知"
    blocks: list = []
    for n, (unit_states, owed) in enumerate(owing):
        unit_row = contacts[unit_states[0].unit_id]
        if n:
            blocks.append(PageBreak())
        blocks.append(Title(title, break_title(title)))
        blocks.append(Para(f"{unit_row['name']}：", "addressee"))
        missing = sum(1 for _s, what in owed if what == "未报送")
        returned = len(owed) - missing
        counts = "、".join(
            part
            for part in (f"{missing}项未报送" if missing else "", f"{returned}项被退回修改" if returned else "")
            if part
        )
        blocks.append(
            Para(
                f"按照{label}重点工作调度安排，各责任单位应{f'于{due}前' if due else '按时'}报送承担任务的进展情况。"
                f"截至{chinese_date(fields.issued)}，你单位承担的{len(unit_states)}项任务中，{counts}，具体如下："
            )
        )
        blocks.append(
            Table(
                ["序号", "重点工作", "你单位分工", "情况"],
                [[i, f"第{s.number}项 {s.title}", s.role, what] for i, (s, what) in enumerate(owed, 1)],
                [28, 190, 52, 160],
                frozenset({0, 2}),
            )
        )
        blocks.append(Space(6))
        contact = "、".join(x for x in (unit_row["contact"], unit_row["phone"]) if x)
        blocks.append(
            Para(
                f"请于{chinese_date(reply_by)}前将填报表报送{fields.issuer}；被退回的，请按意见修改后重新报送。"
                "逾期仍未报送的，将在通报中予以通报。"
            )
        )
        blocks.append(
            Para(f"你单位联系人：{contact}。" if contact else "你单位尚未登记联系人，请一并报送联系人及电话。")
        )
        blocks.append(Signature(fields.issuer, fields.issued))
    figures = {
        "round": round_row["id"],
        "units": [contacts[u[0].unit_id]["name"] for u, _o in owing],
        "items": sum(len(o) for _u, o in owing),
        "reply_by": reply_by.isoformat(),
        "official": as_dict(fields),
    }
    return Document("notice", "official", title, fields.issuer, with_nested_quotes(blocks), figures=figures)


def _required(kw, reply_by: date) -> list[str]:
    """Return what the office asks of the lead unit, from the key work's state."""
    r = kw.result
    asks = []
    if r.status == NOT_SUBMITTED:
        asks.append("立即报送本项工作的进展情况、完成进度和存在问题")
    if r.status == NOT_STARTED:
        asks.append("说明尚未启动的原因，明确启动时间和推进计划")
    if r.overdue:
        asks.append(f"对逾期节点（{'、'.join(r.overdue)}）说明原因，提出补救措施和完成时限")
    if r.status in (BEHIND, OVERDUE) and r.percent is not None and r.expected is not None:
        asks.append(f"分析滞后{pct_exact(r.behind or 0)[:-1]}个百分点的原因，倒排工期，确保赶上序时进度")
    asks.append(f"于{chinese_date(reply_by)}前书面反馈整改落实情况")
    return asks


def supervise_content(
    db: sqlite_utils.Database,
    key_work: str,
    *,
    round_id: str | None = None,
    unit: str | None = None,
    deadline: str | date | None = None,
    official: dict | None = None,
) -> Document:
    """Return the 督办通知单 for one lagging key work.

    Args:
        db: the ledger.
        key_work: the key work's number (第N项).
        round_id: the round whose figures are quoted; the newest round by default.
        unit: the unit addressed; the key work's lead unit by default.
        deadline: the date to reply by, YYYY-MM-DD; by default three days after the 成文日期.
        official: 公文 fields overriding the ledger's defaults.

    Raises:
        DubanError: no such key work, or no round.
    """
    if key_work_id_by_number(db, str(key_work)) is None:
        raise DubanError(f"台账里没有第{key_work}项重点工作。可用 duban tasks 查看编号。")
    round_id = round_id or default_round(db)
    if not round_id:
        raise DubanError("台账中还没有任何轮次，无法开具督办通知单。")
    round_row = get_round(db, round_id)
    kw = next(k for k in key_work_states(db, round_row["id"]) if k.number == str(key_work))
    fields = official_fields(db, None, official, numbered=False)
    reply_by = _reply_by(deadline, fields.issued)
    addressee = unit or kw.lead_unit or (kw.parts[0].unit if kw.parts else fields.addressees)
    r = kw.result
    title = "督办通知单"
    state = f"{r.status}"
    if r.percent is not None:
        state += f"，完成进度{pct_exact(r.percent)}"
    if r.expected is not None:
        state += f"，序时进度{pct_exact(r.expected)}"
    if r.behind:
        state += f"，滞后{pct_exact(r.behind)[:-1]}个百分点"
    # Units that reported the same words share a row (a plan handed to every township often does).
    rows: dict[tuple, list[str]] = {}
    for p in kw.parts:
        report = p.report or {}
        if not report.get("submitted_at"):
            key = (p.role, "未报送", "")
        else:
            figure = "" if report.get("percent") is None else f"（{pct_exact(report['percent'])}）"
            key = (p.role, f"{report.get('progress_text') or '未填写进展'}{figure}", report.get("problems") or "无")
        rows.setdefault(key, []).append(p.unit)
    reported = [["、".join(units), role, text, problems] for (role, text, problems), units in rows.items()]
    blocks: list = [
        Title(title),
        Para(f"督办事项：第{kw.number}项“{kw.title}”", "flush"),
        Para(f"{addressee}：", "addressee"),
        Para(
            f"根据{round_label(round_row)}重点工作调度情况，你单位{'牵头' if addressee == kw.lead_unit else '承担'}的"
            f"第{kw.number}项“{kw.title}”目前状态为{state}"
            + (f"，逾期节点：{'、'.join(r.overdue)}" if r.overdue else "")
            + "，现予督办。"
        ),
        Heading("一、各单位报送情况", 1, keep_lines=2),
        Table(["单位", "分工", "进展情况", "存在问题"], reported, [96, 36, 190, 104], frozenset({1})),
        Space(6),
        Heading("二、督办要求", 1, keep_lines=2),
        *[Para(f"{i}. {text}。") for i, text in enumerate(_required(kw, reply_by), 1)],
        Signature(fields.issuer, fields.issued),
    ]
    figures = {
        "round": round_row["id"],
        "key_work": kw.number,
        "status": r.status,
        "addressee": addressee,
        "reply_by": reply_by.isoformat(),
        "done": r.status == DONE,
        "official": as_dict(fields),
    }
    return Document(
        "supervise",
        "official",
        f"{title}（第{kw.number}项）",
        fields.issuer,
        with_nested_quotes(blocks),
        figures=figures,
    )


__all__ = ["REPLY_DAYS", "notice_content", "supervise_content"]

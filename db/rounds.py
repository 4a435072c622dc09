"""Reporting rounds (季调度 / 半年 / 年度 / 专项): opening, closing, freezing, re-opening."""

from __future__ import annotations

import re
from datetime import date

import sqlite_utils

from db.errors import DubanError, RoundClosedError
from db.ledger import audit, now_iso

ROUND_KINDS = ("季度", "半年", "年度", "专项")
_ROUND_ID = re.compile(r"^(20\d\d)(Q[1-4]|H[12]|Y|S\d{1,2})$")


def parse_round_id(round_id: str) -> tuple[int, str, date | None]:
    """Return (year, kind, default cut-off) for a round id such as ``2024Q2``.

    Accepted: ``2024Q1``–``2024Q4`` (季度), ``2024H1``/``2024H2`` (半年), ``2024Y`` (年度),
    ``2024S1`` … (专项, which needs an explicit cut-off).
    """
    text = (round_id or "").strip().upper()
    m = _ROUND_ID.match(text)
    if not m:
        raise DubanError(
            f"轮次编号“{round_id}”格式不对。应写成 2024Q2（季度）、2024H1（半年）、2024Y（年度）或 2024S1（专项）。"
        )
    year, part = int(m.group(1)), m.group(2)
    if part.startswith("Q"):
        month = int(part[1]) * 3
        day = 31 if month in (3, 12) else 30
        return year, "季度", date(year, month, day)
    if part.startswith("H"):
        return year, "半年", date(year, 6, 30) if part == "H1" else date(year, 12, 31)
    if part == "Y":
        return year, "年度", date(year, 12, 31)
    return year, "专项", None


def normalise_round_id(round_id: str) -> str:
    """Return the canonical spelling of a round id (upper case, trimmed), validating it."""
    parse_round_id(round_id)
    return round_id.strip().upper()


def get_round(db: sqlite_utils.Database, round_id: str) -> dict:
    """Return a round's row, or raise a user-facing error naming the rounds that exist."""
    rid = normalise_round_id(round_id)
    row = db.execute("SELECT * FROM rounds WHERE id = ?", [rid]).fetchone()
    if row is None:
        known = [r[0] for r in db.execute("SELECT id FROM rounds ORDER BY cutoff")]
        hint = f"现有轮次：{'、'.join(known)}。" if known else "台账中还没有任何轮次。"
        raise DubanError(f"没有轮次“{rid}”。{hint}")
    cols = [d[0] for d in db.execute("SELECT * FROM rounds LIMIT 0").description]
    return dict(zip(cols, row, strict=True))


def list_rounds(db: sqlite_utils.Database) -> list[dict]:
    """Return every round, oldest cut-off first."""
    return list(db.query("SELECT * FROM rounds ORDER BY cutoff, id"))


def rounds_newest_first(db: sqlite_utils.Database) -> list[dict]:
    """Return every round, newest cut-off first (as the window lists them)."""
    return list(db.query("SELECT * FROM rounds ORDER BY cutoff DESC, id DESC"))


def suggest_next_round(db: sqlite_utils.Database, today: date | None = None) -> str:
    """Propose the id of the next quarterly round: the quarter after the newest one, else today's quarter."""
    row = db.execute("SELECT id FROM rounds WHERE id GLOB '20[0-9][0-9]Q[1-4]' ORDER BY id DESC LIMIT 1").fetchone()
    if not row:
        today = today or date.today()
        return f"{today.year}Q{(today.month - 1) // 3 + 1}"
    year, quarter = int(row[0][:4]), int(row[0][5])
    return f"{year + 1}Q1" if quarter == 4 else f"{year}Q{quarter + 1}"


def open_round(
    db: sqlite_utils.Database,
    round_id: str,
    cutoff: date | None = None,
    kind: str | None = None,
    due_date: date | None = None,
    source: str = "manual",
) -> dict:
    """Open a new reporting round.

    Args:
        round_id: e.g. ``2024Q3``.
        cutoff: the date progress is measured at; defaults to the end of the quarter or half.
        kind: 季度 / 半年 / 年度 / 专项; defaults from the id.
        due_date: when units must have reported (for on-time/late figures); defaults to
            ten days after the cut-off.
    """
    year, default_kind, default_cutoff = parse_round_id(round_id)
    rid = round_id.strip().upper()
    cutoff = cutoff or default_cutoff
    if cutoff is None:
        raise DubanError(f"专项轮次“{rid}”需要给出截止日期，例如 --cutoff 2024-08-31。")
    kind = kind or default_kind
    if kind not in ROUND_KINDS:
        raise DubanError(f"轮次类型只能是 {'、'.join(ROUND_KINDS)}。")
    if db.execute("SELECT 1 FROM rounds WHERE id = ?", [rid]).fetchone():
        raise DubanError(f"轮次“{rid}”已经存在。")
    if due_date is None:
        due_date = date.fromordinal(cutoff.toordinal() + 10)
    row = {
        "id": rid,
        "year": year,
        "kind": kind,
        "cutoff": cutoff.isoformat(),
        "due_date": due_date.isoformat(),
        "state": "open",
        "opened_at": now_iso(),
    }
    with db.atomic():
        db["rounds"].insert(row)
        audit(db, "rounds", rid, None, None, row, source)
    return row


def ensure_round_open(db: sqlite_utils.Database, round_id: str) -> dict:
    """Return the round if it is open; raise :class:`RoundClosedError` if it is closed."""
    row = get_round(db, round_id)
    if row["state"] != "open":
        raise RoundClosedError(f"轮次“{row['id']}”已关闭，数据已冻结；如需改动，请先重新打开该轮次（会记入日志）。")
    return row


def default_round(db: sqlite_utils.Database, *, open_only: bool = False) -> str | None:
    """Return the round to show or report on when none is chosen: the newest open one, else the newest.

    Args:
        open_only: None rather than a closed round when no round is open.
    """
    where = "WHERE state = 'open' " if open_only else ""
    row = db.execute(f"SELECT id FROM rounds {where}ORDER BY state = 'open' DESC, cutoff DESC LIMIT 1").fetchone()
    return row[0] if row else None


def previous_round(db: sqlite_utils.Database, round_id: str) -> dict | None:
    """Return the round with the latest cut-off before this one's, if any."""
    row = get_round(db, round_id)
    found = list(
        db.query(
            "SELECT * FROM rounds WHERE cutoff < ? OR (cutoff = ? AND id < ?) ORDER BY cutoff DESC, id DESC LIMIT 1",
            [row["cutoff"], row["cutoff"], row["id"]],
        )
    )
    return found[0] if found else None

"""The 公文 fields of the documents an office issues, and how their defaults are chosen.

Each ledger keeps its own defaults (settings): 发文机关, 文号, 主送, 抄送, 印发机关, 签发人;
a report may override any of them. The dates and the 期号 are worked out per report:

* 成文日期: the round's report deadline (the day the figures were due), else the day the
  round was closed, else its cut-off — never the day the file happens to be printed, so a
  2024 上半年 通报 printed again in 2026 still carries its 2024 date.
* 印发日期: the 成文日期 unless given.
* 期号: counted per year. The first 通报 written for a year is 第1期; each round keeps the
  number it was given, so printing it again gives the same number, and a new round of the
  same year gets the next one.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import date

import sqlite_utils

from db.errors import DubanError
from db.ledger import get_meta, set_meta

#: The ledger setting holding the defaults (a JSON object of the keys of :data:`TEXT_FIELDS`).
SETTING = "official_fields"
#: The ledger setting holding each year's issue numbers: ``{"2024": {"2024Q2": 1}}``.
ISSUES_SETTING = "bulletin_issue_numbers"

#: The text fields an office sets once per ledger: (key, label, command-line option, help).
TEXT_FIELDS = (
    ("issuer", "发文机关", "--org", "发文机关，默认台账设置中的单位名称"),
    ("doc_number", "文号", "--doc-number", "发文字号，如 示督办〔2024〕3号（可不填）"),
    ("addressees", "主送", "--to", "主送机关，默认“各乡镇（街道），县级各有关单位”"),
    ("cc", "抄送", "--cc", "抄送机关，多个用顿号隔开（可不填）"),
    ("printer", "印发机关", "--printer", "印发机关，默认同发文机关"),
    ("signer", "签发人", "--signer", "签发人（可不填）"),
)
#: The date fields a report may override: (key, label, command-line option, help).
DATE_FIELDS = (
    ("issued", "成文日期", "--date", "成文日期 YYYY-MM-DD，默认本轮报送截止日期"),
    ("printed", "印发日期", "--printed", "印发日期 YYYY-MM-DD，默认同成文日期"),
)


@dataclass
class OfficialFields:
    """The 公文 fields one document prints."""

    issuer: str
    issued: date
    addressees: str
    printer: str
    printed: date
    issue_no: int | None = None
    doc_number: str = ""
    cc: str = ""
    signer: str = ""
    extra: dict = field(default_factory=dict)


def _level(county: str) -> str:
    for suffix in ("县", "市", "区", "旗"):
        if county.endswith(suffix):
            return suffix
    return "县"


def default_addressees(db: sqlite_utils.Database) -> str:
    """Return the usual 主送 of a county's documents: 各乡镇（街道），县级各有关单位."""
    return f"各乡镇（街道），{_level(get_meta(db, 'county') or '')}级各有关单位"


def official_defaults(db: sqlite_utils.Database) -> dict[str, str]:
    """Return the ledger's default text fields, the built-in defaults filled in."""
    saved = get_meta(db, SETTING) or {}
    issuer = saved.get("issuer") or get_meta(db, "org_name") or "重点工作督办办公室"
    return {
        "issuer": issuer,
        "doc_number": saved.get("doc_number") or "",
        "addressees": saved.get("addressees") or default_addressees(db),
        "cc": saved.get("cc") or "",
        "printer": saved.get("printer") or issuer,
        "signer": saved.get("signer") or "",
    }


def save_official_defaults(db: sqlite_utils.Database, values: dict[str, str | None], source: str = "settings") -> dict:
    """Store the ledger's default text fields (empty values fall back to the built-in defaults).

    Raises:
        DubanError: a key that is not a 公文 field.
    """
    known = {key for key, *_rest in TEXT_FIELDS}
    unknown = sorted(set(values) - known)
    if unknown:
        raise DubanError(f"没有名为“{'、'.join(unknown)}”的公文字段。")
    saved = dict(get_meta(db, SETTING) or {})
    for key, value in values.items():
        text = (value or "").strip()
        if text:
            saved[key] = text
        else:
            saved.pop(key, None)
    set_meta(db, SETTING, saved, source)
    return official_defaults(db)


def default_issued(round_row: dict) -> date:
    """Return a round's 成文日期: its report deadline, else its close date, else its cut-off."""
    for value in (round_row.get("due_date"), (round_row.get("closed_at") or "")[:10], round_row.get("cutoff")):
        if value:
            return date.fromisoformat(value[:10])
    return date.today()


def issue_number(db: sqlite_utils.Database, round_row: dict, given: int | None = None, remember: bool = True) -> int:
    """Return a round's 期号, counted within its year, and remember it.

    Args:
        db: the ledger.
        round_row: the round the 通报 reports on.
        given: the number the office chose; it replaces the remembered one.
        remember: store the number so that the next round of the year continues from it.
    """
    year = str(round_row["year"])
    numbers = dict(get_meta(db, ISSUES_SETTING) or {})
    of_year = dict(numbers.get(year) or {})
    number = given or of_year.get(round_row["id"]) or max(of_year.values(), default=0) + 1
    if remember and of_year.get(round_row["id"]) != number:
        of_year[round_row["id"]] = number
        numbers[year] = of_year
        try:
            set_meta(db, ISSUES_SETTING, numbers, "report")
        except (sqlite3.DatabaseError, DubanError):
            pass  # a read-only ledger still prints; the number is just not remembered
    return number


def parse_day(value: str | date | None, label: str) -> date | None:
    """Return a date given as YYYY-MM-DD (or a date), None for empty; a user-facing error otherwise."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise DubanError(f"{label}“{value}”不是日期，请写成 2024-07-10 这样。") from None


def official_fields(
    db: sqlite_utils.Database,
    round_row: dict | None,
    overrides: dict | None = None,
    *,
    numbered: bool = True,
) -> OfficialFields:
    """Return the 公文 fields of one document: the overrides, else the ledger's defaults.

    Args:
        db: the ledger.
        round_row: the round reported on (for the 成文日期 and the 期号), None for a document
            about no round (then the 成文日期 defaults to today).
        overrides: any of the keys of :data:`TEXT_FIELDS` and :data:`DATE_FIELDS`, and
            ``issue_no``; None or "" keeps the default.
        numbered: whether the document carries a 期号.
    """
    overrides = {k: v for k, v in (overrides or {}).items() if v not in (None, "")}
    values = official_defaults(db)
    if "issuer" in overrides and "printer" not in overrides and not (get_meta(db, SETTING) or {}).get("printer"):
        values["printer"] = overrides["issuer"]
    values.update({k: str(v).strip() for k, v in overrides.items() if k in values})
    issued = parse_day(overrides.get("issued"), "成文日期") or (
        default_issued(round_row) if round_row else date.today()
    )
    printed = parse_day(overrides.get("printed"), "印发日期") or issued
    issue_no = None
    if numbered and round_row is not None:
        issue_no = issue_number(db, round_row, overrides.get("issue_no"))
    return OfficialFields(issued=issued, printed=printed, issue_no=issue_no, **values)


def as_dict(fields: OfficialFields) -> dict:
    """Return the fields as plain values (dates as ISO text), e.g. for a report's figures."""
    out = asdict(fields)
    out["issued"] = fields.issued.isoformat()
    out["printed"] = fields.printed.isoformat()
    out.pop("extra")
    return out


__all__ = [
    "DATE_FIELDS",
    "TEXT_FIELDS",
    "OfficialFields",
    "as_dict",
    "default_addressees",
    "default_issued",
    "issue_number",
    "official_defaults",
    "official_fields",
    "parse_day",
    "save_official_defaults",
]

"""The unit registry: names, kinds, aliases, and never merging two units silently."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import sqlite_utils

from db.errors import DubanError
from db.ledger import audit, insert_audited
from db.schema import UNIT_ID_TABLES
from db.text import name_key, squash_spaces, to_halfwidth

UNIT_KINDS = ("部门", "乡镇街道", "其他")
_TOWNSHIP_SUFFIXES = ("乡", "镇", "街道", "街道办事处", "乡人民政府", "镇人民政府")


def clean_unit_name(raw: str) -> str:
    """Return a unit name as it should be stored: trimmed, no stray or full-width spaces.

    Full-width brackets are kept (they are how Chinese documents write 市国资委（国投集团）),
    but full-width digits and Latin letters become ordinary ones.
    """
    text = squash_spaces(to_halfwidth(raw or "")).strip("*＊ ")
    # Documents set the same note in （）, (), 〈〉 or <>; one spelling keeps one unit.
    for opening, closing in (("(", ")"), ("〈", "〉"), ("<", ">"), ("［", "］"), ("[", "]")):
        text = text.replace(opening, "（").replace(closing, "）")
    # A space between two Chinese characters is always an accident of copy and paste.
    out = []
    for i, ch in enumerate(text):
        if ch == " " and 0 < i < len(text) - 1 and not (text[i - 1].isascii() and text[i + 1].isascii()):
            continue
        out.append(ch)
    return "".join(out)


def guess_unit_kind(name: str) -> str:
    """Guess whether a unit is a township (乡镇街道) from its name."""
    base = clean_unit_name(name)
    if base.endswith(_TOWNSHIP_SUFFIXES):
        return "乡镇街道"
    return "部门"


@dataclass(frozen=True)
class UnitMatch:
    """How a name found in a document relates to the registry."""

    name: str
    unit_id: int | None
    via_alias: bool = False
    proposals: tuple[str, ...] = ()


def find_unit(db: sqlite_utils.Database, name: str) -> int | None:
    """Return the id of the unit called ``name`` or known by it as an alias, else None."""
    key = name_key(clean_unit_name(name))
    row = db.execute("SELECT id FROM units WHERE name_key = ?", [key]).fetchone()
    if row:
        return row[0]
    row = db.execute("SELECT unit_id FROM unit_aliases WHERE alias_key = ?", [key]).fetchone()
    return row[0] if row else None


def require_unit(db: sqlite_utils.Database, name: str) -> int:
    """Like :func:`find_unit` but raise a user-facing error for an unknown name."""
    unit_id = find_unit(db, name)
    if unit_id is None:
        proposals = propose_units(db, name)
        hint = f"（是否指：{'、'.join(proposals)}？）" if proposals else ""
        raise DubanError(f"台账里没有单位“{name}”{hint}。可用 duban units 查看全部单位。")
    return unit_id


def _abbreviation_score(short: str, long: str) -> float:
    """Score how well ``short`` reads as an abbreviation of ``long`` (市经信局 → 市经济和信息化局)."""
    if not short or not long or len(short) >= len(long):
        return 0.0
    pos = 0
    for ch in short:
        pos = long.find(ch, pos)
        if pos < 0:
            return 0.0
        pos += 1
    same_ends = (short[0] == long[0]) + (short[-1] == long[-1])
    return 0.55 + 0.15 * same_ends + 0.15 * len(short) / len(long)


_LEVEL_PREFIXES = ("省", "市", "县", "区")
_KIND_SUFFIXES = ("委员会", "办公室", "分局", "中心", "局", "委", "办")


def _core(key: str) -> str:
    """Strip the level prefix and the kind suffix from a name key (县财政局 → 财政)."""
    if key[:1] in _LEVEL_PREFIXES:
        key = key[1:]
    for suffix in _KIND_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


#: The levels a unit name may start with (a county ledger meets 市 and 县 names).
_LEVELS = ("市", "县", "区")
#: Last characters that end a whole office name: one more kind suffix makes another office (市委 → 市委办).
_WHOLE_NAME_ENDINGS = set("委府局院部厅")
#: Two names scoring at least this probably mean one office (a hint for a person, never applied).
SAME_UNIT_SCORE = 0.6


def _level(key: str) -> str:
    """Return a name key's level prefix (市/县/区), or "" when it has none."""
    return key[0] if key[:1] in _LEVELS and len(key) > 2 else ""


def unit_name_score(key: str, other: str) -> float:
    """Score (0–1) how likely two unit name keys mean one office: the one heuristic for unit names.

    What distinguishes offices is compared, not the level prefix and kind suffix they all share
    (县行政审批局 and 县财政局 have 县…政…局 in common and nothing else); an abbreviation keeps
    its characters in order (市经信局 → 市经济和信息化局); a name may leave its level off
    (经信局 / 市经信局). Names of two levels (市财政局 / 县财政局) are two offices.
    """
    if not key or not other:
        return 0.0
    if _level(key) and _level(other) and _level(key) != _level(other):
        return 0.0
    short, long = sorted((key, other), key=len)
    if long.startswith(short) and short[-1] in _WHOLE_NAME_ENDINGS and long[len(short) :] in _KIND_SUFFIXES:
        return 0.0  # 市委 / 市委办, 县政府 / 县政府办: each a whole name, two offices
    core, other_core = _core(key), _core(other)
    if core and other_core:
        score = difflib.SequenceMatcher(None, core, other_core).ratio()
    else:
        score = difflib.SequenceMatcher(None, key, other).ratio()
    score = max(score, _abbreviation_score(key, other), _abbreviation_score(other, key))
    # "经信局" vs "市经信局": the same office with or without its level prefix.
    for prefix in _LEVELS:
        if prefix + key == other or key == prefix + other:
            score = max(score, 0.95)
    return score


def probably_same_unit(name: str, other: str) -> bool:
    """Return True when two different unit names probably mean one office (see :func:`unit_name_score`)."""
    key, other_key = name_key(clean_unit_name(name)), name_key(clean_unit_name(other))
    return key != other_key and unit_name_score(key, other_key) >= SAME_UNIT_SCORE


def propose_units(db: sqlite_utils.Database, name: str, limit: int = 3) -> tuple[str, ...]:
    """Return existing unit names that ``name`` may mean, best first (never applied silently)."""
    key = name_key(clean_unit_name(name))
    best: dict[str, float] = {}
    # Aliases count too: 县发改委 should find 县发展和改革局 through its alias 县发改局.
    candidates = db.execute(
        "SELECT name, name_key FROM units UNION ALL "
        "SELECT u.name, a.alias_key FROM unit_aliases a JOIN units u ON u.id = a.unit_id"
    )
    for unit_name, unit_key in candidates:
        score = unit_name_score(key, unit_key)
        if score >= SAME_UNIT_SCORE and score > best.get(unit_name, 0.0):
            best[unit_name] = score
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    return tuple(name for name, _score in ranked[:limit])


def match_unit(db: sqlite_utils.Database, name: str) -> UnitMatch:
    """Look a name up in the registry and propose close names when it is unknown."""
    cleaned = clean_unit_name(name)
    key = name_key(cleaned)
    row = db.execute("SELECT id FROM units WHERE name_key = ?", [key]).fetchone()
    if row:
        return UnitMatch(cleaned, row[0])
    row = db.execute("SELECT unit_id FROM unit_aliases WHERE alias_key = ?", [key]).fetchone()
    if row:
        return UnitMatch(cleaned, row[0], via_alias=True)
    return UnitMatch(cleaned, None, proposals=propose_units(db, cleaned))


def add_unit(
    db: sqlite_utils.Database,
    name: str,
    kind: str | None = None,
    contact: str | None = None,
    phone: str | None = None,
    source: str = "manual",
) -> int:
    """Register a unit; refuse a name that is already a unit or an alias."""
    cleaned = clean_unit_name(name)
    if not cleaned:
        raise DubanError("单位名称不能为空。")
    kind = kind or guess_unit_kind(cleaned)
    if kind not in UNIT_KINDS:
        raise DubanError(f"单位类型只能是 {'、'.join(UNIT_KINDS)}，不能是“{kind}”。")
    existing = find_unit(db, cleaned)
    if existing is not None:
        raise DubanError(f"单位“{cleaned}”已在台账中（或是某单位的别名），未重复添加。")
    order = db.execute("SELECT COALESCE(MAX(sort_order), 0) + 1 FROM units").fetchone()[0]
    return insert_audited(
        db,
        "units",
        {
            "name": cleaned,
            "name_key": name_key(cleaned),
            "kind": kind,
            "contact": contact,
            "phone": phone,
            "sort_order": order,
        },
        source,
    )


def add_alias(db: sqlite_utils.Database, unit_id: int, alias: str, source: str = "manual") -> None:
    """Make ``alias`` resolve to the unit; refuse an alias that already means another unit."""
    cleaned = clean_unit_name(alias)
    key = name_key(cleaned)
    holder = find_unit(db, cleaned)
    if holder is not None and holder != unit_id:
        other = db["units"].get(holder)["name"]
        raise DubanError(f"“{cleaned}”已经指向单位“{other}”，不能再作为别的单位的别名；如确为同一单位，请合并单位。")
    if holder == unit_id:
        return
    with db.atomic():
        db["unit_aliases"].insert({"alias_key": key, "alias": cleaned, "unit_id": unit_id})
        audit(db, "unit_aliases", key, "unit_id", None, unit_id, source)


def merge_units(db: sqlite_utils.Database, keep_id: int, merge_id: int, source: str = "manual") -> None:
    """Merge unit ``merge_id`` into ``keep_id``: its assignments, problems and name move over.

    The merged unit's name becomes an alias of the kept one. Where both units hold an
    assignment on the same key work the merge is refused, because one of the two
    reports would have to be thrown away and that is the user's decision.
    """
    if keep_id == merge_id:
        raise DubanError("不能把单位与自己合并。")
    keep = db["units"].get(keep_id)
    gone = db["units"].get(merge_id)
    clash = db.execute(
        "SELECT k.number FROM assignments a JOIN assignments b ON a.key_work_id = b.key_work_id "
        "JOIN key_works k ON k.id = a.key_work_id WHERE a.unit_id = ? AND b.unit_id = ?",
        [keep_id, merge_id],
    ).fetchall()
    if clash:
        numbers = "、".join(r[0] for r in clash)
        raise DubanError(
            f"“{gone['name']}”和“{keep['name']}”同时承担第 {numbers} 项工作，合并会丢失其中一方的填报；"
            "请先删除其中一方的分工再合并。"
        )
    with db.atomic():
        for table in UNIT_ID_TABLES:
            db.execute(f"UPDATE {table} SET unit_id = ? WHERE unit_id = ?", [keep_id, merge_id])
        db["units"].delete(merge_id)
        db["unit_aliases"].insert(
            {"alias_key": gone["name_key"], "alias": gone["name"], "unit_id": keep_id}, replace=True
        )
        audit(db, "units", merge_id, "merged_into", gone, keep_id, source)


def township_ids(db: sqlite_utils.Database) -> list[int]:
    """Return the ids of every township unit (各乡镇（街道）)."""
    return [r[0] for r in db.execute("SELECT id FROM units WHERE kind = '乡镇街道' ORDER BY sort_order, id")]


def units_in_order(db: sqlite_utils.Database, *, townships_last: bool = True) -> list[tuple[str, int]]:
    """Return ``(name, id)`` of every unit in the registry's order (departments first unless told otherwise)."""
    order = "kind = '乡镇街道', sort_order, id" if townships_last else "sort_order, id"
    return [(r[0], r[1]) for r in db.execute(f"SELECT name, id FROM units ORDER BY {order}")]


def unit_registry_rows(db: sqlite_utils.Database, *, by_kind_name: bool = False) -> list[dict]:
    """Return every unit with its aliases (joined by 、) and how many assignments it holds.

    Args:
        by_kind_name: order by the kind's name (the CLI's listing) instead of departments first.
    """
    order = "u.kind" if by_kind_name else "u.kind = '乡镇街道'"
    return list(
        db.query(
            "SELECT u.id, u.name, u.kind, u.contact, u.phone, "
            "(SELECT group_concat(alias, '、') FROM unit_aliases WHERE unit_id = u.id) AS aliases, "
            "(SELECT COUNT(*) FROM assignments WHERE unit_id = u.id) AS assignments "
            f"FROM units u ORDER BY {order}, u.sort_order, u.id"
        )
    )


def first_unit_name(db: sqlite_utils.Database) -> str | None:
    """Return the name of some unit of the registry (the first stored), or None when it is empty."""
    row = db.execute("SELECT name FROM units").fetchone()
    return row[0] if row else None


def merged_into(db: sqlite_utils.Database, unit_id: int) -> int | None:
    """The unit that ``unit_id`` was merged into (following later merges too), or None.

    A handoff exported before two units were merged still names the merged unit; its return
    belongs to the unit it was merged into.
    """
    current, seen = unit_id, set()
    while current not in seen:
        seen.add(current)
        if db.execute("SELECT 1 FROM units WHERE id = ?", [current]).fetchone():
            return current if current != unit_id else None
        row = db.execute(
            "SELECT new_value FROM audit_log WHERE table_name = 'units' AND row_id = ? AND field = 'merged_into' "
            "ORDER BY id DESC LIMIT 1",
            [str(current)],
        ).fetchone()
        if row is None:
            return None
        try:
            current = int(row[0])
        except (TypeError, ValueError):
            return None
    return None

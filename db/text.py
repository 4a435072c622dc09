"""Text clean-up shared by every reader: full-width forms, stray spaces, numbers."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def to_halfwidth(text: str) -> str:
    """Turn full-width ASCII (digits, letters, ％, ：) into ordinary characters.

    Chinese punctuation such as 、，。 is left as it is; only the FF01–FF5E block and the
    ideographic space are folded, so names keep their look.
    """
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        elif ch == "\u3000":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def squash_spaces(text: str) -> str:
    """Collapse runs of any kind of white space into one ordinary space and trim (hidden characters go too)."""
    return _SPACES.sub(" ", clean_text(text)).strip()


def remove_spaces(text: str) -> str:
    """Remove all white space (Chinese names never contain spaces on purpose) and hidden characters."""
    return _SPACES.sub("", clean_text(text))


def name_key(text: str) -> str:
    """Return the comparison key of a unit or person name.

    Full-width and half-width forms, brackets and spaces compare equal:
    ``"市国资委（国投集团）"`` and ``"市国资委 (国投集团)"`` have the same key.
    """
    return remove_spaces(unicodedata.normalize("NFKC", text or "")).lower()


def chinese_number(text: str) -> int | None:
    """Parse a Chinese or Arabic whole number: ``"十二"`` → 12, ``"３"`` → 3, ``"二十五"`` → 25."""
    text = to_halfwidth(text.strip())
    if not text:
        return None
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
        else:
            return None
    return total + current


def shown_time(stamp: str | None) -> str:
    """Return an ISO time stamp as a clerk writes it (2024-10-08 09:30:00), never with a "T"."""
    return (stamp or "").replace("T", " ")


# Characters that never belong in a clerk's text. Tab and newline are kept (a carriage return
# becomes a newline); every other C0 control (a vertical tab or form feed pasted from Word or
# pdftotext), DEL and the C1 controls are removed, and so are the bidirectional controls
# (U+202A–U+202E embeddings/overrides, U+2066–U+2069 isolates, the LRM/RLM/ALM marks): an
# override can make a unit name read backwards on screen and in file names. Noncharacters and
# lone surrogates (which no file format can carry) go too.
_HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]"
)
_HIDDEN_NAMES = {
    "\x0b": "垂直制表符",
    "\x0c": "换页符",
    "\x00": "空字符",
    "\x07": "响铃符",
    "\x08": "退格符",
    "\x1b": "转义符",
}


def hidden_characters(text: str | None) -> list[str]:
    """The characters :func:`clean_text` would remove from ``text``, in order."""
    return _HIDDEN.findall(text) if text else []


def clean_text(text: str | None) -> str | None:
    """Clean text on its way into the ledger (returns, task lists, typed forms).

    Line ends become newlines; control characters other than tab and newline, bidirectional
    overrides and marks, noncharacters and lone surrogates are removed. Nothing else changes
    (spaces, full-width forms and Unicode normalisation are each reader's own rule).
    """
    if text is None:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Most texts hold nothing to remove: one search, no copy.
    return _HIDDEN.sub("", text) if _HIDDEN.search(text) else text


def hidden_characters_note(label: str, text: str | None) -> str | None:
    """One clause telling the clerk what :func:`clean_text` removed from a field, or None.

    Example: ``“进展情况”中 2 个看不见的控制字符（垂直制表符）已删除``.
    """
    found = hidden_characters((text or "").replace("\r", ""))
    if not found:
        return None
    names = sorted({_HIDDEN_NAMES.get(ch, "控制字符" if ord(ch) < 0x200 else "文字方向控制符") for ch in found})
    return f"“{label}”中 {len(found)} 个看不见的字符（{'、'.join(names)}）已删除"


#: Marks that only end a clause: dropped at the end of a part before :func:`join_clauses`
#: puts its own separator there (a question or exclamation mark means something and stays).
_CLAUSE_ENDS = "。；，、;,.：:　 \t\n"


def join_clauses(parts, separator: str = "；", end: str = "") -> str:
    r"""Join measures, targets or clauses into one sentence without doubled punctuation.

    Each part loses the clause-ending marks it was written with (``落实清单。``), empty parts are
    skipped, the parts are joined by ``separator`` and ``end`` closes the whole when there is
    anything to close. A line break as the separator keeps each part as it was written (one
    measure a line reads fine with its own full stop).

    Args:
        parts: the texts (None and blank ones are skipped).
        separator: what goes between two parts (``；``, ``，``, ``、`` or a line break).
        end: what closes the joined text (``。`` or nothing).

    Example: ``join_clauses(["建立问题清单。", "对企业反映问题实行闭环管理。"], end="。")``
    gives ``建立问题清单；对企业反映问题实行闭环管理。``.
    """
    texts = [str(p).strip() for p in parts or () if p is not None and str(p).strip()]
    if separator.strip() and separator.strip() in _CLAUSE_ENDS:
        texts = [t.rstrip(_CLAUSE_ENDS) for t in texts]
        texts = [t for t in texts if t]
    if not texts:
        return ""
    joined = separator.join(texts)
    if end and not joined.endswith((end, "？", "！", "?", "!")):
        joined = joined.rstrip(_CLAUSE_ENDS) + end
    return joined

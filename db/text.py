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
    """Collapse runs of any kind of white space into one ordinary space and trim."""
    return _SPACES.sub(" ", text).strip()


def remove_spaces(text: str) -> str:
    """Remove all white space (Chinese names never contain spaces on purpose)."""
    return _SPACES.sub("", text)


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

"""Chinese line breaking (标点避头尾) for reportlab paragraphs.

reportlab's CJK wrapping knows only a short, mostly Japanese list of characters that
cannot start a line, so ，：；！？》” may open a line; and where it does honour the rule it
lets the mark hang past the right edge, which pushes text out of a table cell. The
replacement below keeps every line inside its width and instead carries the last
character(s) of the line down with the mark (推入), never ends a line on an opening
bracket or quote, and keeps Latin words and numbers (2024, 5G, REITs, 35.1%) whole
unless a single word is wider than the line.

:func:`install` patches ``reportlab.lib.textsplit`` and ``reportlab.platypus.paragraph``
(both hold a copy of the rule set); every report module calls it before building.
"""

from __future__ import annotations

from unicodedata import category

from reportlab.lib import textsplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import paragraph as rl_paragraph
from reportlab.rl_config import _FUZZ

#: Marks that must not begin a line (GB/T 15834 标点符号用法 plus reportlab's own list).
CANNOT_START = (
    "，。、；：！？）》」』】〕〗〉”’…—～·%‰℃°′″,.;:!?)]}>'\"、﹐﹑﹒﹔﹕﹖﹗）］｝〞〟" + textsplit.ALL_CANNOT_START
)
#: Marks that must not end a line.
CANNOT_END = "（《「『【〔〖〈“‘([{<" + textsplit.ALL_CANNOT_END

_installed = False
#: Character widths by (font, size): reportlab measures every character of every line
#: break anew (a third of a city report's line-breaking time); a font's widths do not change.
_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}


def _widths_of(font_name: str, font_size: float) -> dict[str, float]:
    table = _WIDTHS.get((font_name, font_size))
    if table is None:
        table = _WIDTHS[(font_name, font_size)] = {}
    return table


def char_widths(text: str, font_name: str, font_size: float) -> list[float]:
    """Return the width of each character of ``text`` (as reportlab's ``getCharWidths``, remembered)."""
    table = _widths_of(font_name, font_size)
    out = []
    for ch in text:
        width = table.get(ch)
        if width is None:
            width = table[ch] = stringWidth(ch, font_name, font_size)
        out.append(width)
    return out


def _is_latin(ch: str) -> bool:
    """Return True for characters that belong to a Latin word or a number."""
    return "!" <= ch <= "~" and ch not in "([{<"


def break_ok(chars, pos: int, *, keep_words: bool = True) -> bool:
    """Return True when a line may break before ``chars[pos]``."""
    before, after = chars[pos - 1], chars[pos]
    if after in CANNOT_START or before in CANNOT_END:
        return False
    if keep_words and _is_latin(before) and _is_latin(after):
        return False
    return True


def plan_lines(chars, widths, max_widths, hard_breaks=frozenset()) -> list[tuple[int, int, float]]:
    """Split a run of characters into lines.

    Args:
        chars: the characters (a str or a list of one-character strings).
        widths: each character's width in points.
        max_widths: the width of line 1, 2, … (the last repeats).
        hard_breaks: indexes after which a line must end (``<br/>``).

    Returns:
        ``(start, end, width_used)`` per line; ``chars[start:end]`` is the line.
    """
    if not isinstance(max_widths, (list, tuple)):
        max_widths = [max_widths]
    n = len(chars)
    lines: list[tuple[int, int, float]] = []
    start = 0
    while start < n:
        if lines and (start - 1) not in hard_breaks:
            # A space the line broke at is not carried to the next line.
            while start < n and category(chars[start]) == "Zs":
                start += 1
            if start >= n:
                break
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        used = 0.0
        end = start
        forced = False
        while end < n:
            if used + widths[end] > max_width + _FUZZ and end > start:
                break
            used += widths[end]
            end += 1
            if end - 1 in hard_breaks:
                forced = True
                break
        if end < n and not forced:
            chosen = next((p for p in range(end, start, -1) if break_ok(chars, p)), None)
            if chosen is None:
                chosen = next((p for p in range(end, start, -1) if break_ok(chars, p, keep_words=False)), end)
            if chosen != end:
                end = chosen
                used = sum(widths[start:end])
        lines.append((start, end, used))
        start = end
    return lines


def _dumb_split(word, widths, maxWidths):  # noqa: N803 - reportlab's signature
    """Replacement for ``textsplit.dumbSplit`` (single-style paragraphs)."""
    if not isinstance(maxWidths, (list, tuple)):
        maxWidths = [maxWidths]
    out = []
    for index, (start, end, used) in enumerate(plan_lines(word, widths, maxWidths)):
        max_width = maxWidths[min(index, len(maxWidths) - 1)]
        out.append([max_width - used, word[start:end]])
    return out


def _word_split(word, maxWidths, fontName, fontSize, encoding="utf8"):  # noqa: N803 - reportlab's signature
    """Replacement for ``textsplit.wordSplit`` measuring characters through :func:`char_widths`."""
    text = word.decode(encoding) if isinstance(word, bytes) else word
    lines = _dumb_split(text, char_widths(text, fontName, fontSize), maxWidths)
    if isinstance(word, bytes):
        lines = [[extra, part.encode(encoding)] for extra, part in lines]
    return lines


def _glyph(text: str, frag) -> rl_paragraph.cjkU:
    """Return reportlab's ``cjkU(text, frag)`` with its width from :func:`char_widths`."""
    glyph = str.__new__(rl_paragraph.cjkU, text)
    glyph._frag = frag
    if hasattr(frag, "cbDefn"):
        glyph._width = getattr(frag.cbDefn, "width", 0)
    else:
        table = _widths_of(frag.fontName, frag.fontSize)
        width = table.get(text)
        if width is None:
            width = table[text] = stringWidth(text, frag.fontName, frag.fontSize)
        glyph._width = width
    return glyph


def _cjk_frag_split(frags, maxWidths, calcBounds, encoding="utf8"):  # noqa: N803 - reportlab's signature
    """Replacement for ``paragraph.cjkFragSplit`` (paragraphs with mixed styles or ``<br/>``)."""
    glyphs = []
    for f in frags:
        text = f.text
        if isinstance(text, bytes):
            text = text.decode(encoding)
        if text:
            glyphs.extend(_glyph(t, f) for t in text)
        else:
            glyphs.append(_glyph(text, f))
    if not isinstance(maxWidths, (list, tuple)):
        maxWidths = [maxWidths]
    widths = []
    hard = set()
    for i, g in enumerate(glyphs):
        w = g.width
        if hasattr(w, "normalizedValue"):
            w._normalizer = maxWidths[0]
            w = w.normalizedValue(maxWidths[0])
        widths.append(w)
        if hasattr(g.frag, "lineBreak"):
            hard.add(i)
    chars = [str(g) or "\ufffc" for g in glyphs]
    lines = []
    for index, (start, end, used) in enumerate(plan_lines(chars, widths, maxWidths, frozenset(hard))):
        max_width = maxWidths[min(index, len(maxWidths) - 1)]
        line_break = (end - 1) in hard
        lines.append(
            rl_paragraph.makeCJKParaLine(glyphs[start:end], max_width, used, max_width - used, line_break, calcBounds)
        )
    return rl_paragraph.ParaLines(kind=1, lines=lines)


def install() -> None:
    """Patch reportlab's CJK wrapping with the rules above (idempotent)."""
    global _installed
    if _installed:
        return
    extra = "".join(ch for ch in CANNOT_START if ch not in textsplit.ALL_CANNOT_START)
    textsplit.CANNOT_START_LINE[0] = textsplit.CANNOT_START_LINE[0] + extra
    textsplit.ALL_CANNOT_START = textsplit.ALL_CANNOT_START + extra
    rl_paragraph.ALL_CANNOT_START = textsplit.ALL_CANNOT_START
    textsplit.dumbSplit = _dumb_split
    textsplit.wordSplit = rl_paragraph.wordSplit = _word_split
    rl_paragraph.cjkFragSplit = _cjk_frag_split
    _installed = True


__all__ = ["CANNOT_END", "CANNOT_START", "break_ok", "char_widths", "install", "plan_lines"]

"""Vector charts for the bulletin, drawn with reportlab.graphics.

Both charts print legibly in grey: the series differ clearly in lightness as well as hue
(see ``LIGHT_COLORS`` and ``STATUS_COLORS``), every segment carries its count — in white
on the dark fills — and the legend names each series in words.
"""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import BarChart, HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from reports.content.layout import LIGHT_WORDS
from reports.pdf.document import LIGHT_COLORS, STATUS_COLORS

#: Units per lights chart: a taller chart would not fit the type area (225 mm), so more
#: units are drawn as further charts of the same scale.
UNITS_PER_CHART = 36


def _is_dark(color: colors.Color) -> bool:
    """True when black text would be hard to read on ``color`` (grey print included)."""
    return 0.299 * color.red + 0.587 * color.green + 0.114 * color.blue < 0.45


def _stacked(
    chart: BarChart,
    font: str,
    names: list[str],
    series: list[tuple[list[int], colors.Color]],
    *,
    label_size: float,
    count_size: float,
    ticks: int,
) -> None:
    """Set up ``chart`` as stacked bars: one series per fill, each segment labelled with its count.

    Args:
        chart: a fresh vertical or horizontal bar chart, placed and sized by the caller.
        font: registered font name for all text.
        names: category axis labels, in drawing order.
        series: ``(counts per category, fill)`` per series, stacked in this order.
        label_size: font size of the category labels.
        count_size: font size of the counts inside the segments.
        ticks: about how many steps the value axis has.
    """
    data = [counts for counts, _fill in series]
    chart.data = data or [[0]]
    chart.categoryAxis.categoryNames = names or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = label_size
    chart.categoryAxis.style = "stacked"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    top = max([sum(col) for col in zip(*data, strict=True)] or [1]) if data and names else 1
    chart.valueAxis.valueMax = max(1, top + 1)
    chart.valueAxis.valueStep = max(1, -(-(top + 1) // ticks))
    chart.barLabelFormat = lambda v: f"{int(v)}" if v else ""
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = count_size
    chart.barLabels.boxAnchor = "c"
    chart.barLabels.boxTarget = "mid"  # the count in the middle of its segment, not on its edge
    for i, (_counts, fill) in enumerate(series):
        chart.bars[i].fillColor = fill
        chart.bars[i].strokeColor = colors.black
        chart.bars[i].strokeWidth = 0.3
        chart.barLabels[i].fillColor = colors.white if _is_dark(fill) else colors.black


def _legend(font: str, items: list[tuple[colors.Color, str]], x: float, y: float, deltax: float) -> Legend:
    """Return a one-row legend of ``items`` starting at (x, y), ``deltax`` apart."""
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName = font
    legend.fontSize = 9
    legend.alignment = "right"
    legend.dx = legend.dy = 8
    legend.columnMaximum = 1
    legend.deltax = deltax
    legend.colorNamePairs = items
    legend.strokeColor = colors.black
    legend.strokeWidth = 0.3
    return legend


def status_by_category_chart(
    font: str,
    width: float,
    categories: list[str],
    statuses: list[str],
    counts: dict[str, dict[str, int]],
    title: str,
) -> Drawing:
    """Stacked vertical bars: key works per category, one segment per status.

    Args:
        font: registered font name for labels.
        width: drawing width in points (the type area).
        categories: category names, left to right.
        statuses: statuses to stack, bottom to top.
        counts: ``counts[category][status]``.
        title: the caption above the bars.
    """
    height = 210
    drawing = Drawing(width, height, initialFontName=font)
    chart = VerticalBarChart()
    chart.x, chart.y = 36, 52
    chart.width, chart.height = width - 50, height - 100
    # Narrow the bars and shorten the labels when many categories share the width.
    slot = chart.width / max(1, len(categories))
    chart.barWidth = min(20, slot * 0.6)
    chart.groupSpacing = min(12, slot * 0.4)
    longest = max(2, int(slot // 9))
    names = [c if len(c) <= longest else c[: longest - 1] + "…" for c in categories]
    _stacked(
        chart,
        font,
        names,
        [([counts.get(c, {}).get(s, 0) for c in categories], STATUS_COLORS[s]) for s in statuses],
        label_size=9,
        count_size=8,
        ticks=5,
    )
    drawing.add(chart)
    items = [(STATUS_COLORS[s], s) for s in statuses]
    drawing.add(_legend(font, items, 40, 22, (width - 60) / max(1, len(statuses))))
    drawing.add(String(width / 2, height - 14, title, fontName=font, fontSize=10, textAnchor="middle"))
    return drawing


def lights_by_unit_chart(
    font: str,
    width: float,
    units: list[str],
    lights: list[str],
    counts: dict[str, dict[str, int]],
    title: str,
) -> list[Drawing]:
    """Stacked horizontal bars: each unit's assignments by light (红/黄/绿/未报).

    Args:
        font: registered font name for labels.
        width: drawing width in points.
        units: unit names, top to bottom.
        lights: lights to stack, left to right.
        counts: ``counts[unit][light]``.
        title: the caption above the bars; further pieces add （续）.

    Returns:
        One drawing per :data:`UNITS_PER_CHART` units, all on the same scale, so a
        county's 80 units fit the page; the title of each further one says 续.
    """
    fills = {x: LIGHT_COLORS[x] if x != "灰" else colors.white for x in lights}
    most = max([sum(counts.get(u, {}).get(x, 0) for x in lights) for u in units] or [1])
    pieces = [units[i : i + UNITS_PER_CHART] for i in range(0, len(units), UNITS_PER_CHART)] or [[]]
    row = 13
    drawings = []
    for n, piece in enumerate(pieces):
        height = 70 + row * max(1, len(piece))
        drawing = Drawing(width, height, initialFontName=font)
        chart = HorizontalBarChart()
        chart.x, chart.y = 92, 40
        chart.width, chart.height = width - 110, row * max(1, len(piece))
        chart.barWidth = row * 0.7
        chart.groupSpacing = row * 0.3
        # HorizontalBarChart draws the first category at the bottom; reverse so the list reads top down.
        ordered = list(reversed(piece))
        _stacked(
            chart,
            font,
            [u if len(u) <= 9 else u[:8] + "…" for u in ordered],
            [([counts.get(u, {}).get(x, 0) for u in ordered], fills[x]) for x in lights],
            label_size=8,
            count_size=7,
            ticks=6,
        )
        # Every piece on the scale of the unit with most tasks, so bars compare across pieces.
        chart.valueAxis.valueMax = max(1, most + 1)
        chart.valueAxis.valueStep = max(1, -(-(most + 1) // 6))
        drawing.add(chart)
        drawing.add(_legend(font, [(fills[x], LIGHT_WORDS[x]) for x in lights], 100, 16, 70))
        caption = title + ("（续）" if n else "")
        drawing.add(String(width / 2, height - 12, caption, fontName=font, fontSize=10, textAnchor="middle"))
        drawings.append(drawing)
    return drawings


__all__ = ["UNITS_PER_CHART", "lights_by_unit_chart", "status_by_category_chart"]

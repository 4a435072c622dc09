"""Vector charts for the bulletin, drawn with reportlab.graphics.

Both charts print legibly in grey: the series differ in lightness as well as hue, every
segment carries its count, and the legend names each series in words.
"""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from reports.pdf.document import LIGHT_COLORS, LIGHT_WORDS, STATUS_COLORS


def _legend(font: str, items: list[tuple[colors.Color, str]], x: float, y: float, columns: int) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName = font
    legend.fontSize = 9
    legend.alignment = "right"
    legend.dx = legend.dy = 8
    legend.columnMaximum = max(1, -(-len(items) // columns))
    legend.deltax = 70
    legend.colorNamePairs = items
    legend.strokeColor = colors.black
    legend.strokeWidth = 0.3
    return legend


def status_by_category_chart(
    font: str, width: float, categories: list[str], statuses: list[str], counts: dict[str, dict[str, int]]
) -> Drawing:
    """Stacked vertical bars: key works per category, one segment per status.

    Args:
        font: registered font name for labels.
        width: drawing width in points (the type area).
        categories: category names, left to right.
        statuses: statuses to stack, bottom to top.
        counts: ``counts[category][status]``.
    """
    height = 210
    drawing = Drawing(width, height, initialFontName=font)
    chart = VerticalBarChart()
    chart.x, chart.y = 36, 52
    chart.width, chart.height = width - 50, height - 100
    data = [[counts.get(c, {}).get(s, 0) for c in categories] for s in statuses]
    chart.data = data or [[0]]
    chart.categoryAxis.categoryNames = [c if len(c) <= 8 else c[:7] + "…" for c in categories] or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 9
    chart.categoryAxis.style = "stacked"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    top = max([sum(col) for col in zip(*data, strict=True)] or [1]) if data and categories else 1
    chart.valueAxis.valueMax = max(1, top + 1)
    chart.valueAxis.valueStep = max(1, -(-(top + 1) // 5))
    chart.barWidth = 20
    chart.groupSpacing = 12
    chart.barLabelFormat = lambda v: f"{int(v)}" if v else ""
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 8
    chart.barLabels.boxAnchor = "c"
    chart.barLabels.dy = 0
    for i, status in enumerate(statuses):
        chart.bars[i].fillColor = STATUS_COLORS[status]
        chart.bars[i].strokeColor = colors.black
        chart.bars[i].strokeWidth = 0.3
    drawing.add(chart)
    drawing.add(_legend(font, [(STATUS_COLORS[s], s) for s in statuses], 40, 22, 1 if len(statuses) < 2 else 2))
    drawing.add(
        String(width / 2, height - 14, "各类别重点工作推进状态（项）", fontName=font, fontSize=10, textAnchor="middle")
    )
    # The legend above lays out in rows of two columns; spread it across the width instead.
    legend = drawing.contents[-2]
    legend.columnMaximum = 1
    legend.deltax = (width - 60) / max(1, len(statuses))
    return drawing


def lights_by_unit_chart(
    font: str, width: float, units: list[str], lights: list[str], counts: dict[str, dict[str, int]]
) -> Drawing:
    """Stacked horizontal bars: each unit's assignments by light (红/黄/绿/未报).

    Args:
        font: registered font name for labels.
        width: drawing width in points.
        units: unit names, top to bottom.
        lights: lights to stack, left to right.
        counts: ``counts[unit][light]``.
    """
    row = 13
    height = 70 + row * max(1, len(units))
    drawing = Drawing(width, height, initialFontName=font)
    chart = HorizontalBarChart()
    chart.x, chart.y = 92, 40
    chart.width, chart.height = width - 110, row * max(1, len(units))
    # HorizontalBarChart draws the first category at the bottom; reverse so the list reads top down.
    ordered = list(reversed(units))
    data = [[counts.get(u, {}).get(light, 0) for u in ordered] for light in lights]
    chart.data = data or [[0]]
    chart.categoryAxis.categoryNames = [u if len(u) <= 9 else u[:8] + "…" for u in ordered] or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.style = "stacked"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    top = max([sum(col) for col in zip(*data, strict=True)] or [1]) if data and units else 1
    chart.valueAxis.valueMax = max(1, top + 1)
    chart.valueAxis.valueStep = max(1, -(-(top + 1) // 6))
    chart.barWidth = row * 0.7
    chart.groupSpacing = row * 0.3
    chart.barLabelFormat = lambda v: f"{int(v)}" if v else ""
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "c"
    chart.barLabels.dx = 0
    for i, light in enumerate(lights):
        chart.bars[i].fillColor = LIGHT_COLORS[light] if light != "灰" else colors.white
        chart.bars[i].strokeColor = colors.black
        chart.bars[i].strokeWidth = 0.3
    drawing.add(chart)
    legend = _legend(
        font, [(LIGHT_COLORS[x] if x != "灰" else colors.white, LIGHT_WORDS[x]) for x in lights], 100, 16, 1
    )
    legend.columnMaximum = 1
    legend.deltax = 70
    drawing.add(legend)
    drawing.add(
        String(width / 2, height - 12, "各单位承担任务亮灯情况（项）", fontName=font, fontSize=10, textAnchor="middle")
    )
    return drawing


__all__ = ["lights_by_unit_chart", "status_by_category_chart"]

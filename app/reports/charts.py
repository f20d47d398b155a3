"""Small reportlab.graphics charts for the documents: horizontal bars, bars and lines by month.

Each helper returns a Drawing to put in a story. Labels arrive already translated and formatted
(month names, percentages) by the document; the charts only draw. Fonts and colours are the
documents' own (app.reports.base).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from app.reports.base import ACCENT, FONT, MUTED, RULE, clip_text, register_fonts

# One colour per series, the accent first.
PALETTE = (
    ACCENT,
    colors.HexColor("#e07b39"),
    colors.HexColor("#5b9bd5"),
    colors.HexColor("#70ad47"),
    colors.HexColor("#a5a5a5"),
    colors.HexColor("#c00000"),
)
FONT_SIZE = 7.5
Formatter = Callable[[float], str]


def _plot_width(width: float) -> float:
    """The width of the plot of a chart by category `width` points wide (its value axis on the left)."""
    return width - 14 * mm


def labels_fit(labels: Sequence[str], width: float) -> bool:
    """Whether category labels ("" for none) can be read side by side under a chart `width` wide."""
    register_fonts()
    slot = _plot_width(width) / max(1, len(labels))
    shown = [(i, stringWidth(t, FONT, FONT_SIZE)) for i, t in enumerate(labels) if t]
    return all(
        (j - i) * slot >= (left + right) / 2 + 3
        for (i, left), (j, right) in zip(shown, shown[1:], strict=False)
    )


def _style_axis_labels(labels) -> None:
    labels.fontName = FONT
    labels.fontSize = FONT_SIZE
    labels.fillColor = colors.black


def _nice_max(value: float) -> float:
    """A round upper bound for a value axis (1, 2, 5 × 10ⁿ steps)."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def horizontal_bars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    width: float,
    value_format: Formatter = lambda v: f"{v:g}",
    colour=ACCENT,
    bar_height: float = 5 * mm,
    max_label_width: float = 60 * mm,
) -> Drawing:
    """One bar per label, top to bottom in the given order, the value printed at the bar's end."""
    register_fonts()
    label_width = min(max_label_width, max((stringWidth(t, FONT, FONT_SIZE) for t in labels), default=0) + 4)
    value_room = max((stringWidth(value_format(v), FONT, FONT_SIZE) for v in values), default=0) + 6
    height = bar_height * len(labels) + 6 * mm
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x = label_width + 2
    chart.y = 2 * mm
    chart.width = max(10, width - chart.x - value_room)
    chart.height = bar_height * len(labels)
    chart.data = [list(values)]
    chart.bars[0].fillColor = colour
    chart.bars[0].strokeColor = None
    chart.barSpacing = 0
    chart.groupSpacing = bar_height * 0.3
    chart.categoryAxis.categoryNames = [clip_text(t, FONT, FONT_SIZE, label_width - 4) for t in labels]
    chart.categoryAxis.reverseDirection = 1
    chart.categoryAxis.strokeColor = RULE
    chart.categoryAxis.visibleTicks = 0
    _style_axis_labels(chart.categoryAxis.labels)
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    chart.valueAxis.visible = 0
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(max(values, default=0), 1e-9)
    chart.barLabelFormat = value_format
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = FONT_SIZE
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def _legend(drawing: Drawing, names: Sequence[str], x: float, y: float) -> None:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.alignment = "right"
    legend.boxAnchor = "nw"
    legend.columnMaximum = 1
    legend.deltax = 0
    legend.dx = legend.dy = 6
    legend.fontName = FONT
    legend.fontSize = FONT_SIZE
    legend.strokeColor = None
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], name) for i, name in enumerate(names)]
    legend.dxTextSpace = 4
    legend.variColumn = 1
    legend.subCols.minWidth = 0  # type: ignore[attr-defined]  # made by Legend.__init__, not in the stubs
    drawing.add(legend)


def _value_axis(
    axis,
    value_min: float | None,
    value_max: float | None,
    data: Sequence[Sequence[float | None]],
    value_format: Formatter,
    steps: int = 4,
) -> None:
    present = [v for series in data for v in series if v is not None]
    low = value_min if value_min is not None else min(0, min(present, default=0))
    high = value_max if value_max is not None else _nice_max(max(present, default=1))
    axis.valueMin, axis.valueMax = low, high
    if value_min is not None and value_max is not None:
        axis.valueStep = (high - low) / steps
    axis.labelTextFormat = value_format
    axis.strokeColor = RULE
    axis.visibleGrid = 1
    axis.gridStrokeColor = RULE
    axis.gridStrokeWidth = 0.3
    _style_axis_labels(axis.labels)
    axis.labels.fillColor = MUTED


def bars_by_category(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    width: float,
    height: float = 55 * mm,
    value_format: Formatter = lambda v: f"{v:g}",
    value_min: float | None = None,
    value_max: float | None = None,
) -> Drawing:
    """Vertical bars, one group per category (e.g. month), one bar per series; a legend on top."""
    register_fonts()
    drawing = Drawing(width, height)
    data = [[v for v in values] for _name, values in series]
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 8 * mm
    chart.width, chart.height = _plot_width(width), height - chart.y - 9 * mm
    chart.data = [[0 if v is None else v for v in values] for values in data]
    for i in range(len(series)):
        chart.bars[i].fillColor = PALETTE[i % len(PALETTE)]
        chart.bars[i].strokeColor = None
    chart.groupSpacing = 4
    chart.barSpacing = 1
    chart.categoryAxis.categoryNames = list(categories)
    chart.categoryAxis.strokeColor = RULE
    chart.categoryAxis.visibleTicks = 0
    _style_axis_labels(chart.categoryAxis.labels)
    chart.categoryAxis.labels.boxAnchor = "n"
    _value_axis(chart.valueAxis, value_min, value_max, data, value_format)
    drawing.add(chart)
    _legend(drawing, [name for name, _values in series], chart.x, height - 1)
    return drawing


def lines_by_category(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    width: float,
    height: float = 55 * mm,
    value_format: Formatter = lambda v: f"{v:g}",
    value_min: float | None = None,
    value_max: float | None = None,
) -> Drawing:
    """One line per series over the categories (e.g. months), with dots; None leaves a gap."""
    register_fonts()
    drawing = Drawing(width, height)
    data = [list(values) for _name, values in series]
    chart = HorizontalLineChart()
    chart.x, chart.y = 12 * mm, 8 * mm
    chart.width, chart.height = _plot_width(width), height - chart.y - 9 * mm
    chart.data = data
    chart.joinedLines = 1
    from reportlab.graphics.widgets.markers import makeMarker

    for i in range(len(series)):
        chart.lines[i].strokeColor = PALETTE[i % len(PALETTE)]
        chart.lines[i].strokeWidth = 1.4
        chart.lines[i].symbol = makeMarker(
            "FilledCircle", size=3.5, fillColor=PALETTE[i % len(PALETTE)], strokeColor=None
        )
    chart.categoryAxis.categoryNames = list(categories)
    chart.categoryAxis.strokeColor = RULE
    chart.categoryAxis.visibleTicks = 0
    chart.categoryAxis.joinAxisMode = "bottom"  # month names below the plot, even with negative values
    _style_axis_labels(chart.categoryAxis.labels)
    chart.categoryAxis.labels.boxAnchor = "n"
    _value_axis(chart.valueAxis, value_min, value_max, data, value_format)
    drawing.add(chart)
    if chart.valueAxis.valueMin < 0 < chart.valueAxis.valueMax:  # a stronger line at zero
        zero = chart.y + chart.height * (-chart.valueAxis.valueMin) / (
            chart.valueAxis.valueMax - chart.valueAxis.valueMin
        )
        drawing.add(Line(chart.x, zero, chart.x + chart.width, zero, strokeColor=MUTED, strokeWidth=0.5))
    _legend(drawing, [name for name, _values in series], chart.x, height - 1)
    return drawing

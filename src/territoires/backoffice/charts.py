"""Geometry of server-rendered SVG bar charts.

Charts are drawn by the template `backoffice/_bar_chart.html` from the numbers
computed here: no JavaScript (strict CSP) and no inline styles, only SVG
presentation attributes. Each bar gets its label on the line above it, so long
French labels never need truncating; the value is written after the bar.
"""

from collections.abc import Sequence
from dataclasses import dataclass

LABEL_LINE = 18  # room for a 12px label above each bar
VALUE_SPACE = 56  # room for the value written after the longest bar


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    label_y: float
    value_x: float
    value_y: float


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    total: int

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def bar_chart(
    data: Sequence[tuple[str, int]], *, width: int = 640, bar_height: int = 20, gap: int = 10
) -> BarChart:
    """Lay out horizontal bars proportional to the largest value.

    A non-zero value always gets at least one unit of length, so that it is
    never drawn like a zero; an all-zero chart has no visible bar at all.
    """
    if any(value < 0 for _label, value in data):
        raise ValueError("bar values must be non-negative")
    if width <= VALUE_SPACE:
        raise ValueError("chart too narrow")
    longest = width - VALUE_SPACE
    top = max((value for _label, value in data), default=0)
    row = LABEL_LINE + bar_height + gap
    bars = []
    for index, (label, value) in enumerate(data):
        row_top = index * row
        length = 0.0 if top == 0 else max(round(longest * value / top, 1), 1.0 if value else 0.0)
        bar_y = row_top + LABEL_LINE
        bars.append(
            Bar(
                label=str(label),
                value=value,
                x=0,
                y=bar_y,
                width=length,
                height=bar_height,
                label_y=row_top + 13,
                value_x=round(length + 6, 1),
                value_y=bar_y + bar_height * 0.7,
            )
        )
    height = max(len(bars) * row - gap, 1)
    return BarChart(bars=tuple(bars), width=width, height=height, total=sum(b.value for b in bars))

"""Bar charts drawn on the server as inline SVG (templates/_chart.html): the geometry, pure.

Each bar is a row: its label and value written above it, then the bar. Lengths are percentages of the
chart's width, so the chart fills a phone or a desktop without scaling its text; the label above the bar
rather than beside it leaves long Khmer names the whole width. No script draws anything, so the page's
Content-Security-Policy (no inline script or style) holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ROW = 34  # px: one bar's row, room for a line of Khmer (taller than Latin) above its bar
TEXT_BASELINE = 15  # px from the row's top to the baseline of its label
BAR_TOP = 20  # px from the row's top to its bar
BAR_HEIGHT = 11
SHORTEST = 0.5  # % of the width: a bar that is not zero stays visible


@dataclass(frozen=True, slots=True)
class Item:
    """What a bar shows: ``value`` sets its length, ``shown`` is the value as written (a duration, a number
    in Khmer digits), ``small`` marks a number too small to compare."""

    label: str
    value: float
    shown: str
    small: bool = False


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    shown: str
    small: bool
    text_y: int
    bar_y: int
    percent: float  # of the chart's width


@dataclass(frozen=True, slots=True)
class BarChart:
    height: int
    bar_height: int
    bars: tuple[Bar, ...]


def bar_chart(items: Sequence[Item]) -> BarChart:
    """One bar per item, in order, the longest as wide as the chart; all zero when every value is."""
    longest = max((item.value for item in items), default=0)
    bars = tuple(
        Bar(
            label=item.label,
            shown=item.shown,
            small=item.small,
            text_y=row * ROW + TEXT_BASELINE,
            bar_y=row * ROW + BAR_TOP,
            percent=_percent(item.value, longest),
        )
        for row, item in enumerate(items)
    )
    return BarChart(height=len(items) * ROW, bar_height=BAR_HEIGHT, bars=bars)


def _percent(value: float, longest: float) -> float:
    if value <= 0 or longest <= 0:
        return 0.0
    return round(max(SHORTEST, 100 * value / longest), 1)

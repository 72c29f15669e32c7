"""The dashboard's panels drawn with matplotlib, from series Prometheus answered: the picture in docs/.

Grafana is not on the machines this project runs on, so the panels of deploy/grafana are laid out on the
same 24-column grid, each with its queries' series, legends, unit and alert thresholds, in Grafana's dark
colours. Pure drawing: the series are passed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator

from shared.testing.prometheus import Panel

BACKGROUND, PANEL, TEXT, GRID = "#111217", "#181b1f", "#ccccdc", "#2c3235"
COLOURS = ("#73bf69", "#f2cc0c", "#8ab8ff", "#ff780a", "#f2495c", "#5794f2", "#b877d9", "#fade2a", "#96d98d")
ROW_HEIGHT = 0.34  # inches per grid row (Grafana's 30 px)
COLUMN_WIDTH = 0.9  # inches per grid column


@dataclass(frozen=True)
class Series:
    """One line of a panel: its legend and its points (Unix seconds, value)."""

    name: str
    points: Sequence[tuple[float, float]]


def render(
    panels: Sequence[Panel],
    series: Mapping[str, Sequence[Series]],
    path: Path,
    *,
    title: str,
    window: tuple[float, float],
    marks: Sequence[tuple[float, str]] = (),
) -> None:
    """Draw ``panels`` (``series`` by panel title) from ``window[0]`` to ``window[1]`` (Unix seconds) into the
    PNG ``path``; ``marks`` are (time, what happened), drawn on every panel as the run's annotations."""
    rows = max(panel.y + panel.height for panel in panels)
    figure = Figure(figsize=(24 * COLUMN_WIDTH, rows * ROW_HEIGHT + 1.0), facecolor=BACKGROUND)
    grid = figure.add_gridspec(rows, 24, left=0.03, right=0.99, top=1 - 0.9 / (rows * ROW_HEIGHT + 1.0),
                               bottom=0.02, hspace=2.2, wspace=1.6)  # fmt: skip
    figure.suptitle(title, color=TEXT, fontsize=16, x=0.03, ha="left")
    for panel in panels:
        # Leave the panel's first grid row to its title, as Grafana's panel header does.
        axes = figure.add_subplot(grid[panel.y + 1 : panel.y + panel.height, panel.x : panel.x + panel.width])
        _draw(axes, panel, series.get(panel.title, []), marks)
        axes.set_xlim(*window)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=80, facecolor=BACKGROUND)


def _draw(axes: Axes, panel: Panel, lines: Sequence[Series], marks: Sequence[tuple[float, str]]) -> None:
    axes.set_facecolor(PANEL)
    axes.set_title(panel.title, color=TEXT, fontsize=11, loc="left")
    for side in axes.spines.values():
        side.set_color(GRID)
    axes.tick_params(colors=TEXT, labelsize=8)
    axes.grid(color=GRID, linewidth=0.6)
    for n, line in enumerate(lines):
        if not line.points:
            continue
        colour = COLOURS[n % len(COLOURS)]
        axes.plot([t for t, _ in line.points], [v for _, v in line.points], color=colour, linewidth=1.4,
                  label=line.name)  # fmt: skip
    for threshold in panel.thresholds:
        axes.axhline(threshold, color="#f2495c", linestyle="--", linewidth=1)
    for at, what in marks:
        axes.axvline(at, color="#b877d9", linestyle=":", linewidth=1)
        axes.annotate(what, (at, 0.02), xycoords=("data", "axes fraction"),
                      color="#b877d9", fontsize=7, rotation=90, va="bottom", ha="right")  # fmt: skip
    # x is Unix seconds: a tick on every whole minute, labelled as a clock (UTC).
    axes.xaxis.set_major_locator(MultipleLocator(60))
    axes.xaxis.set_major_formatter(
        FuncFormatter(lambda at, _: datetime.fromtimestamp(at, UTC).strftime("%H:%M"))
    )
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: _format(value, panel.unit)))
    if any(line.points for line in lines):
        legend = axes.legend(loc="upper left", fontsize=7, frameon=False, ncol=2)
        for text in legend.get_texts():
            text.set_color(TEXT)
    else:
        axes.text(0.5, 0.5, "No data", color=TEXT, ha="center", va="center", transform=axes.transAxes)


def _format(value: float, unit: str) -> str:
    """A tick label in the panel's Grafana unit."""
    if unit == "percentunit":
        return f"{value:.0%}"
    if unit == "bytes":
        return f"{value / 2**20:.0f} MiB"
    if unit == "s":
        return f"{value:.0f} s"
    suffix = "/s" if unit == "reqps" else ""
    if abs(value) >= 1000:
        return f"{value / 1000:.1f}k{suffix}"
    if abs(value) >= 10 or not value:
        return f"{value:.0f}{suffix}"
    return f"{value:.2g}{suffix}"

"""What the statistics page draws: its charts, labelled in the reader's language (pure)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.intake.console.charts import BarChart, Item, bar_chart
from services.intake.console.queries.stats import Statistics
from services.intake.console.statistics import Median, UnitTimes
from services.intake.console.urgency import Words, duration

CHART_UNITS = 15  # the slowest units drawn; the table below the chart lists more
TABLE_UNITS = 100  # a page, not a report: the slowest units, with enough cases to compare first


@dataclass(frozen=True)
class Labels:
    """The reader's language: the catalogue, numbers, and the names of places and units."""

    words: Words
    number: Callable[[int], str]
    place: Callable[[str], str]
    unit: Callable[[str], str]

    def median(self, median: Median) -> str:
        return "–" if median.minutes is None else duration(median.minutes, self.words)


@dataclass(frozen=True)
class Figures:
    by_status: BarChart
    by_province: BarChart
    acknowledge: BarChart
    breaches: BarChart
    units: list[UnitTimes]  # the table's rows
    units_answering: int


def figures(stats: Statistics, labels: Labels) -> Figures:
    words, number = labels.words, labels.number
    timed = [row for row in stats.units if row.acknowledge.minutes is not None][:CHART_UNITS]
    return Figures(
        by_status=bar_chart(
            [Item(words(f"status.{status}"), n, number(n)) for status, n in stats.open.by_status]
        ),
        by_province=bar_chart(
            [
                Item(labels.place(code) if code else words("stats.unknown_place"), n, number(n))
                for code, n in stats.open.by_province
            ]
        ),
        acknowledge=bar_chart(
            [
                Item(
                    labels.unit(row.unit_id),
                    row.acknowledge.minutes or 0,
                    _with_cases(labels, row.acknowledge),
                    small=row.acknowledge.small,
                )
                for row in timed
            ]
        ),
        breaches=bar_chart(
            [
                Item(words(f"level.{level.level}"), level.total, number(level.total))
                for level in stats.breaches
            ]
        ),
        units=stats.units[:TABLE_UNITS],
        units_answering=len(stats.units),
    )


def _with_cases(labels: Labels, median: Median) -> str:
    key = "stats.median_few" if median.small else "stats.median_of"
    return labels.words(key, median=labels.median(median), n=median.cases)

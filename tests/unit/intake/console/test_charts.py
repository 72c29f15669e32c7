"""The geometry of the server-drawn bar charts, and the statistics page's charts in both languages."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import pytest

from services.intake.console.catalogue import Catalogue, Language
from services.intake.console.charts import BAR_HEIGHT, ROW, Item, bar_chart
from services.intake.console.queries.stats import Statistics
from services.intake.console.statistics import breaches_by_level, open_cases, unit_times
from services.intake.console.stats_page import CHART_UNITS, Labels, figures

pytestmark = pytest.mark.unit
CATALOGUE = Catalogue.load()


def test_the_longest_bar_fills_the_width_and_the_others_are_in_proportion() -> None:
    chart = bar_chart([Item("a", 40, "40"), Item("b", 10, "10"), Item("c", 0, "0"), Item("d", 0.01, "~0")])
    assert [bar.percent for bar in chart.bars] == [100.0, 25.0, 0.0, 0.5]  # a tiny value stays visible
    assert chart.height == 4 * ROW
    assert chart.bar_height == BAR_HEIGHT
    assert [bar.bar_y for bar in chart.bars] == [ROW * row + chart.bars[0].bar_y for row in range(4)]
    assert all(bar.text_y < bar.bar_y for bar in chart.bars)  # each label above its own bar
    assert all(bar.bar_y + BAR_HEIGHT <= (row + 1) * ROW for row, bar in enumerate(chart.bars))


def test_a_chart_of_nothing_or_of_zeros_draws_no_bar() -> None:
    assert bar_chart([]).height == 0
    assert [bar.percent for bar in bar_chart([Item("a", 0, "0"), Item("b", 0, "0")]).bars] == [0.0, 0.0]


def test_a_small_number_is_marked_on_its_bar() -> None:
    (bar,) = bar_chart([Item("few", 5, "5", small=True)]).bars
    assert bar.small


def labels(language: Language) -> Labels:
    return Labels(
        words=partial(CATALOGUE.text, language),
        number=partial(CATALOGUE.number, language),
        place=lambda code: {"KH-12": "Phnom Penh"}.get(code, code),
        unit=lambda unit_id: unit_id.upper(),
    )


STATS = Statistics(
    open=open_cases([("assigned", "KH-12", 12), ("acknowledged", None, 3)]),
    units=unit_times({"police:1203": [3600.0] * 2, "police:1204": [600.0] * 5, "commune:1": [60.0] * 20}, {}),
    breaches=breaches_by_level([(1, "acknowledgement", 2)]),
    since=datetime(2026, 11, 1, tzinfo=UTC),
)


def test_the_statistics_charts_say_when_a_median_stands_on_too_few_cases() -> None:
    drawn = figures(STATS, labels("en"))
    assert [(bar.label, bar.shown) for bar in drawn.by_province.bars] == [
        ("Phnom Penh", "12"), ("place not known", "3"),
    ]  # fmt: skip
    assert [(bar.label, bar.shown, bar.small) for bar in drawn.acknowledge.bars] == [
        ("POLICE:1204", "10 min (cases: 5)", False),
        ("COMMUNE:1", "1 min (cases: 20)", False),
        ("POLICE:1203", "1 h (cases: only 2, too few to compare)", True),
    ]
    assert [bar.shown for bar in drawn.breaches.bars] == ["0", "2", "0"]
    assert drawn.units_answering == 3


def test_the_statistics_charts_in_khmer_use_khmer_words_and_digits() -> None:
    drawn = figures(STATS, labels("km"))
    assert drawn.by_status.bars[2].label == "បានប្រគល់"
    assert drawn.by_status.bars[2].shown == "១២"
    assert drawn.acknowledge.bars[-1].shown == "១ ម៉ោង (ករណីតែ ២៖ តិចពេកសម្រាប់ប្រៀបធៀប)"


def test_only_the_slowest_units_are_drawn() -> None:
    many = unit_times({f"unit:{i:03d}": [60.0 * i] * 5 for i in range(1, 40)}, {})
    stats = Statistics(open_cases([]), many, breaches_by_level([]), STATS.since)
    drawn = figures(stats, labels("en"))
    assert len(drawn.acknowledge.bars) == CHART_UNITS
    assert drawn.acknowledge.bars[0].label == "UNIT:039"
    assert drawn.acknowledge.bars[0].percent == 100.0

"""The statistics page's sums and medians: small numbers flagged, units ranked, every level and status."""

from __future__ import annotations

import pytest

from services.intake.console.statistics import (
    SMALL,
    LevelBreaches,
    Median,
    breaches_by_level,
    median_of,
    open_cases,
    unit_times,
)

pytestmark = pytest.mark.unit
MIN = 60.0


def test_a_median_is_in_whole_minutes_and_flags_fewer_cases_than_small() -> None:
    assert median_of([10 * MIN, 50 * MIN, 20 * MIN, 40 * MIN, 30 * MIN]) == Median(30, 5)
    assert not median_of([MIN] * SMALL).small
    assert median_of([MIN] * (SMALL - 1)).small
    assert median_of([60 * MIN, 90 * MIN]) == Median(75, 2)  # an even count: the mean of the middle two
    assert median_of([89.0, 91.0]) == Median(2, 2)  # 90 s rounds to the nearest minute
    assert median_of([]) == Median(None, 0)
    assert median_of([]).small


def test_units_are_ranked_slowest_first_with_too_small_medians_after_all_others() -> None:
    rows = unit_times(
        acknowledged={
            "fast": [10 * MIN] * 6,
            "slow": [5 * 60 * MIN] * 5,
            "few-but-slowest": [100 * 60 * MIN] * 2,
            "tie-b": [30 * MIN] * 5,
            "tie-a": [30 * MIN] * 5,
        },
        resolved={"fast": [2 * 60 * MIN], "only-resolved": [MIN] * 7, "tie-b": [90 * MIN] * 5},
    )
    assert [row.unit_id for row in rows] == [
        "slow", "tie-b", "tie-a", "fast", "few-but-slowest", "only-resolved",
    ]  # fmt: skip
    by_id = {row.unit_id: row for row in rows}
    assert by_id["fast"].resolve == Median(120, 1)
    assert by_id["fast"].resolve.small
    assert by_id["only-resolved"].acknowledge == Median(None, 0)
    assert by_id["few-but-slowest"].acknowledge.small


def test_open_cases_sum_by_status_in_lifecycle_order_and_by_province_largest_first() -> None:
    opened = open_cases(
        [
            ("acknowledged", "KH-12", 4),
            ("assigned", "KH-12", 3),
            ("assigned", "KH-17", 5),
            ("needs_triage", None, 2),
            ("refused", "KH-8", 1),
        ]
    )
    assert opened.total == 15
    assert opened.by_status == [
        ("filed", 0), ("needs_triage", 2), ("assigned", 8), ("acknowledged", 4), ("awaiting_citizen", 0),
        ("refused", 1),
    ]  # fmt: skip
    assert opened.by_province == [("KH-12", 7), ("KH-17", 5), ("KH-8", 1), (None, 2)]
    assert open_cases([]).total == 0


def test_breaches_list_every_level_and_clock_even_at_zero() -> None:
    assert breaches_by_level([(0, "acknowledgement", 3), (0, "resolution", 1), (2, "triage", 1)]) == [
        LevelBreaches(0, 4, {"acknowledgement": 3, "resolution": 1, "triage": 0}),
        LevelBreaches(1, 0, {"acknowledgement": 0, "resolution": 0, "triage": 0}),
        LevelBreaches(2, 1, {"acknowledgement": 0, "resolution": 0, "triage": 1}),
    ]

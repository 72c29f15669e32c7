"""The ``GET requests`` query: defaults, the 90-day bound, and every bad parameter named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.intake.domain.open311_filters import (
    CAMBODIA_TIME,
    MAX_SPAN,
    FilterError,
    RequestFilter,
    request_filter,
)

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def reasons(params: dict[str, str]) -> dict[str | None, str]:
    with pytest.raises(FilterError) as refused:
        request_filter(params, NOW)
    return {p.field: p.reason for p in refused.value.problems}


def test_no_parameter_is_the_last_90_days_of_every_request() -> None:
    assert request_filter({}, NOW) == RequestFilter(NOW - MAX_SPAN, NOW)


def test_one_end_left_out_is_90_days_from_the_other() -> None:
    start = datetime(2026, 1, 1, tzinfo=CAMBODIA_TIME)
    assert request_filter({"start_date": "2026-01-01"}, NOW).end == start + MAX_SPAN
    assert request_filter({"end_date": "2026-01-01T00:00:00+07:00"}, NOW).start == start - MAX_SPAN


def test_a_datetime_without_an_offset_is_cambodian_time() -> None:
    found = request_filter({"start_date": "2026-03-01T08:00:00", "end_date": "2026-03-02T01:00:00Z"}, NOW)
    assert found.start == datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    assert found.end == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_codes_and_statuses_are_comma_separated() -> None:
    found = request_filter({"service_code": "theft,drugs", "status": "closed, open"}, NOW)
    assert (found.categories, found.statuses) == (("theft", "drugs"), ("closed", "open"))


def test_request_ids_override_the_other_filters() -> None:
    found = request_filter({"service_request_id": "ab12cd34,EF56GH78", "service_code": "potholes"}, NOW)
    assert found.references == ("AB12CD34", "EF56GH78")
    assert found.categories is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"start_date": "2026-01-01", "end_date": "2026-04-01T00:00:01+07:00"},
            {"end_date": "range_too_long"},
        ),
        ({"start_date": "2026-04-01", "end_date": "2026-01-01"}, {"end_date": "invalid_field"}),
        ({"start_date": "yesterday"}, {"start_date": "invalid_field"}),
        ({"status": "pending"}, {"status": "invalid_field"}),
        ({"service_code": "theft,potholes"}, {"service_code": "unknown_category"}),
        (
            {"service_request_id": ",".join(f"R{i}" for i in range(101))},
            {"service_request_id": "invalid_field"},
        ),
    ],
)
def test_each_bad_parameter_is_named(params: dict[str, str], expected: dict[str, str]) -> None:
    assert reasons(params) == expected


def test_exactly_90_days_is_allowed() -> None:
    start = datetime(2026, 1, 1, tzinfo=CAMBODIA_TIME)
    found = request_filter(
        {"start_date": start.isoformat(), "end_date": (start + timedelta(days=90)).isoformat()}, NOW
    )
    assert found.end - found.start == MAX_SPAN

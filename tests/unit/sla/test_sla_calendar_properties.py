"""Properties of business-time arithmetic, on the default calendar and on generated ones.

A positive business duration is due inside an opening window or exactly at a window's end (the
allowance runs out then); a zero duration is due at its start. Both rules are in calendar.py.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.sla.domain.calendar import BusinessCalendar, Window

pytestmark = pytest.mark.unit

DEFAULT = BusinessCalendar()


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    """The default calendar, or one with 1-3 random windows, random working days and holidays."""
    if draw(st.booleans()):
        return DEFAULT
    count = draw(st.integers(1, 3))
    marks = sorted(draw(st.sets(st.integers(0, 24 * 60 - 1), min_size=2 * count, max_size=2 * count)))
    windows = tuple(
        Window(time(*divmod(marks[i], 60)), time(*divmod(marks[i + 1], 60))) for i in range(0, len(marks), 2)
    )
    days = st.dates(date(2025, 1, 1), date(2027, 12, 31))
    return BusinessCalendar(
        windows=windows,
        workdays=frozenset(draw(st.sets(st.integers(0, 6), min_size=1))),
        extra_holidays=frozenset(draw(st.sets(days, max_size=20))),
        removed_holidays=frozenset(draw(st.sets(days, max_size=5))),
    )


instants = st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC))


@st.composite
def durations(draw: st.DrawFn, calendar: BusinessCalendar) -> timedelta:
    """Up to 15 business days of the calendar, to the microsecond."""
    return draw(st.timedeltas(timedelta(), 15 * calendar.business_day))


@st.composite
def cases(draw: st.DrawFn) -> tuple[BusinessCalendar, datetime, timedelta, timedelta]:
    calendar = draw(calendars())
    return calendar, draw(instants), draw(durations(calendar)), draw(durations(calendar))


def inside_hours(calendar: BusinessCalendar, instant: datetime) -> bool:
    """Inside a window of a business day, its end included and its opening excluded."""
    wall = instant.astimezone(calendar.zone)
    return calendar.is_business_day(wall.date()) and any(
        window.start < wall.time().replace(tzinfo=None) <= window.end for window in calendar.windows
    )


@given(cases())
def test_positive_deadlines_fall_inside_hours_and_never_before_start(
    case: tuple[BusinessCalendar, datetime, timedelta, timedelta],
) -> None:
    calendar, start, duration, _ = case
    due = calendar.add_business(start, duration)
    assert due >= start
    assert due.tzinfo is UTC
    if duration:
        assert inside_hours(calendar, due)
    else:
        assert due == start


@given(cases())
def test_monotonic_in_duration(case: tuple[BusinessCalendar, datetime, timedelta, timedelta]) -> None:
    calendar, start, a, b = case
    shorter, longer = sorted((a, b))
    assert calendar.add_business(start, shorter) <= calendar.add_business(start, longer)


@given(cases(), instants)
def test_monotonic_in_start(
    case: tuple[BusinessCalendar, datetime, timedelta, timedelta], other: datetime
) -> None:
    calendar, start, duration, _ = case
    earlier, later = sorted((start, other))
    assert calendar.add_business(earlier, duration) <= calendar.add_business(later, duration)


@given(cases())
def test_adding_in_two_steps_is_adding_the_sum(
    case: tuple[BusinessCalendar, datetime, timedelta, timedelta],
) -> None:
    calendar, start, a, b = case
    assert calendar.add_business(start, a + b) == calendar.add_business(calendar.add_business(start, a), b)


@given(cases())
def test_business_between_measures_what_add_added(
    case: tuple[BusinessCalendar, datetime, timedelta, timedelta],
) -> None:
    calendar, start, duration, _ = case
    assert calendar.business_between(start, calendar.add_business(start, duration)) == duration


@given(cases(), st.data())
def test_business_between_adds_up_across_any_split(
    case: tuple[BusinessCalendar, datetime, timedelta, timedelta], data: st.DataObject
) -> None:
    calendar, start, duration, _ = case
    end = calendar.add_business(start, duration)
    middle = start + data.draw(st.timedeltas(timedelta(), end - start))
    whole = calendar.business_between(start, end)
    assert calendar.business_between(start, middle) + calendar.business_between(middle, end) == whole

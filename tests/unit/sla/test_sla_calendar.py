"""Business calendar examples: evenings, lunch, weekends, Cambodian holidays, configured dates."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.sla.domain.calendar import BusinessCalendar, NaiveDatetimeError, Window

pytestmark = pytest.mark.unit

PP = ZoneInfo("Asia/Phnom_Penh")
CAL = BusinessCalendar()


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Phnom Penh wall-clock time as the UTC instant the calendar takes and returns."""
    return datetime(year, month, day, hour, minute, tzinfo=PP).astimezone(UTC)


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        pytest.param(
            local(2026, 1, 9, 16, 30), timedelta(hours=1), local(2026, 1, 12, 8, 30), id="friday-evening"
        ),
        pytest.param(local(2026, 1, 13, 11, 30), timedelta(hours=1), local(2026, 1, 13, 14, 30), id="lunch"),
        pytest.param(
            local(2026, 1, 13, 12, 30), timedelta(hours=1), local(2026, 1, 13, 15), id="start-at-lunch"
        ),
        pytest.param(local(2026, 1, 10, 10), timedelta(minutes=30), local(2026, 1, 12, 8, 30), id="saturday"),
        pytest.param(local(2026, 1, 12, 6), timedelta(hours=1), local(2026, 1, 12, 9), id="before-opening"),
        pytest.param(
            local(2026, 1, 12, 8), timedelta(hours=4), local(2026, 1, 12, 12), id="due-at-window-end"
        ),
        pytest.param(
            local(2026, 1, 12, 8), timedelta(hours=7), local(2026, 1, 12, 17), id="one-business-day"
        ),
        pytest.param(
            local(2026, 1, 12, 9), timedelta(hours=14), local(2026, 1, 14, 9), id="two-business-days"
        ),
        # 2026-01-07 (Wednesday) is Victory over Genocide Day.
        pytest.param(local(2026, 1, 6, 16), timedelta(hours=2), local(2026, 1, 8, 9), id="victory-day"),
        # Khmer New Year 2026 is Tuesday 14 to Thursday 16 April (holidays.KH 0.108).
        pytest.param(
            local(2026, 4, 13, 16), timedelta(hours=2), local(2026, 4, 17, 9), id="khmer-new-year-2026"
        ),
        # Khmer New Year 2027 is Wednesday 14 to Friday 16 April: the weekend follows.
        pytest.param(
            local(2027, 4, 13, 16, 30),
            timedelta(hours=1),
            local(2027, 4, 19, 8, 30),
            id="khmer-new-year-2027",
        ),
    ],
)
def test_add_business(start: datetime, duration: timedelta, due: datetime) -> None:
    assert CAL.add_business(start, duration) == due
    assert CAL.business_between(start, due) == duration


def test_holidays_kh_dates_the_examples_rely_on() -> None:
    for day in (date(2026, 4, 14), date(2026, 4, 15), date(2026, 4, 16), date(2027, 4, 16)):
        assert CAL.is_holiday(day)
        assert not CAL.is_business_day(day)
    assert CAL.is_business_day(date(2026, 4, 13))
    assert not CAL.is_business_day(date(2026, 4, 18))  # a Saturday, no holiday


def test_extra_holiday_is_skipped() -> None:
    # The government often declares the Monday before Khmer New Year a holiday too.
    calendar = BusinessCalendar(extra_holidays=frozenset({date(2026, 4, 13)}))
    assert calendar.add_business(local(2026, 4, 10, 16, 30), timedelta(hours=1)) == local(2026, 4, 17, 8, 30)


def test_removed_holiday_is_a_working_day() -> None:
    calendar = BusinessCalendar(removed_holidays=frozenset({date(2026, 4, 15)}))
    assert calendar.add_business(local(2026, 4, 13, 16), timedelta(hours=2)) == local(2026, 4, 15, 9)


def test_removing_a_weekend_holiday_does_not_open_the_weekend() -> None:
    calendar = BusinessCalendar(removed_holidays=frozenset({date(2026, 3, 8)}))  # a Sunday
    assert not calendar.is_business_day(date(2026, 3, 8))


def test_zero_duration_is_due_at_once_even_outside_hours() -> None:
    saturday = local(2026, 1, 10, 10)
    assert CAL.add_business(saturday, timedelta()) == saturday


def test_business_between() -> None:
    assert CAL.business_between(local(2026, 1, 9, 16), local(2026, 1, 12, 9)) == timedelta(hours=2)
    assert CAL.business_between(local(2026, 1, 10, 9), local(2026, 1, 11, 17)) == timedelta()
    assert CAL.business_between(local(2026, 1, 12, 9), local(2026, 1, 12, 8)) == timedelta()


def test_plain_time_ignores_the_calendar() -> None:
    friday = local(2026, 1, 9, 16, 30)
    assert CAL.add_plain(friday, timedelta(seconds=30)) == friday + timedelta(seconds=30)


def test_other_offsets_are_accepted_and_results_are_utc() -> None:
    start = datetime(2026, 1, 9, 16, 30, tzinfo=PP)
    due = CAL.add_business(start, timedelta(hours=1))
    assert due.tzinfo is UTC
    assert due == local(2026, 1, 12, 8, 30)


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(NaiveDatetimeError, match="timezone-aware"):
        CAL.add_business(datetime(2026, 1, 9, 16, 30), timedelta(hours=1))
    with pytest.raises(NaiveDatetimeError):
        CAL.business_between(local(2026, 1, 9, 16), datetime(2026, 1, 12, 9))
    with pytest.raises(NaiveDatetimeError):
        CAL.add_plain(datetime(2026, 1, 9, 16, 30), timedelta(hours=1))


def test_negative_durations_are_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        CAL.add_business(local(2026, 1, 9, 16), timedelta(seconds=-1))


def test_business_day_is_the_sum_of_windows() -> None:
    assert CAL.business_day == timedelta(hours=7)
    assert BusinessCalendar(windows=(Window.parse("07:30-11:30"),)).business_day == timedelta(hours=4)


@pytest.mark.parametrize("text", ["12:00-08:00", "08:00", "8h-12h", "08:00-08:00"])
def test_bad_windows(text: str) -> None:
    with pytest.raises(ValueError, match="window"):
        Window.parse(text)


def test_overlapping_windows_and_empty_calendars_are_rejected() -> None:
    with pytest.raises(ValueError, match="overlap"):
        BusinessCalendar(windows=(Window(time(8), time(12)), Window(time(11), time(17))))
    with pytest.raises(ValueError, match="window"):
        BusinessCalendar(windows=())
    with pytest.raises(ValueError, match="working day"):
        BusinessCalendar(workdays=frozenset())

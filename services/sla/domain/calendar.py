"""Business time: opening windows on working days in one time zone, less public holidays.

Business time is a measure on the timeline: the business time between two instants is how much of
the interval lies inside an opening window of a business day. `add_business(start, d)` is the
earliest instant at which `d` of business time has elapsed since `start`. Consequences, on purpose:

- a start outside hours begins counting at the next opening;
- a positive duration is due inside a window or exactly at a window's end (08:00 + 4h is 12:00, not
  14:00): the deadline is the moment the allowance runs out, not the next moment someone is at work;
- a zero duration is due at once, even outside hours (nothing has to elapse). This keeps
  `add_business(s, a + b) == add_business(add_business(s, a), b)` true for every `a`, `b`.

All instants are timezone-aware; results are in UTC. Naive datetimes are rejected because guessing
their zone would silently shift deadlines by seven hours.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import holidays

PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# A calendar whose every day is closed would make add_business loop for ever; ten years without a
# single business day can only be a configuration mistake.
_MAX_CLOSED_DAYS = 3660


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone was given where an instant is required."""


def as_utc(value: datetime, name: str = "datetime") -> datetime:
    """Return `value` converted to UTC; raise `NaiveDatetimeError` when it has no time zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(f"{name} must be timezone-aware (UTC), got naive {value.isoformat()}")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class Window:
    """One daily opening in local wall-clock time, `start` before `end` on the same day."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("window times are local wall-clock times and carry no time zone")
        if not self.start < self.end:
            raise ValueError(f"window must start before it ends: {self}")

    @classmethod
    def parse(cls, text: str) -> Window:
        """Parse `"HH:MM-HH:MM"` (seconds allowed: `"08:00:00-12:00:00"`)."""
        opening, sep, closing = text.partition("-")
        if not sep:
            raise ValueError(f"expected a window like '08:00-12:00', got {text!r}")
        try:
            return cls(time.fromisoformat(opening.strip()), time.fromisoformat(closing.strip()))
        except ValueError as error:
            raise ValueError(f"bad window {text!r}: {error}") from None

    @property
    def length(self) -> timedelta:
        """How long the window is open."""
        day = date(2000, 1, 1)
        return datetime.combine(day, self.end) - datetime.combine(day, self.start)

    def __str__(self) -> str:
        return f"{self.start.isoformat('minutes')}-{self.end.isoformat('minutes')}"


DEFAULT_WINDOWS = (Window(time(8), time(12)), Window(time(14), time(17)))


@dataclass(frozen=True)
class BusinessCalendar:
    """Working days and daily windows in `zone`, closed on Cambodian public holidays.

    Holidays are `holidays.KH` for each year (computed when first needed, then cached), plus
    `extra_holidays`, minus `removed_holidays`. Removing a date only undoes its holiday: a removed
    Saturday stays closed unless Saturday is a working day.
    """

    zone: ZoneInfo = PHNOM_PENH
    windows: tuple[Window, ...] = DEFAULT_WINDOWS
    workdays: frozenset[int] = frozenset(range(5))  # date.weekday(): Monday is 0
    extra_holidays: frozenset[date] = frozenset()
    removed_holidays: frozenset[date] = frozenset()
    _public: dict[int, frozenset[date]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    # Each day's open intervals in UTC, computed once: deadlines are counted over the same few weeks
    # again and again, and converting wall-clock times through the zone dominated the arithmetic.
    _days: dict[date, tuple[tuple[datetime, datetime], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        if not self.windows:
            raise ValueError("a business calendar needs at least one daily window")
        if not self.workdays:
            raise ValueError("a business calendar needs at least one working day")
        if not self.workdays <= set(range(7)):
            raise ValueError(f"working days are 0 (Monday) to 6 (Sunday), got {sorted(self.workdays)}")
        for earlier, later in pairwise(self.windows):
            if later.start < earlier.end:
                raise ValueError(f"windows must be in order and not overlap: {earlier} then {later}")

    @property
    def business_day(self) -> timedelta:
        """The business time of one full working day (7 h with the default windows)."""
        return sum((window.length for window in self.windows), timedelta())

    def is_holiday(self, day: date) -> bool:
        """Whether `day` is a public or extra holiday that has not been removed."""
        if day in self.removed_holidays:
            return False
        if day in self.extra_holidays:
            return True
        if day.year not in self._public:
            self._public[day.year] = frozenset(holidays.country_holidays("KH", years=day.year))
        return day in self._public[day.year]

    def is_business_day(self, day: date) -> bool:
        """Whether the windows open on `day` (a working day that is no holiday)."""
        return day.weekday() in self.workdays and not self.is_holiday(day)

    def add_business(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant by which `duration` of business time has elapsed since `start`."""
        start = as_utc(start, "start")
        if duration < timedelta():
            raise ValueError(f"duration must not be negative, got {duration}")
        if not duration:
            return start
        remaining = duration
        for opens, closes in self._openings(start):
            if remaining <= closes - opens:
                return opens + remaining
            remaining -= closes - opens
        raise AssertionError("unreachable: _openings never ends")

    def business_between(self, a: datetime, b: datetime) -> timedelta:
        """Business time elapsed from `a` to `b`; zero when `b` is not after `a`."""
        a, b = as_utc(a, "a"), as_utc(b, "b")
        total = timedelta()
        if b <= a:
            return total
        for opens, closes in self._openings(a):
            if opens >= b:
                break
            total += min(closes, b) - opens
        return total

    def add_plain(self, start: datetime, duration: timedelta) -> datetime:
        """`start + duration` in plain time, for deadlines that run day and night."""
        if duration < timedelta():
            raise ValueError(f"duration must not be negative, got {duration}")
        return as_utc(start, "start") + duration

    def _openings(self, since: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals in UTC, in order, clipped so that none begins before `since`."""
        day = since.astimezone(self.zone).date()
        closed_days = 0
        while True:
            intervals = self._days.get(day)
            if intervals is None:
                intervals = self._days[day] = self._intervals(day)
            if intervals:
                closed_days = 0
                for opens, closes in intervals:
                    clipped = max(opens, since)
                    if closes > clipped:
                        yield clipped, closes
            else:
                closed_days += 1
                if closed_days > _MAX_CLOSED_DAYS:
                    raise ValueError(f"no business day in the {_MAX_CLOSED_DAYS} days after {day}")
            day += timedelta(days=1)

    def _intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The day's windows as UTC intervals; none when it is not a business day."""
        if not self.is_business_day(day):
            return ()
        return tuple((self._instant(day, w.start), self._instant(day, w.end)) for w in self.windows)

    def _instant(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self.zone).astimezone(UTC)

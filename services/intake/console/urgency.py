"""How urgent an open case is: the time left on its SLA clock in words, and the inbox's order.

Pure, with the time passed in. The deadline itself is the SLA service's (read from its table by
``services/intake/sla_deadlines.py``); the console only says how far away it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from services.intake.sla_deadlines import RunningClock

Words = Callable[..., str]  # (key, **values) -> the text in the reader's language
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Remaining:
    """Whole minutes to the deadline (or past it, when ``overdue``), on which clock."""

    clock: str
    minutes: int
    overdue: bool


def remaining(running: RunningClock, now: datetime) -> Remaining:
    seconds = (running.due_at - now).total_seconds()
    # Time left rounds down and lateness up, so the page never promises a minute that is not there.
    minutes = int(seconds // 60) if seconds >= 0 else int(-seconds // 60)
    return Remaining(running.clock, minutes, seconds < 0)


def duration(minutes: int, words: Words) -> str:
    """``3 h 10 min``, ``2 d 4 h``: the two largest parts, no zero part but the only one."""
    if minutes < 1:
        return words("duration.under_minute")
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [("duration.days", days), ("duration.hours", hours), ("duration.minutes", mins)]
    shown = (
        [words(key, n=n) for key, n in parts if n][:2]
        if days
        else [words(key, n=n) for key, n in parts[1:] if n]
    )
    return " ".join(shown)


def time_left(running: RunningClock | None, status: str, now: datetime, words: Words) -> str:
    """ "3 h 10 min left to acknowledge", "acknowledgement 25 min late", or why no clock runs."""
    if running is None:
        return words("clock.waiting_citizen" if status == "awaiting_citizen" else "clock.none")
    left = remaining(running, now)
    key = f"overdue.{left.clock}" if left.overdue else f"left.{left.clock}"
    return words(key, duration=duration(left.minutes, words))


def by_urgency(
    cases: Sequence[T], due: Callable[[T], datetime | None], filed: Callable[[T], datetime]
) -> list[T]:
    """Nearest deadline first (overdue ones before all), cases with no running clock last; ties oldest
    first."""
    return sorted(cases, key=lambda case: (due(case) is None, due(case) or filed(case), filed(case)))

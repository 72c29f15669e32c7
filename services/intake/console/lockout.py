"""When repeated failed sign-ins lock an account (docs/console.md §Security rules); time is passed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_FAILURES = 5  # failed sign-ins in a row before the account is locked
LOCKED_FOR = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class AfterFailure:
    """The count to store after one more failed sign-in, and until when the account is locked (if it is)."""

    failures: int
    locked_until: datetime | None


def after_failure(failures_before: int, now: datetime) -> AfterFailure:
    """One more failure: the ``MAX_FAILURES``-th in a row locks the account for ``LOCKED_FOR``, and the
    count starts again, so the next lock needs as many failures after the first ends."""
    failures = failures_before + 1
    if failures >= MAX_FAILURES:
        return AfterFailure(0, now + LOCKED_FOR)
    return AfterFailure(failures, None)


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until

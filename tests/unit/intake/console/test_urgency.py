"""Time left on a case's SLA clock, in words, and the inbox's order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from services.intake.console.catalogue import Catalogue
from services.intake.console.urgency import by_urgency, duration, time_left
from services.intake.sla_deadlines import RunningClock

pytestmark = pytest.mark.unit
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EN = partial(Catalogue.load().text, "en")
KM = partial(Catalogue.load().text, "km")


def clock(name: str, **delta: float) -> RunningClock:
    return RunningClock(name, NOW + timedelta(**delta))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("running", "words"),
    [
        (clock("acknowledgement", hours=3, minutes=10), "3 h 10 min left to acknowledge"),
        (clock("acknowledgement", hours=3, minutes=10, seconds=59), "3 h 10 min left to acknowledge"),
        (clock("resolution", days=2, hours=4, minutes=30), "2 d 4 h left to resolve"),
        (clock("resolution", days=1), "1 d left to resolve"),
        (clock("triage", minutes=45), "45 min left to triage"),
        (clock("acknowledgement", seconds=20), "under 1 min left to acknowledge"),
        (clock("acknowledgement", minutes=-25), "acknowledgement 25 min late"),
        (clock("acknowledgement", minutes=-25, seconds=-1), "acknowledgement 25 min late"),
        (clock("resolution", hours=-1), "resolution 1 h late"),
    ],
)
def test_time_left_in_words(running: RunningClock, words: str) -> None:
    assert time_left(running, "assigned", NOW, EN) == words


def test_no_clock_says_why() -> None:
    assert time_left(None, "awaiting_citizen", NOW, EN) == "clock paused, waiting for the citizen"
    assert time_left(None, "assigned", NOW, EN) == "no deadline running"


def test_khmer_words_and_digits() -> None:
    running = clock("acknowledgement", hours=3, minutes=10)
    assert time_left(running, "assigned", NOW, KM) == "នៅសល់ ៣ ម៉ោង ១០ នាទី ដើម្បីទទួលស្គាល់"
    assert duration(0, KM) == "តិចជាង ១ នាទី"


def test_the_inbox_puts_the_nearest_deadline_first_and_cases_without_one_last() -> None:
    filed = {name: NOW - timedelta(days=i) for i, name in enumerate("abcde")}
    due = {
        "a": NOW + timedelta(hours=5),
        "b": None,
        "c": NOW - timedelta(hours=1),
        "d": NOW + timedelta(hours=1),
        "e": None,
    }
    ordered = by_urgency(list("abcde"), due.get, filed.__getitem__)
    assert ordered == ["c", "d", "a", "e", "b"]  # overdue, soonest, later; then no clock, oldest first

"""The working group's statistics (docs/console.md §Statistics): pure sums and medians over what the query
read, with small numbers marked as such.

A median over a handful of cases says little about a unit: one slow case moves it by hours. Such a median
is still shown, but flagged, and ranked after the units whose medians can be compared.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from services.intake.domain.case import Status

SMALL = 5  # a median over fewer cases than this is flagged: too few to compare
WINDOW_DAYS = 30  # the answers and breaches counted: those of the last 30 days
LEVELS = (0, 1, 2)  # the ladder's rungs (docs/architecture.md §Case lifecycle)
CLOCKS = ("acknowledgement", "resolution", "triage")
# Open statuses in lifecycle order, so the chart reads like the case's path.
OPEN_STATUSES: tuple[Status, ...] = (
    "filed", "needs_triage", "assigned", "acknowledged", "awaiting_citizen", "refused",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Median:
    """The median of ``cases`` durations in whole minutes (None when there is no case)."""

    minutes: int | None
    cases: int

    @property
    def small(self) -> bool:
        return self.cases < SMALL


def median_of(seconds: Sequence[float]) -> Median:
    if not seconds:
        return Median(None, 0)
    return Median(round(statistics.median(seconds) / 60), len(seconds))


@dataclass(frozen=True, slots=True)
class UnitTimes:
    """How long a unit took, over the window, from receiving a case to acknowledging and to resolving it."""

    unit_id: str
    acknowledge: Median
    resolve: Median


def unit_times(
    acknowledged: Mapping[str, Sequence[float]], resolved: Mapping[str, Sequence[float]]
) -> list[UnitTimes]:
    """Each unit that answered, slowest to acknowledge first; units whose acknowledgement median is over
    too few cases come after all the others, since their rank would mean nothing."""
    units = acknowledged.keys() | resolved.keys()
    rows = [
        UnitTimes(unit, median_of(acknowledged.get(unit, ())), median_of(resolved.get(unit, ())))
        for unit in units
    ]
    return sorted(
        rows,
        key=lambda row: (
            row.acknowledge.small,
            -(row.acknowledge.minutes if row.acknowledge.minutes is not None else -1),
            -(row.resolve.minutes if row.resolve.minutes is not None else -1),
            row.unit_id,
        ),
    )


@dataclass(frozen=True, slots=True)
class OpenCases:
    """Open (not resolved) cases: how many in all, by status and by province (None: a place not known)."""

    total: int
    by_status: list[tuple[Status, int]]
    by_province: list[tuple[str | None, int]]


def open_cases(counts: Iterable[tuple[str, str | None, int]]) -> OpenCases:
    """From ``(status, province, cases)`` counts: statuses in lifecycle order (each one, even at zero),
    provinces most cases first, the unknown place last."""
    statuses: Counter[str] = Counter()
    provinces: Counter[str | None] = Counter()
    for status, province, cases in counts:
        statuses[status] += cases
        provinces[province] += cases
    by_province = sorted(provinces.items(), key=lambda item: (item[0] is None, -item[1], item[0] or ""))
    return OpenCases(
        total=sum(statuses.values()),
        by_status=[(status, statuses[status]) for status in OPEN_STATUSES],
        by_province=by_province,
    )


@dataclass(frozen=True, slots=True)
class LevelBreaches:
    """Deadlines missed at one level of the ladder over the window, in all and by clock."""

    level: int
    total: int
    by_clock: dict[str, int]


def breaches_by_level(counts: Iterable[tuple[int, str, int]]) -> list[LevelBreaches]:
    """From ``(level, clock, breaches)`` counts: every level of the ladder, each with every clock."""
    found: Counter[tuple[int, str]] = Counter()
    for level, clock, breaches in counts:
        found[(level, clock)] += breaches
    levels = sorted(set(LEVELS) | {level for level, _ in found})
    return [
        LevelBreaches(
            level=level,
            total=sum(count for (at, _), count in found.items() if at == level),
            by_clock={clock: found[(level, clock)] for clock in CLOCKS},
        )
        for level in levels
    ]

"""The SLA policy (docs/contract.md §SLA policy): deadlines per category and level, the calendar, the
ladder, triage.

The YAML shape is documented at the top of deploy/sla-policy.yaml. `load_policy` reads and validates
a file; every problem is reported as `<file>: <field>: <message>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple, get_args
from zoneinfo import ZoneInfo

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    RootModel,
    ValidationError,
    field_validator,
    model_validator,
)

from services.sla.domain.calendar import WEEKDAYS, BusinessCalendar, Window
from shared.service.configuration import ConfigurationError

Category = Literal[
    "drugs", "theft", "violence", "domestic_violence", "traffic", "police_misconduct", "corruption",
    "land_dispute", "public_services", "flood_relief", "nuisance", "other",
]  # fmt: skip
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
CATEGORIES: tuple[str, ...] = get_args(Category)

_DURATION = re.compile(r"(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?")


@dataclass(frozen=True)
class Duration:
    """A length as written in the policy: whole days plus the part below a day.

    Days stay separate because a business day is the calendar's business hours (7 h by default)
    while a plain day is 24 h.
    """

    days: int
    rest: timedelta
    text: str

    @classmethod
    def parse(cls, value: object) -> Duration:
        """Parse `"3d"`, `"4h"`, `"1h30m"`, `"2d4h"`, `"30s"`; reject zero and negative lengths."""
        if isinstance(value, Duration):
            return value
        if not isinstance(value, str):
            raise ValueError(f"expected a duration like '3d', '4h', '1h30m' or '30s', got {value!r}")
        text = "".join(value.split())
        if text.startswith("-"):
            raise ValueError(f"durations cannot be negative, got {value!r}")
        match = _DURATION.fullmatch(text)
        if not text or match is None:
            raise ValueError(f"expected a duration like '3d', '4h', '1h30m' or '30s', got {value!r}")
        days, hours, minutes, seconds = (int(match[unit] or 0) for unit in "dhms")
        rest = timedelta(hours=hours, minutes=minutes, seconds=seconds)
        if not days and not rest:
            raise ValueError(f"a deadline must be longer than zero, got {value!r}")
        return cls(days, rest, text)


DurationText = Annotated[Duration, PlainValidator(Duration.parse), PlainSerializer(lambda d: d.text)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Deadline(_Frozen):
    """`{business: "3d"}`: 3 x a working day's hours, counted while open; `{plain: "30s"}`: day and night."""

    business: DurationText | None = None
    plain: DurationText | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Deadline:
        if (self.business is None) == (self.plain is None):
            raise ValueError("give exactly one of `business` or `plain`, e.g. {business: 2d}")
        return self

    @property
    def is_business(self) -> bool:
        """Whether this deadline counts business time only."""
        return self.business is not None

    def length(self, calendar: BusinessCalendar) -> timedelta:
        """The allowance in its own kind of time (business or plain)."""
        duration = self.business or self.plain
        assert duration is not None  # guaranteed by _exactly_one
        day = calendar.business_day if self.is_business else timedelta(days=1)
        return duration.days * day + duration.rest

    def due(self, calendar: BusinessCalendar, start: datetime, left: timedelta | None = None) -> datetime:
        """When the deadline falls if it runs from `start` with `left` (default: all) to go."""
        length = self.length(calendar) if left is None else left
        add = calendar.add_business if self.is_business else calendar.add_plain
        return add(start, length)

    def time_left(self, calendar: BusinessCalendar, now: datetime, due_at: datetime) -> timedelta:
        """How much of its kind of time is left at `now` before `due_at`; never negative."""
        if self.is_business:
            return calendar.business_between(now, due_at)
        return max(due_at - now, timedelta())


class ClockDeadlines(_Frozen):
    """The deadlines one table row sets; a missing one falls back to the next table (see deadlines_for)."""

    acknowledgement: Deadline | None = None
    resolution: Deadline | None = None


class Deadlines(NamedTuple):
    """The deadlines that apply to one case at one level."""

    acknowledgement: Deadline
    resolution: Deadline


def _known_categories(table: dict[str, ClockDeadlines]) -> dict[str, ClockDeadlines]:
    unknown = sorted(set(table) - {"default", *CATEGORIES})
    if unknown:
        raise ValueError(f"unknown categories {unknown}; known: default, {', '.join(CATEGORIES)}")
    return table


DeadlineTable = Annotated[dict[str, ClockDeadlines], AfterValidator(_known_categories)]


class CalendarConfig(_Frozen):
    """The `calendar` section: zone, working days, daily windows, holiday additions and removals."""

    zone: str = "Asia/Phnom_Penh"
    workdays: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    hours: tuple[str, ...] = ("08:00-12:00", "14:00-17:00")
    extra_holidays: tuple[date, ...] = ()
    removed_holidays: tuple[date, ...] = ()

    @field_validator("zone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ValueError, LookupError):  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"unknown time zone {zone!r}") from None
        return zone

    @field_validator("hours")
    @classmethod
    def _windows(cls, hours: tuple[str, ...]) -> tuple[str, ...]:
        for text in hours:
            Window.parse(text)
        return hours

    @model_validator(mode="after")
    def _consistent(self) -> CalendarConfig:
        self.build()  # raises ValueError on overlapping windows or no working day
        return self

    def build(self) -> BusinessCalendar:
        """The calendar this section describes."""
        return BusinessCalendar(
            zone=ZoneInfo(self.zone),
            windows=tuple(Window.parse(text) for text in self.hours),
            workdays=frozenset(WEEKDAYS.index(day) for day in self.workdays),
            extra_holidays=frozenset(self.extra_holidays),
            removed_holidays=frozenset(self.removed_holidays),
        )


class LadderLevel(_Frozen):
    """One rung: 0 the assigned unit, 1 the provincial level, 2 the working group."""

    level: int = Field(ge=0)
    name: str
    unit: str | None = None  # a fixed unit id; None: the unit registry picks it from the case's unit
    deadlines: DeadlineTable = {}


MAX_LEVELS = 3

_DEFAULT_LADDER = (
    LadderLevel(level=0, name="assigned unit"),
    LadderLevel(level=1, name="provincial level"),
    LadderLevel(level=2, name="working group", unit="moi-working-group"),
)


class Ladder(RootModel[tuple[LadderLevel, ...]]):
    """The escalation levels, numbered 0, 1, 2, ... in order; the last one is the top."""

    model_config = ConfigDict(frozen=True)

    @model_validator(mode="after")
    def _numbered(self) -> Ladder:
        if not self.root or [rung.level for rung in self.root] != list(range(len(self.root))):
            raise ValueError("levels must be numbered 0, 1, 2, ... in order")
        if len(self.root) > MAX_LEVELS:
            # Case events carry levels 0 to 2 (docs/contract.md §Case events): a fourth level could never be
            # recorded.
            raise ValueError(f"at most {MAX_LEVELS} levels (0 to {MAX_LEVELS - 1}), got {len(self.root)}")
        if self.root[-1].unit is None:
            raise ValueError("the top level must name its unit, e.g. unit: moi-working-group")
        return self

    @property
    def top(self) -> int:
        """The highest level: breaches there are recorded but escalate nowhere."""
        return len(self.root) - 1

    @property
    def top_unit(self) -> str:
        """The unit at the top (the working group), which also owns triage."""
        unit = self.root[-1].unit
        assert unit is not None  # guaranteed by _numbered
        return unit

    def at(self, level: int) -> LadderLevel:
        """The rung for `level`; levels above the top are treated as the top."""
        return self.root[min(max(level, 0), self.top)]


class SlaPolicy(_Frozen):
    """A validated policy file. `deadlines` is the base table; ladder levels may override it."""

    calendar: CalendarConfig = CalendarConfig()
    deadlines: DeadlineTable
    ladder: Ladder = Ladder(_DEFAULT_LADDER)
    triage: Deadline
    # How long a question to the citizen may hold the clocks (docs/contract.md §SLA policy): here with
    # the deadlines it moves, so that replicas and a rebuild by replay count it alike.
    citizen_reply_wait: Deadline = Deadline(business=Duration.parse("7d"))

    @field_validator("deadlines")
    @classmethod
    def _complete_default(cls, table: DeadlineTable) -> DeadlineTable:
        default = table.get("default")
        if default is None or default.acknowledgement is None or default.resolution is None:
            raise ValueError("needs a `default` entry with both acknowledgement and resolution")
        return table

    # deadlines_for's answers: every replayed assignment asks, and the policy never changes.
    _looked_up: dict[tuple[str, int], Deadlines] = PrivateAttr(default_factory=dict)

    @cached_property
    def business_calendar(self) -> BusinessCalendar:
        """The calendar deadlines are counted in (built once, it caches holidays per year)."""
        return self.calendar.build()

    def deadlines_for(self, category: str | None, level: int) -> Deadlines:
        """Deadlines for `category` at `level`, each clock looked up on its own, first hit wins:
        the level's row for the category, the level's `default`, the base row, the base `default`.
        An unknown or missing category uses the `default` rows."""
        key = category if category in CATEGORIES else "default"
        found = self._looked_up.get((key, level))
        if found is None:
            found = self._looked_up[(key, level)] = self._look_up(key, level)
        return found

    def _look_up(self, key: str, level: int) -> Deadlines:
        tables = (self.ladder.at(level).deadlines, self.deadlines)
        found = [row for table in tables for row in (table.get(key), table.get("default")) if row]
        acknowledgement = next(row.acknowledgement for row in found if row.acknowledgement is not None)
        resolution = next(row.resolution for row in found if row.resolution is not None)
        return Deadlines(acknowledgement, resolution)


class _Loader(yaml.SafeLoader):
    """A safe loader that leaves dates as text, so that pydantic names the field of a bad one
    (PyYAML itself fails on 2026-02-30 with no location)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class PolicyError(ConfigurationError):
    """The policy file cannot be used; `problems` lists `(field, message)` pairs."""

    def __init__(self, path: Path, problems: list[tuple[str, str]]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}: {field}: {message}" for field, message in problems))


def load_policy(path: str | Path) -> SlaPolicy:
    """Read and validate the SLA policy YAML at `path`; raise `PolicyError` listing every problem."""
    path = Path(path)
    try:
        raw: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # _Loader is a SafeLoader
    except OSError as error:
        raise PolicyError(path, [("(file)", error.strerror or str(error))]) from None
    except yaml.YAMLError as error:
        raise PolicyError(path, [("(yaml)", str(error).replace("\n", " "))]) from None
    try:
        return SlaPolicy.model_validate(raw)
    except ValidationError as error:
        raise PolicyError(
            path, [(_field(e["loc"]), e["msg"].removeprefix("Value error, ")) for e in error.errors()]
        ) from None


def _field(loc: tuple[int | str, ...]) -> str:
    """`('ladder', 1, 'deadlines', 'drugs')` -> `ladder[1].deadlines.drugs`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"

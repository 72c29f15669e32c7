"""The query of Open311's ``GET requests``: which cases, checked and completed with the time passed in.

``service_request_id`` (references, comma-separated) overrides every other filter, as the standard says.
Otherwise the cases filed between ``start_date`` and ``end_date``: a range may span at most 90 days; one
end left out is 90 days from the other, both left out the last 90 days. Dates are W3C datetimes; one
without an offset is Cambodian time (UTC+7), a date alone its midnight there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from services.intake.domain.open311_services import BY_CODE
from services.intake.domain.open311_status import Open311Status
from services.intake.domain.problems import Problem

MAX_SPAN = timedelta(days=90)
MAX_REFERENCES = 100
CAMBODIA_TIME = timezone(timedelta(hours=7), "ICT")  # no daylight saving


class FilterError(ValueError):
    """The query cannot be answered; ``problems`` lists every reason."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class RequestFilter:
    """Cases filed in ``[start, end]``, of ``categories`` and ``statuses`` (None: any); or ``references``."""

    start: datetime
    end: datetime
    categories: tuple[str, ...] | None = None
    statuses: tuple[Open311Status, ...] | None = None
    references: tuple[str, ...] | None = None


def request_filter(params: Mapping[str, str], now: datetime) -> RequestFilter:
    """The filter the query parameters ask for; raises :class:`FilterError` listing every problem."""
    problems: list[Problem] = []
    references = _listed(params.get("service_request_id"))
    if references is not None and len(references) > MAX_REFERENCES:
        problems.append(
            Problem("service_request_id", f"at most {MAX_REFERENCES} ids at once", "invalid_field")
        )
    categories = _listed(params.get("service_code"))
    unknown = [code for code in categories or () if code not in BY_CODE]
    if unknown and references is None:
        problems.append(Problem("service_code", "is not a service of services.json", "unknown_category"))
    statuses = _listed(params.get("status"))
    if statuses is not None and not set(statuses) <= {"open", "closed"}:
        problems.append(Problem("status", "must be open or closed (comma-separated)", "invalid_field"))
    start = _moment(params.get("start_date"), "start_date", problems)
    end = _moment(params.get("end_date"), "end_date", problems)
    if start is not None and end is not None:
        if end < start:
            problems.append(Problem("end_date", "must not be before start_date", "invalid_field"))
        elif end - start > MAX_SPAN and references is None:
            problems.append(Problem("end_date", "the date range may span at most 90 days", "range_too_long"))
    if problems:
        raise FilterError(tuple(problems))
    if start is None and end is None:
        end = now
    if start is None:
        assert end is not None
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if references is not None:
        return RequestFilter(start, end, references=tuple(r.upper() for r in references))
    kept: tuple[Open311Status, ...] | None = None
    if statuses is not None:
        kept = tuple("closed" if s == "closed" else "open" for s in dict.fromkeys(statuses))
    return RequestFilter(start, end, categories, kept)


def _listed(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = tuple(dict.fromkeys(item.strip() for item in value.split(",") if item.strip()))
    return items or None


def _moment(value: str | None, field: str, problems: list[Problem]) -> datetime | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text) if "T" in text else _midnight(date.fromisoformat(text))
    except ValueError:
        problems.append(
            Problem(field, "must be a W3C datetime, e.g. 2026-01-31T00:00:00+07:00", "invalid_field")
        )
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=CAMBODIA_TIME)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CAMBODIA_TIME)

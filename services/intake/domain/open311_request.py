"""An Open311 ``POST requests`` form made into a submission to file, with every problem listed at once.

The form's fields are strings (``attribute[code]`` ones apart); :func:`parse_request` checks them all and
answers a :class:`ChannelSubmission` of channel ``open311``, or raises :class:`SubmissionError` naming
each field in the standard's terms. Where it happened comes from, in this order (docs/open311.md
§Locations): the ``province``/``district``/``commune`` attributes; ``lat``+``long`` placed by the point
locator; ``address_string`` read by the place finder of free-text channels, which files the complaint
with an unknown location (routing triages it) when it names no place. One of the three must be given.

Contact fields go to the vault only: a phone makes the citizen reachable (names kept with it); without
one the complaint is anonymous and the names are dropped, as nothing could reach them. ``email`` is not
kept at all: no channel of this system writes e-mail. Messages never repeat a value sent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from pydantic import ValidationError

from services.intake.domain.open311_services import BY_CODE, LANGUAGES, SUBJECT_KINDS
from services.intake.domain.phone import e164
from services.intake.domain.place_finder import find_places
from services.intake.domain.point_location import OutsideCambodiaError, PointLocator, PointPlace
from services.intake.domain.problems import Problem, problems_of
from services.intake.domain.submission import (
    MAX_TEXT,
    ChannelSubmission,
    Citizen,
    Location,
    SubjectIn,
    SubmissionError,
    text_problem,
)
from shared.events.types import Category, Language, SubjectKind
from shared.places.gazetteer import Gazetteer
from shared.places.records import iso_of

CHANNEL: Final = "open311"
FIELDS = frozenset({"service_code", "description", "lat", "long", "address_string", "phone", "first_name",
                    "last_name"})  # fmt: skip
PLACE_ATTRIBUTES = ("province", "district", "commune")
ATTRIBUTES = frozenset({*PLACE_ATTRIBUTES, "village", "subject_kind", "subject_name", "language"})
_LANGUAGES: dict[str, Language] = {key: key for key, _ in LANGUAGES}
_SUBJECT_KINDS: dict[str, SubjectKind] = {key: key for key, _ in SUBJECT_KINDS}
# Every field is text (checked by the same rule as the web form's and Kafka's); these are the limits of
# those the form's own checks do not bound.
_LIMITS = {"first_name": 150, "last_name": 150, "address_string": 1000, "village": 200, "subject_name": 300,
           "province": 200, "district": 200, "commune": 200, "description": MAX_TEXT}  # fmt: skip
_UNBOUNDED = MAX_TEXT  # fields parsed further (codes, numbers, the phone) need no limit of their own


class _Problems:
    def __init__(self) -> None:
        self.found: list[Problem] = []

    def add(self, field: str | None, message: str, reason: str) -> None:
        self.found.append(Problem(field, message, reason))


def parse_request(
    fields: Mapping[str, str],
    attributes: Mapping[str, str],
    *,
    gazetteer: Gazetteer,
    locator: PointLocator,
    message_id: str,
    received_at: datetime,
) -> ChannelSubmission:
    """The submission an Open311 form files; raises :class:`SubmissionError` listing every problem."""
    problems = _Problems()
    given = {key: value.strip() for key, value in fields.items() if value.strip()}
    extra = {key: value.strip() for key, value in attributes.items() if value.strip()}
    used = [(key, value) for key, value in given.items() if key in FIELDS]
    for key, value in [*used, *((k, v) for k, v in extra.items() if k in ATTRIBUTES)]:
        problem = text_problem(value, _LIMITS.get(key, _UNBOUNDED))
        if problem is not None:
            reason = problem.type if problem.type == "nul_character" else _too_long(key)
            problems.add(_name(key), problem.message(), reason)
    for code in sorted(set(extra) - ATTRIBUTES):
        problems.add(f"attribute[{code}]", "is not an attribute of this service", "unknown_field")
    category = _service(given.get("service_code"), problems)
    text = _description(given.get("description"), problems)
    citizen = _citizen(given, extra.get("language"), problems)
    subject = _subject(extra, problems)
    location = _location(given, extra, gazetteer, locator, problems)
    if problems.found:
        raise SubmissionError(tuple(dict.fromkeys(problems.found)), CHANNEL)
    return ChannelSubmission.model_construct(
        channel=CHANNEL, channel_message_id=message_id, submitted_at=received_at, citizen=citizen,
        text=text, category=category, location=location, subject=subject, assisted_by=None,
    )  # fmt: skip


def _too_long(key: str) -> str:
    return "invalid_text" if key == "description" else "invalid_field"


def _name(key: str) -> str:
    return f"attribute[{key}]" if key in ATTRIBUTES else key


def _service(code: str | None, problems: _Problems) -> Category | None:
    if code is None:
        problems.add("service_code", "is required", "missing_field")
        return None
    service = BY_CODE.get(code)
    if service is None:
        problems.add("service_code", "is not a service of services.json", "unknown_category")
        return None
    return service.code


def _description(text: str | None, problems: _Problems) -> str:
    if text is None:
        problems.add("description", "is required: it is the complaint", "missing_field")
        return ""
    return text


def _citizen(given: Mapping[str, str], wanted: str | None, problems: _Problems) -> Citizen:
    language = _LANGUAGES.get(wanted or "km")
    if language is None:
        problems.add("attribute[language]", "must be km or en", "invalid_field")
    phone = given.get("phone")
    if phone is None:
        return Citizen.model_construct(
            name=None, phone=None, facebook_psid=None, language=language or "km", anonymous=True
        )
    number = e164(phone)
    if number is None:
        problems.add(
            "phone",
            "is not a valid phone number (Cambodian local like 012 345 678, or E.164)",
            "invalid_phone",
        )
    name = " ".join(part for part in (given.get("first_name"), given.get("last_name")) if part) or None
    return Citizen.model_construct(
        name=name, phone=number, facebook_psid=None, language=language or "km", anonymous=False
    )


def _subject(extra: Mapping[str, str], problems: _Problems) -> SubjectIn | None:
    wanted, name = extra.get("subject_kind"), extra.get("subject_name")
    kind = None if wanted is None else _SUBJECT_KINDS.get(wanted)
    if wanted is not None and kind is None:
        problems.add("attribute[subject_kind]", "is not one of the listed values", "invalid_field")
    if kind is None and name is None:
        return None
    return SubjectIn.model_construct(kind=kind, name=name)


def _location(
    given: Mapping[str, str],
    extra: Mapping[str, str],
    gazetteer: Gazetteer,
    locator: PointLocator,
    problems: _Problems,
) -> Location | None:
    point = _point(given, locator, problems)
    if point is None and ("lat" in given or "long" in given):
        return None  # its problem is listed
    village = extra.get("village")
    if any(key in extra for key in PLACE_ATTRIBUTES):
        return _from_attributes(extra, point, gazetteer, problems)
    if point is not None:
        return Location.model_construct(
            province=point.place.province, district=point.place.district, commune=None, village=village,
            lat=point.lat, lon=point.lon,
        )  # fmt: skip
    address = given.get("address_string")
    if address is None:
        problems.add(
            None, "a location is required: lat and long, address_string, or attribute[province]",
            "missing_location",
        )  # fmt: skip
        return None
    found = find_places(gazetteer, address)
    if found.province is None:
        return None  # filed all the same, with an unknown location: routing triages it
    return Location.model_construct(
        province=found.province, district=found.district, commune=found.commune, village=village,
        lat=None, lon=None,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Point:
    lat: float
    lon: float
    place: PointPlace


def _point(given: Mapping[str, str], locator: PointLocator, problems: _Problems) -> _Point | None:
    raw_lat, raw_lon = given.get("lat"), given.get("long")
    if raw_lat is None and raw_lon is None:
        return None
    if raw_lat is None or raw_lon is None:
        problems.add("lat" if raw_lat is None else "long", "lat and long go together", "missing_field")
        return None
    lat, lon = _number(raw_lat, 90), _number(raw_lon, 180)
    if lat is None:
        problems.add("lat", "must be a latitude in decimal degrees (WGS84)", "invalid_field")
    if lon is None:
        problems.add("long", "must be a longitude in decimal degrees (WGS84)", "invalid_field")
    if lat is None or lon is None:
        return None
    try:
        return _Point(lat, lon, locator.locate(lat, lon))
    except OutsideCambodiaError:
        problems.add("lat", "lat and long lie outside Cambodia", "outside_cambodia")
        return None


def _number(raw: str, bound: float) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) and -bound <= value <= bound else None


def _from_attributes(
    extra: Mapping[str, str], point: _Point | None, gazetteer: Gazetteer, problems: _Problems
) -> Location | None:
    """The place the attributes name, checked by the gazetteer as the web form's; a province left out is
    the point's, or that of the district or commune named (when its name is unique)."""
    province = extra.get("province") or (point.place.province if point else None)
    for key, resolve in (("district", gazetteer.resolve_district), ("commune", gazetteer.resolve_commune)):
        value = extra.get(key)
        if province is None and value is not None and (found := resolve(value)).code is not None:
            province = iso_of(found.code)
    if province is None:
        problems.add("attribute[province]", "is required with attribute[district] or attribute[commune] "
                     "whose name is not unique", "missing_location")  # fmt: skip
        return None
    raw = {
        "province": province, "district": extra.get("district"), "commune": extra.get("commune"),
        "village": extra.get("village"), "lat": point and point.lat, "lon": point and point.lon,
    }  # fmt: skip
    try:
        return Location.model_validate(raw, context={"gazetteer": gazetteer})
    except ValidationError as error:
        for problem in problems_of(error):
            problems.add(f"attribute[{problem.field}]", problem.message, problem.reason)
        return None

"""An Open311 form to a submission: where it happened, who complains, and every bad input named."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.intake.domain.complaint import complaint_from
from services.intake.domain.open311_request import parse_request
from services.intake.domain.point_location import PointLocator
from services.intake.domain.submission import ChannelSubmission, SubmissionError
from services.intake.landmarks import load_landmarks
from shared.places.gazetteer import load_gazetteer
from tests.unit.intake.samples import NAME, PHONE_E164, PHONE_LOCAL

pytestmark = pytest.mark.unit
GAZETTEER = load_gazetteer()
LOCATOR = PointLocator(load_landmarks(GAZETTEER))
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
SIEM_REAP = {"lat": "13.3618", "long": "103.8606"}


def form(**changes: str | None) -> dict[str, str]:
    """A valid form at Siem Reap, anonymous; ``None`` removes a field."""
    fields = {"service_code": "theft", "description": "My motorbike was stolen at the market", **SIEM_REAP}
    for key, value in changes.items():
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    return fields


def parse(fields: dict[str, str], attributes: dict[str, str] | None = None) -> ChannelSubmission:
    return parse_request(
        fields, attributes or {}, gazetteer=GAZETTEER, locator=LOCATOR, message_id="m-1", received_at=NOW
    )


def problems(fields: dict[str, str], attributes: dict[str, str] | None = None) -> dict[str | None, str]:
    with pytest.raises(SubmissionError) as refused:
        parse(fields, attributes)
    assert refused.value.channel == "open311"
    return {p.field: p.reason for p in refused.value.problems}


def test_a_point_is_filed_in_its_province_on_the_open311_channel() -> None:
    submission = parse(form())
    assert (submission.channel, submission.channel_message_id, submission.submitted_at) == (
        "open311",
        "m-1",
        NOW,
    )
    assert (submission.category, submission.text) == ("theft", "My motorbike was stolen at the market")
    assert submission.location is not None
    assert (submission.location.province, submission.location.lat, submission.location.lon) == (
        "KH-17", 13.3618, 103.8606,
    )  # fmt: skip
    complaint = complaint_from(submission, GAZETTEER)
    assert complaint.location.province == "KH-17"
    assert complaint.contact is None  # no phone: anonymous


def test_a_phone_makes_a_reachable_citizen_with_the_names_and_the_email_is_kept_nowhere() -> None:
    first, last = NAME.split()
    submission = parse(
        form(phone=PHONE_LOCAL, first_name=first, last_name=last, email="dara@example.org"),
        {"language": "en"},
    )
    assert (submission.citizen.phone, submission.citizen.name, submission.citizen.language) == (
        PHONE_E164, NAME, "en",
    )  # fmt: skip
    assert not submission.citizen.anonymous
    assert "example.org" not in repr(submission.model_dump())


def test_names_without_a_phone_are_dropped() -> None:
    submission = parse(form(first_name="Sok", last_name="Dara"))
    assert submission.citizen.anonymous
    assert submission.citizen.name is None


def test_attributes_name_the_place_in_english_or_khmer_and_win_over_the_point() -> None:
    submission = parse(
        form(), {"province": "ភ្នំពេញ", "district": "Chamkar Mon", "village": "Phsar Daeum Thkov"}
    )
    assert submission.location is not None
    assert (submission.location.province, submission.location.district) == ("KH-12", "1201")
    assert submission.location.village == "Phsar Daeum Thkov"
    assert submission.location.lat == 13.3618  # the point is kept as sent


def test_a_district_alone_gives_its_province_when_its_name_is_unique() -> None:
    submission = parse(form(lat=None, long=None), {"district": "1203"})
    assert submission.location is not None
    assert (submission.location.province, submission.location.district) == ("KH-12", "1203")


def test_an_address_string_is_read_by_the_place_finder() -> None:
    submission = parse(form(lat=None, long=None, address_string="Phsar Leu, Puok district, Siem Reap"))
    assert submission.location is not None
    assert (submission.location.province, submission.location.district) == ("KH-17", "1707")


def test_an_address_naming_no_place_files_with_an_unknown_location() -> None:
    submission = parse(form(lat=None, long=None, address_string="near the big tree behind the school"))
    assert submission.location is None
    assert complaint_from(submission, GAZETTEER).location.province is None  # routing triages it


def test_subject_attributes_are_kept() -> None:
    submission = parse(form(), {"subject_kind": "police_station", "subject_name": "Puok police post"})
    assert submission.subject is not None
    assert (submission.subject.kind, submission.subject.name) == ("police_station", "Puok police post")
    assert complaint_from(submission, GAZETTEER).confidential  # about the police


@pytest.mark.parametrize(
    ("fields", "attributes", "expected"),
    [
        (form(service_code=None), {}, {"service_code": "missing_field"}),
        (form(service_code="potholes"), {}, {"service_code": "unknown_category"}),
        (form(lat=None, long=None), {}, {None: "missing_location"}),
        (form(description="ក" * 4001), {}, {"description": "invalid_text"}),
        (form(description=None), {}, {"description": "missing_field"}),
        (form(lat="13.7563", long="100.5018"), {}, {"lat": "outside_cambodia"}),  # Bangkok
        (form(lat="91", long="104.9"), {}, {"lat": "invalid_field"}),
        (form(long=None), {}, {"long": "missing_field"}),
        (form(lat="north"), {}, {"lat": "invalid_field"}),
        (form(phone="12345"), {}, {"phone": "invalid_phone"}),
        (form(), {"province": "Atlantis"}, {"attribute[province]": "unknown_province"}),
        (form(), {"colour": "red"}, {"attribute[colour]": "unknown_field"}),
        (form(), {"language": "fr"}, {"attribute[language]": "invalid_field"}),
        (form(), {"subject_kind": "school"}, {"attribute[subject_kind]": "invalid_field"}),
        (form(description="a\x00b"), {}, {"description": "nul_character"}),
    ],
)
def test_each_bad_input_is_named(
    fields: dict[str, str], attributes: dict[str, str], expected: dict[str | None, str]
) -> None:
    assert problems(fields, attributes) == expected


def test_every_problem_is_listed_at_once() -> None:
    found = problems(form(service_code="potholes", description="x" * 4001, phone="1", lat="0", long="0"))
    assert found == {
        "service_code": "unknown_category", "description": "invalid_text", "phone": "invalid_phone",
        "lat": "outside_cambodia",
    }  # fmt: skip


def test_messages_do_not_repeat_what_was_sent() -> None:
    with pytest.raises(SubmissionError) as refused:
        parse(form(phone="099 999", service_code="secret-code"))
    text: Any = " ".join(p.message for p in refused.value.problems)
    assert "099" not in text
    assert "secret-code" not in text


@pytest.mark.parametrize("key", ["province", "district", "commune"])
def test_a_place_attribute_that_names_no_place_is_refused_without_repeating_it(key: str) -> None:
    given = f"{NAME} {PHONE_LOCAL}"
    attributes = {"province": "Phnom Penh", key: given}
    with pytest.raises(SubmissionError) as refused:
        parse(form(), attributes)
    (problem,) = refused.value.problems
    assert (problem.field, problem.reason) == (f"attribute[{key}]", f"unknown_{key}")
    assert NAME not in problem.message
    assert PHONE_LOCAL not in problem.message

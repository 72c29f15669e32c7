"""Validating and normalising submissions: bad input refused with every reason, good input made exact."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.intake.domain.complaint import complaint_from
from services.intake.domain.problems import Problem
from services.intake.domain.submission import (
    ChannelSubmission,
    SubmissionError,
    parse_submission,
    parse_web_submission,
)
from shared.places.gazetteer import load_gazetteer
from tests.unit.intake.samples import KHMER_TEXT, PHONE_E164, encode, submission, web_submission

pytestmark = pytest.mark.unit
GAZETTEER = load_gazetteer()
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def parse(body: dict[str, object]) -> ChannelSubmission:
    return parse_submission(encode(body), GAZETTEER)


def problems(raw: bytes) -> tuple[Problem, ...]:
    with pytest.raises(SubmissionError) as refused:
        parse_submission(raw, GAZETTEER)
    return refused.value.problems


def fields(body: dict[str, object]) -> dict[str | None, str]:
    return {p.field: p.reason for p in problems(encode(body))}


def test_a_valid_submission_is_accepted_with_its_phone_in_e164_and_its_places_as_codes() -> None:
    accepted = parse(submission())
    assert accepted.citizen.phone == PHONE_E164
    assert accepted.location is not None
    assert (accepted.location.province, accepted.location.district) == ("KH-17", "1707")


@pytest.mark.parametrize("raw", [b"{not json", b"", b"\xff\xfe\x00", b'{"channel": "sms",'])
def test_bytes_that_are_not_json_are_refused_with_no_field(raw: bytes) -> None:
    (problem,) = problems(raw)
    assert problem.field is None
    assert problem.reason == "not_json"


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"a string"', b"42", b"null"])
def test_json_that_is_no_object_is_refused_with_no_field(raw: bytes) -> None:
    (problem,) = problems(raw)
    assert (problem.field, problem.reason) == (None, "not_an_object")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"text": 42}, "text"),
        ({"channel_message_id": 7}, "channel_message_id"),
        ({"citizen": {"phone": "012345678", "anonymous": "no"}}, "citizen.anonymous"),
        ({"citizen": "Sok"}, "citizen"),
        ({"location": {"province": 17}}, "location.province"),
        ({"location": {"province": "KH-17", "lat": "13.5"}}, "location.lat"),
        ({"subject": {"kind": "police_station", "name": 5}}, "subject.name"),
    ],
)
def test_wrong_types_are_refused(change: dict[str, object], field: str) -> None:
    assert fields(submission(**change)) == {field: "wrong_type"}


@pytest.mark.parametrize("text", ["", "   \n\t ", "x" * 4001, " " + "ក" * 4001])
def test_empty_or_over_4000_character_text_is_refused(text: str) -> None:
    assert fields(submission(text=text)) == {"text": "invalid_text"}


def test_4000_characters_of_khmer_are_accepted_and_counted_as_characters_not_bytes() -> None:
    assert len(parse(submission(text="ក" * 4000)).text) == 4000


@pytest.mark.parametrize("province", ["Atlantis", "KH-26", "KH-0", "99", "ខេត្តអត្លង់ទិស"])
def test_an_unknown_province_is_refused(province: str) -> None:
    assert fields(submission(location={"province": province})) == {"location.province": "unknown_province"}


@pytest.mark.parametrize("phone", ["123", "+855 23 123 456 789", "phone me", "0231234567", "+999123456789"])
def test_an_invalid_phone_number_is_refused(phone: str) -> None:
    assert fields(submission(citizen={"phone": phone})) == {"citizen.phone": "invalid_phone"}


@pytest.mark.parametrize(
    "citizen", [{}, {"name": "Sok"}, {"phone": ""}, {"anonymous": False, "language": "en"}]
)
def test_a_citizen_who_is_not_anonymous_needs_a_phone_or_a_messenger_id(citizen: dict[str, object]) -> None:
    assert fields(submission(citizen=citizen)) == {"citizen": "unreachable_citizen"}


def test_an_anonymous_citizen_needs_no_contact() -> None:
    assert parse(submission(citizen={"anonymous": True})).citizen.anonymous


@pytest.mark.parametrize("category", ["robbery", "Theft", ""])
def test_an_unknown_category_is_refused(category: str) -> None:
    assert fields(submission(category=category)) == {"category": "unknown_category"}


def test_every_problem_is_listed_at_once() -> None:
    found = fields(
        submission(
            channel="pigeon",
            text="",
            category="robbery",
            citizen={"phone": "12"},
            location={"province": "Atlantis", "district": "Nowhere"},
            submitted_at="yesterday",
            colour="red",
        )
    )
    assert found == {
        "channel": "unknown_channel",
        "text": "invalid_text",
        "category": "unknown_category",
        "citizen.phone": "invalid_phone",
        "location.province": "unknown_province",
        "location.district": "unknown_district",
        "submitted_at": "invalid_field",
        "colour": "unknown_field",
    }


def test_missing_fields_are_each_named() -> None:
    assert fields({"channel": "web"}) == {
        "citizen": "missing_field", "text": "missing_field", "channel_message_id": "missing_field",
        "submitted_at": "missing_field", "location": "missing_field",
    }  # fmt: skip


def test_a_submitted_at_without_an_offset_is_refused() -> None:
    assert fields(submission(submitted_at="2026-11-24T10:15:00")) == {"submitted_at": "invalid_field"}


def test_the_nul_character_is_refused_before_it_reaches_the_database() -> None:
    assert fields(submission(text="a\u0000b")) == {"text": "nul_character"}


def test_messages_never_repeat_the_values_sent() -> None:
    secret = "+85599999999999"
    for problem in problems(encode(submission(citizen={"phone": secret, "name": "x" * 301}))):
        assert secret not in problem.message
        assert "xxxx" not in problem.message


@pytest.mark.parametrize(
    "province", ["KH-12", "kh-12", "12", "Phnom Penh", "phnom-penh", "រាជធានីភ្នំពេញ", "ភ្នំពេញ"]
)
def test_a_province_is_accepted_as_iso_code_number_english_or_khmer_name(province: str) -> None:
    location = parse(submission(location={"province": province})).location
    assert location is not None
    assert location.province == "KH-12"


@pytest.mark.parametrize(
    ("district", "commune"),
    [("1202", "120201"), ("Doun Penh", "Phsar Thmei Ti Muoy"), ("ដូនពេញ", "120201"), (None, "Phsar Thmei 1")],
)
def test_districts_and_communes_resolve_to_gazetteer_codes(district: str | None, commune: str) -> None:
    place = {"province": "Phnom Penh", "commune": commune} | ({"district": district} if district else {})
    location = parse(submission(location=place)).location
    assert location is not None
    assert (location.district, location.commune) == (district and "1202", "120201")


def test_a_district_of_another_province_keeps_its_code_for_routing_to_triage() -> None:
    location = parse(submission(location={"province": "KH-17", "district": "1202"})).location
    assert location is not None
    assert (location.province, location.district) == ("KH-17", "1202")


@pytest.mark.parametrize(
    "phone", ["012 345 678", "012345678", "+855 12 345 678", "85512345678", "+85512345678"]
)
def test_cambodian_local_and_e164_phones_are_stored_as_e164(phone: str) -> None:
    assert parse(submission(citizen={"phone": phone})).citizen.phone == PHONE_E164


def test_text_is_trimmed_and_otherwise_kept_exactly() -> None:
    text = "\u200b" + KHMER_TEXT + "\r\n  ក្រុង  "
    assert parse(submission(text=f"  \n{text}\t ")).text == text.strip()


def test_free_text_channels_find_the_place_in_the_text() -> None:
    accepted = parse(submission(channel="sms", location=None, citizen={"phone": "012345678"}))
    complaint = complaint_from(accepted, GAZETTEER)
    assert (complaint.location.province, complaint.location.district) == ("KH-17", "1707")


def test_a_free_text_complaint_naming_no_place_is_filed_with_an_unknown_location() -> None:
    citizen = {"facebook_psid": "1"}
    body = submission(channel="facebook", location=None, text="they stole my moto", citizen=citizen)
    complaint = complaint_from(parse(body), GAZETTEER)
    assert complaint.location.province is None


def test_structured_channels_need_a_location() -> None:
    assert fields(submission(channel="commune_office", location=None)) == {"location": "missing_field"}


def test_a_web_submission_takes_its_message_id_and_time_from_the_request_when_the_body_has_none() -> None:
    accepted = parse_web_submission(encode(web_submission(submitted_at=None)), GAZETTEER, "key-1", NOW)
    assert (accepted.channel, accepted.channel_message_id, accepted.submitted_at) == ("web", "key-1", NOW)
    given = parse_web_submission(encode(web_submission(channel_message_id="own")), GAZETTEER, "key-1", NOW)
    assert given.channel_message_id == "own"


def test_a_web_submission_may_not_name_its_channel() -> None:
    with pytest.raises(SubmissionError) as refused:
        parse_web_submission(encode(web_submission() | {"channel": "sms"}), GAZETTEER, "key-1", NOW)
    assert [(p.field, p.reason) for p in refused.value.problems] == [("channel", "unknown_field")]


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_an_optional_text_sent_as_null_or_blank_is_left_out_on_every_door(empty: str | None) -> None:
    citizen = {"name": empty, "phone": PHONE_E164, "facebook_psid": empty}
    location = {"province": "KH-12", "district": empty, "commune": empty, "village": empty}
    subject = {"kind": "police_station", "name": empty}
    assisted = {"official": empty, "office": empty}
    body = web_submission(citizen=citizen, location=location, subject=subject, assisted_by=assisted)
    web = parse_web_submission(encode(body), GAZETTEER, "m-1", NOW)
    kafka = parse(submission(citizen=citizen, location=location, subject=subject, assisted_by=assisted))
    for accepted in (web, kafka):
        assert (accepted.citizen.name, accepted.location and accepted.location.village) == (None, None)
        assert accepted.subject is not None
        assert accepted.subject.name is None


def test_text_too_long_or_holding_nul_is_named_by_field_without_its_value() -> None:
    secret = "Sok Dara 012345678 "
    citizen = {"name": secret * 20, "phone": PHONE_E164}
    location = {"province": "KH-12", "village": secret * 20, "district": "Sok\x00Dara"}
    found = problems(encode(submission(citizen=citizen, location=location)))
    assert {p.field: p.message for p in found} == {
        "citizen.name": "must be at most 300 characters",
        "location.district": "must not contain the NUL character (U+0000)",
        "location.village": "must be at most 200 characters",
    }


@pytest.mark.parametrize(
    ("location", "field"),
    [
        ({"province": "Sok Dara 012345678"}, "location.province"),
        ({"province": "KH-12", "district": "Sok Dara 012345678"}, "location.district"),
        ({"province": "KH-12", "district": "9999"}, "location.district"),
        ({"province": "KH-12", "commune": "Sok Dara 012345678"}, "location.commune"),
        ({"province": "KH-12", "commune": "999999"}, "location.commune"),
    ],
)
def test_a_place_the_gazetteer_cannot_place_is_named_without_echoing_it(
    location: dict[str, str], field: str
) -> None:
    (problem,) = problems(encode(submission(location=location)))
    assert problem.field == field
    for given in location.values():
        if given != "KH-12":
            assert given not in problem.message

"""From a valid submission to the ComplaintFiled data: confidentiality, the contact kept apart, ids."""

from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.intake.domain.complaint import Complaint, complaint_from, is_confidential
from services.intake.domain.identity import ALPHABET, case_id_for, filing_key, new_citizen_id, reference_for
from services.intake.domain.submission import parse_submission
from shared.places.gazetteer import load_gazetteer
from tests.unit.intake.samples import NAME, PHONE_E164, encode, submission

pytestmark = pytest.mark.unit
GAZETTEER = load_gazetteer()


def complaint(**changes: object) -> Complaint:
    return complaint_from(parse_submission(encode(submission(**changes)), GAZETTEER), GAZETTEER)


@pytest.mark.parametrize(
    ("category", "subject_kind", "confidential"),
    [
        ("police_misconduct", None, True),
        ("corruption", "commune_office", True),
        ("theft", "police_station", True),
        (None, "police_station", True),
        ("theft", None, False),
        ("land_dispute", "commune_office", False),
        (None, None, False),
    ],
)
def test_intake_decides_confidentiality_from_category_and_subject(
    category: str | None, subject_kind: str | None, confidential: bool
) -> None:
    assert is_confidential(category, subject_kind) is confidential
    changes: dict[str, object] = {"category": category, "subject": {"kind": subject_kind, "name": "X"}}
    assert complaint(**changes).confidential is confidential


def test_the_filed_event_names_the_citizen_by_id_only() -> None:
    filed = complaint(citizen={"name": NAME, "phone": "012345678", "facebook_psid": "psid-77"})
    data = filed.filed("ABCDEFGH", uuid.uuid4())
    serialized = data.model_dump_json()
    for personal in (NAME, PHONE_E164, "12345678", "psid-77"):
        assert personal not in serialized
    assert data.citizen.reachable_by == ("sms", "messenger")
    assert "psid-77" not in repr(filed)
    assert PHONE_E164 not in repr(filed)


def test_an_anonymous_citizen_leaves_no_contact_behind() -> None:
    filed = complaint(citizen={"anonymous": True, "phone": "012345678", "name": NAME})
    assert filed.contact is None
    data = filed.filed("ABCDEFGH", None)
    assert (data.citizen.anonymous, data.citizen.citizen_id, data.citizen.reachable_by) == (True, None, ())


def test_a_submission_names_the_same_case_and_key_on_every_delivery() -> None:
    first, again = complaint(channel_message_id="m-1"), complaint(channel_message_id="m-1")
    assert first.case_id == again.case_id == case_id_for("hotline", "m-1")
    assert first.idempotency_key == filing_key("hotline", "m-1") == "filing:hotline:m-1"
    assert case_id_for("sms", "m-1") != first.case_id


@given(st.uuids(), st.integers(min_value=0, max_value=1000))
def test_references_are_8_unambiguous_characters_stable_for_a_case(case_id: uuid.UUID, attempt: int) -> None:
    reference = reference_for(case_id, attempt)
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", reference)
    assert not set(reference) & set("01OI")
    assert reference == reference_for(case_id, attempt)


def test_a_cases_next_reference_candidates_differ() -> None:
    case_id = uuid.uuid4()
    assert len({reference_for(case_id, attempt) for attempt in range(16)}) == 16
    assert set(ALPHABET) == set("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")


def test_a_new_citizens_id_is_not_derived_from_their_phone() -> None:
    one, other = complaint(channel_message_id="a"), complaint(channel_message_id="b")
    assert new_citizen_id(one.case_id) != new_citizen_id(other.case_id)

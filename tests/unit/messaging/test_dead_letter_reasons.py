"""Dead letters name fields and reasons, never the values the record holds (docs/contract.md §Topics)."""

import json

import pytest

from services.intake.domain.submission import SubmissionError, parse_submission
from shared.messaging.dlq import DeadLetter, FieldError
from shared.places.gazetteer import load_gazetteer
from tests.unit.intake.samples import NAME, PHONE_LOCAL, encode, submission
from tests.unit.messaging.records import record

pytestmark = pytest.mark.unit

GAZETTEER = load_gazetteer()
HIDDEN = "…"


def header_text(letter: DeadLetter) -> str:
    return " ".join(value.decode() for _, value in letter.headers())


def reasons(letter: DeadLetter) -> list[dict[str, str | None]]:
    reasons: list[dict[str, str | None]] = json.loads(dict(letter.headers())["error"])
    return reasons


def letter_of(body: dict[str, object]) -> DeadLetter:
    value = encode(body)
    with pytest.raises(SubmissionError) as refused:
        parse_submission(value, GAZETTEER)
    return DeadLetter.of(record(value), [FieldError(p.field, p.message) for p in refused.value.problems])


def test_an_unknown_place_is_named_by_its_field_not_by_what_was_sent() -> None:
    letter = letter_of(
        submission(
            location={"province": "Siem Reap", "district": "Sok Dara's farm", "commune": "Sok Dara's farm"},
            citizen={"name": NAME, "phone": "099 999"},
        )
    )
    shown = header_text(letter)
    assert "Sok Dara" not in shown
    assert "099 999" not in shown
    assert {reason["field"] for reason in reasons(letter)} >= {"location.district", "citizen.phone"}


def test_every_string_the_record_holds_is_cut_out_of_every_reason_quoted_or_not() -> None:
    odd = "it's 'quoted'\n"
    value = encode(submission(citizen={"name": "Chan Thy", "phone": PHONE_LOCAL}, text=odd))
    said = [
        FieldError("citizen.name", "no unit is named 'Chan Thy'"),
        FieldError("citizen.phone", f"{PHONE_LOCAL} is not reachable"),
        FieldError("text", f"{odd!r} is odd"),
        FieldError("text", "Chan Thyda is another person"),  # a value is cut out only as a whole
    ]
    letter = DeadLetter.of(record(value), said)
    assert [reason["message"] for reason in reasons(letter)] == [
        f"no unit is named '{HIDDEN}'",
        f"{HIDDEN} is not reachable",
        f'"{HIDDEN}" is odd',
        "Chan Thyda is another person",
    ]

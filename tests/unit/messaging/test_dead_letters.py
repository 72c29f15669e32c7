"""Dead letters stay within the broker's limits: bounded reasons, and a trimmed letter when the record is too
large; errors named by type (docs/contract.md §Topics)."""

import json

import asyncpg.exceptions as pg
import pytest

from shared.messaging.dlq import DeadLetter, FieldError
from shared.messaging.reasons import MAX_MESSAGE, MAX_REASONS, error_reason
from tests.unit.messaging.records import record

pytestmark = pytest.mark.unit


def test_reasons_are_bounded_in_number_and_length() -> None:
    said = [FieldError(f"field{n}", "x" * 1000) for n in range(MAX_REASONS + 7)]
    kept = json.loads(dict(DeadLetter.of(record(b"not json"), said).headers())["error"])
    assert len(kept) == MAX_REASONS + 1
    assert all(len(reason["message"] or "") <= MAX_MESSAGE for reason in kept)
    assert kept[-1] == {"field": None, "message": "7 more reasons left out"}


def test_a_letter_too_large_drops_its_value_then_its_key_and_says_how_much() -> None:
    letter = DeadLetter.of(record(b"v" * 3000, key=b"key"), [FieldError(None, "too long")])
    without_value = letter.trimmed()
    assert without_value is not None
    assert without_value.value is None
    assert without_value.key == b"key"
    assert dict(without_value.headers())["value-dropped"] == b"3000"
    bare = without_value.trimmed()
    assert bare is not None
    assert bare.key is None
    assert dict(bare.headers())["key-dropped"] == b"3"
    assert bare.trimmed() is None


def test_an_error_is_named_by_its_type_and_sqlstate_never_its_message() -> None:
    assert error_reason(pg.InvalidTextRepresentationError('invalid input: "+85512345678"')) == (
        "InvalidTextRepresentationError (SQLSTATE 22P02)"
    )
    assert error_reason(ValueError("Sok Dara")) == "ValueError"

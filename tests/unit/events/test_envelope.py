"""Envelopes: the JSON of docs/contract.md §Case events.

Khmer kept as it is, bad input named, old versions upcast.
"""

import json
import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar

import pytest

from shared.events import (
    CaseNeedsTriage,
    Envelope,
    EventDecodeError,
    decode_envelope,
    encode_envelope,
    payload_of,
)
from shared.events import registry as registry_module
from shared.events.types import EVENT_TYPES
from shared.testing.events import complaint_filed, new_event

pytestmark = pytest.mark.unit

KHMER = "ប៉ូលិសមិនទទួលពាក្យបណ្តឹងរបស់ខ្ញុំ"


def test_an_envelope_carries_every_field_of_b4_and_keeps_khmer_unescaped() -> None:
    envelope = new_event(complaint_filed(text=KHMER)).envelope(uuid.uuid4(), 1)
    raw = encode_envelope(envelope)
    assert KHMER.encode() in raw  # UTF-8 as it is, not \\u escapes
    document = json.loads(raw)
    assert set(document) == {
        "event_id", "type", "schema_version", "case_id", "version", "occurred_at", "producer", "causation_id",
        "correlation_id", "actor", "data",
    }  # fmt: skip
    assert document["type"] == "ComplaintFiled"
    assert document["occurred_at"].endswith("Z")
    assert decode_envelope(raw) == envelope


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xff\xfe", "not a case event envelope"),
        (b"[]", "not a case event envelope"),
        (b'{"type": "CaseNeedsTriage"}', "event_id: Field required"),
    ],
)
def test_bytes_that_are_no_envelope_say_why(raw: bytes, reason: str) -> None:
    with pytest.raises(EventDecodeError, match=reason):
        decode_envelope(raw)


def test_an_unknown_type_or_invalid_data_is_refused() -> None:
    envelope = new_event().envelope(uuid.uuid4(), 1)
    with pytest.raises(EventDecodeError, match="unknown event type 'Gossip'"):
        decode_envelope(encode_envelope(envelope.model_copy(update={"type": "Gossip"})))
    with pytest.raises(EventDecodeError, match="invalid CaseNeedsTriage data: reason: Field required"):
        decode_envelope(encode_envelope(envelope.model_copy(update={"data": {}})))


def test_an_old_schema_version_is_read_through_its_upcaster(monkeypatch: pytest.MonkeyPatch) -> None:
    class TriageV2(CaseNeedsTriage):
        """Version 2 renamed nothing but added a mandatory ``queue``."""

        schema_version: ClassVar[int] = 2
        queue: str

        @classmethod
        def type_name(cls) -> str:
            return "CaseNeedsTriage"

    def add_queue(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "queue": "working-group"}

    monkeypatch.setitem(EVENT_TYPES, "CaseNeedsTriage", TriageV2)
    monkeypatch.setitem(registry_module.UPCASTERS, ("CaseNeedsTriage", 1), add_queue)
    stored_v1 = encode_envelope(new_event(CaseNeedsTriage(reason="no province")).envelope(uuid.uuid4(), 1))
    envelope = decode_envelope(stored_v1)
    assert envelope.schema_version == 2
    payload = payload_of(envelope)
    assert isinstance(payload, TriageV2)
    assert (payload.reason, payload.queue) == ("no province", "working-group")


def test_an_old_version_without_an_upcaster_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    class TriageV3(CaseNeedsTriage):
        schema_version: ClassVar[int] = 3

        @classmethod
        def type_name(cls) -> str:
            return "CaseNeedsTriage"

    monkeypatch.setitem(EVENT_TYPES, "CaseNeedsTriage", TriageV3)
    with pytest.raises(EventDecodeError, match="no upcaster for CaseNeedsTriage schema_version 1"):
        decode_envelope(encode_envelope(new_event().envelope(uuid.uuid4(), 1)))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"idempotency_key": "k" * 301}, "idempotency_key"),
        ({"occurred_at": datetime(2026, 11, 25, 9, 0)}, "timezone-aware"),
        ({"producer": ""}, "producer"),
    ],
)
def test_a_new_event_a_writer_gets_wrong_is_refused_when_made(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        replace(new_event(), **change)


def test_an_envelope_built_for_an_append_is_the_one_pydantic_would_construct() -> None:
    new = new_event(complaint_filed(text=KHMER))
    built = new.envelope(uuid.uuid4(), 3)
    constructed = Envelope.model_construct(**built.__dict__)
    for slot in ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__"):
        assert getattr(built, slot) == getattr(constructed, slot), slot
    assert set(built.__pydantic_private__ or {}) == set(constructed.__pydantic_private__ or {})
    assert built.known_payload is new.data
    assert built == Envelope.model_validate_json(encode_envelope(built))
    assert built.model_copy(update={"version": 4}).version == 4

"""The event envelope of docs/contract.md §Case events, and what a writer hands the event store to append."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from shared.events.types import EventData

ActorKind = Literal["citizen", "unit", "working_group", "system"]
MAX_KEY_LENGTH = 300


class Actor(BaseModel):
    """Who caused an event: a citizen, a unit, the working group, or a service (``system``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ActorKind
    id: str = Field(min_length=1, max_length=200)


class Envelope(BaseModel):
    """One stored case event, exactly as it travels on ``case-events`` (docs/contract.md §Case events)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID
    type: str = Field(min_length=1, max_length=100)
    schema_version: int = Field(ge=1)
    case_id: UUID
    version: int = Field(ge=1)
    occurred_at: AwareDatetime
    producer: str = Field(min_length=1, max_length=100)
    causation_id: UUID | None = None
    correlation_id: UUID | None = None
    actor: Actor
    data: dict[str, Any]
    # The typed data once validated, so that a handler's payload_of does not validate it a second time.
    _payload: EventData | None = PrivateAttr(default=None)

    def remember_payload(self, payload: EventData) -> None:
        self._payload = payload

    @property
    def known_payload(self) -> EventData | None:
        # Read where pydantic keeps private attributes: ``self._payload`` goes through its __getattr__.
        private = self.__pydantic_private__
        return None if private is None else private.get("_payload")

    def __eq__(self, other: object) -> bool:
        # The remembered payload is a cache, not part of the event.
        return isinstance(other, Envelope) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(self.event_id)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Envelope:
        copied = super().model_copy(update=update, deep=deep)
        if update:
            copied._payload = None  # the copy may have other data
        return copied

    @field_validator("occurred_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event a writer wants appended; the store gives it its version.

    ``idempotency_key`` is unique within the case stream (docs/architecture.md §Principles): for a derived
    event the causing event's id plus what is derived from it, for a command the request's key, for a filing
    the channel and its message id. Appending an existing key stores nothing and returns what is stored.

    Writers build these in code from data already validated (``data`` is a payload model), so this is a
    plain value checked in ``__post_init__``, not a parsed model: it is made once per event on every
    write path, and pydantic validation cost several times the rest of the construction.
    """

    event_id: UUID
    data: EventData
    idempotency_key: str
    occurred_at: datetime
    producer: str
    actor: Actor
    causation_id: UUID | None = None
    correlation_id: UUID | None = None

    def __post_init__(self) -> None:
        if not 1 <= len(self.idempotency_key) <= MAX_KEY_LENGTH:
            raise ValueError(f"idempotency_key must be 1..{MAX_KEY_LENGTH} characters")
        if self.occurred_at.utcoffset() is None:
            raise ValueError("occurred_at must be timezone-aware")
        if not self.producer:
            raise ValueError("producer must not be empty")

    def envelope(self, case_id: UUID, version: int) -> Envelope:
        # Everything here was validated when this NewEvent was made: construct without validating again.
        return construct_envelope(
            {
                "event_id": self.event_id,
                "type": self.data.type_name(),
                "schema_version": self.data.schema_version,
                "case_id": case_id,
                "version": version,
                "occurred_at": self.occurred_at.astimezone(UTC),
                "producer": self.producer,
                "causation_id": self.causation_id,
                "correlation_id": self.correlation_id,
                "actor": self.actor,
                "data": self.data.model_dump(mode="json"),
            },
            self.data,
        )


_ENVELOPE_FIELDS = frozenset(Envelope.model_fields)


def construct_envelope(fields: dict[str, Any], payload: EventData) -> Envelope:
    """What ``Envelope.model_construct(**fields)`` builds, with every field given (already valid, ``data``
    as ``payload`` dumps it in JSON mode), ``payload`` remembered, in a sixth of its time.

    ``model_construct`` walks the model's fields in Python to fill defaults (10 us an envelope, on every
    append); here every field is given, so the instance is set up directly, the way pydantic lays it out
    (``tests/unit/events`` checks the two against each other for the pinned pydantic).
    """
    envelope = Envelope.__new__(Envelope)
    object.__setattr__(envelope, "__dict__", fields)
    object.__setattr__(envelope, "__pydantic_fields_set__", set(_ENVELOPE_FIELDS))
    object.__setattr__(envelope, "__pydantic_extra__", None)
    object.__setattr__(envelope, "__pydantic_private__", {"_payload": payload})
    return envelope

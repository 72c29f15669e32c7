"""Encoding and decoding of envelopes, with upcasters so an old payload version reads as the current one."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Annotated, Any, Literal, TypeVar, Union, overload

from pydantic import Field, TypeAdapter, ValidationError, create_model

from shared.events.envelope import Envelope, construct_envelope
from shared.events.types import EVENT_TYPES, EventData

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
# (type, from schema_version) -> a function returning the data in schema_version + 1.
UPCASTERS: dict[tuple[str, int], Upcaster] = {}
E = TypeVar("E", bound=EventData)


class EventDecodeError(ValueError):
    """Bytes that are no envelope, an unknown type, or data that fails validation; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register a function that turns ``event_type`` data of ``from_version`` into ``from_version + 1``."""

    def register(function: Upcaster) -> Upcaster:
        UPCASTERS[(event_type, from_version)] = function
        return function

    return register


def encode_envelope(envelope: Envelope) -> bytes:
    """The UTF-8 JSON of docs/contract.md §Case events; Khmer and other non-ASCII text stays as it is."""
    return envelope.model_dump_json().encode()


def data_json(data: EventData) -> str:
    """The JSON of an event's data, as the store keeps it (what ``model_dump_json`` gives, called without
    its keyword handling, which costs as much again on every append)."""
    return data.__pydantic_serializer__.to_json(data).decode()


def decode_envelope(raw: bytes | str) -> Envelope:
    """Parse an envelope, check that its type is known and its data valid, and upcast old versions."""
    try:
        typed = _typed_envelopes().validate_json(raw)
    except ValidationError:
        typed = None
    if typed is not None and type(typed.data) is EVENT_TYPES.get(typed.type):
        # The common case in one pass: a known type at its current version, its data validated with it.
        fields = dict(typed.__dict__)
        fields["data"] = typed.data.model_dump(mode="json")
        return construct_envelope(fields, typed.data)
    # Unknown types, older versions, invalid data: validated in two steps, to upcast or to say what is wrong.
    try:
        envelope = Envelope.model_validate_json(raw)
    except ValidationError as error:
        raise EventDecodeError(f"not a case event envelope: {_errors(error)}") from error
    current = _upcast(envelope)
    current.remember_payload(payload_of(current))
    return current


@cache
def _typed_envelopes() -> TypeAdapter[Any]:
    """One validator for the envelope of every known type at its current schema version, its ``data`` typed
    (a union told apart by ``type``): one pass over the JSON instead of an envelope and then its data."""
    literal: Any = Literal  # the types are made at run time from the registry: no static type to check
    variants = tuple(
        create_model(
            f"{name}Envelope",
            __base__=Envelope,
            type=(literal[name], ...),
            schema_version=(literal[cls.schema_version], ...),
            data=(cls, ...),
        )
        for name, cls in EVENT_TYPES.items()
    )
    union: Any = Annotated[Union[variants], Field(discriminator="type")]  # noqa: UP007
    return TypeAdapter(union)


@overload
def payload_of(envelope: Envelope) -> EventData: ...


@overload
def payload_of(envelope: Envelope, expected: type[E]) -> E: ...


def payload_of(envelope: Envelope, expected: type[E] | None = None) -> EventData:
    """The typed data of ``envelope`` (validated); with ``expected``, that type, checked (or
    :class:`EventDecodeError`)."""
    cls = EVENT_TYPES.get(envelope.type)
    if cls is None:
        raise EventDecodeError(f"unknown event type {envelope.type!r}")
    if expected is not None and cls is not expected:
        raise EventDecodeError(f"expected {expected.type_name()}, got {envelope.type}")
    known = envelope.known_payload
    if known is not None and type(known) is cls:
        return known
    if envelope.schema_version != cls.schema_version:
        raise EventDecodeError(
            f"{envelope.type} schema_version {envelope.schema_version} is not {cls.schema_version}"
        )
    try:
        return cls.model_validate(envelope.data)
    except ValidationError as error:
        raise EventDecodeError(f"invalid {envelope.type} data: {_errors(error)}") from error


def _upcast(envelope: Envelope) -> Envelope:
    cls = EVENT_TYPES.get(envelope.type)
    if cls is None or envelope.schema_version >= cls.schema_version:
        return envelope
    data, version = envelope.data, envelope.schema_version
    while version < cls.schema_version:
        step = UPCASTERS.get((envelope.type, version))
        if step is None:
            raise EventDecodeError(f"no upcaster for {envelope.type} schema_version {version}")
        data, version = step(data), version + 1
    return envelope.model_copy(update={"data": data, "schema_version": version})


def _errors(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or '(root)'}: {item['msg']}" for item in error.errors()
    )

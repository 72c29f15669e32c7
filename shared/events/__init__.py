"""The case events of docs/contract.md §Case events.

The envelope, the typed payloads, encoding and upcasting.
"""

from shared.events.envelope import Actor, ActorKind, Envelope, NewEvent
from shared.events.registry import (
    EventDecodeError,
    data_json,
    decode_envelope,
    encode_envelope,
    payload_of,
)
from shared.events.types import (
    CaseAcknowledged,
    CaseAssigned,
    CaseEscalated,
    CaseInfoRequested,
    CaseNeedsTriage,
    CaseRefused,
    CaseResolved,
    CitizenNotificationFailed,
    CitizenNotified,
    CitizenReplied,
    ComplaintFiled,
    EventData,
    SlaBreached,
    VerdictRecorded,
)

__all__ = [
    "Actor",
    "ActorKind",
    "CaseAcknowledged",
    "CaseAssigned",
    "CaseEscalated",
    "CaseInfoRequested",
    "CaseNeedsTriage",
    "CaseRefused",
    "CaseResolved",
    "CitizenNotificationFailed",
    "CitizenNotified",
    "CitizenReplied",
    "ComplaintFiled",
    "Envelope",
    "EventData",
    "EventDecodeError",
    "NewEvent",
    "SlaBreached",
    "VerdictRecorded",
    "data_json",
    "decode_envelope",
    "encode_envelope",
    "payload_of",
]

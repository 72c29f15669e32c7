"""A case's status as Open311 tells it: ``open`` or ``closed``, and a public note on where it stands.

The standard has two statuses. A case is closed once resolved and open at every other step of its
lifecycle (docs/architecture.md §Case lifecycle), refused included: a refusal escalates it. The note is
the public status (``GET /v1/cases/{reference}``) in words, with nothing the case's text or unit could
reveal about a confidential case: it names levels, never units.
"""

from __future__ import annotations

from typing import Literal

Open311Status = Literal["open", "closed"]
CLOSED = "resolved"
_LEVELS = {0: "the first unit", 1: "the provincial level", 2: "the Ministry of Interior's working group"}
_NOTES = {
    "filed": "Filed; being routed to the unit responsible",
    "needs_triage": "Waiting for the working group to choose the unit responsible",
    "assigned": "Assigned to {level}; waiting for its acknowledgement",
    "acknowledged": "Acknowledged by {level}; being handled",
    "awaiting_citizen": "{level} asked the citizen for more information",
    "refused": "Refused by {level}; being escalated",
    "resolved": "Resolved by {level}",
}


def open311_status(status: str) -> Open311Status:
    """``closed`` for a resolved case, ``open`` otherwise."""
    return "closed" if status == CLOSED else "open"


def is_closed(value: Open311Status) -> bool:
    return value == "closed"


def status_notes(status: str, level: int | None) -> str:
    """The public status in a sentence, e.g. ``Acknowledged by the provincial level; being handled``."""
    note = _NOTES.get(status, status.replace("_", " ").capitalize())
    if "{level}" not in note:
        return note
    text = note.format(level=_LEVELS.get(level, "the unit") if level is not None else "the unit")
    return text[0].upper() + text[1:]

"""Open311's two statuses and the public note, for each step of the case lifecycle."""

from __future__ import annotations

import pytest

from services.intake.domain.case import Status
from services.intake.domain.open311_status import open311_status, status_notes

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("status", "level", "expected", "note"),
    [
        ("filed", None, "open", "Filed; being routed to the unit responsible"),
        ("needs_triage", None, "open", "Waiting for the working group to choose the unit responsible"),
        ("assigned", 0, "open", "Assigned to the first unit; waiting for its acknowledgement"),
        ("acknowledged", 1, "open", "Acknowledged by the provincial level; being handled"),
        ("awaiting_citizen", 0, "open", "The first unit asked the citizen for more information"),
        ("refused", 0, "open", "Refused by the first unit; being escalated"),
        ("resolved", 2, "closed", "Resolved by the Ministry of Interior's working group"),
    ],
)
def test_only_a_resolved_case_is_closed(status: Status, level: int | None, expected: str, note: str) -> None:
    assert open311_status(status) == expected
    assert status_notes(status, level) == note

"""Builders of the events notify reacts to, shared by notify's unit, integration and end-to-end tests."""

from __future__ import annotations

import random
import uuid

from shared.events import ComplaintFiled
from shared.events.types import CitizenRef, Language, ResolvedLocation

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, no 1/I


def new_reference() -> str:
    return "".join(random.choices(REFERENCE_ALPHABET, k=8))


def filing(
    citizen_id: uuid.UUID | None,
    *,
    language: Language = "en",
    confidential: bool = False,
    reference: str | None = None,
) -> ComplaintFiled:
    """A web complaint about a theft in Phnom Penh, by ``citizen_id`` (anonymous when None)."""
    return ComplaintFiled(
        reference=reference or new_reference(),
        channel="web",
        channel_message_id=uuid.uuid4().hex,
        citizen=CitizenRef(
            citizen_id=citizen_id, language=language, anonymous=citizen_id is None,
            reachable_by=("sms",) if citizen_id else (),
        ),
        text="Someone stole my motorbike in front of the market.",
        category="theft",
        location=ResolvedLocation(province="KH-12", district="1203"),
        confidential=confidential,
    )  # fmt: skip

"""Submissions for intake's tests: a valid one by default, changed by keyword."""

from __future__ import annotations

import json
import uuid
from typing import Any

PHONE_LOCAL = "012 345 678"
PHONE_E164 = "+85512345678"
NAME = "Sok Dara"
KHMER_TEXT = "ប៉ូលិសមិនព្រមទទួលពាក្យបណ្ដឹងរបស់ខ្ញុំទេ នៅស្រុកពួក ខេត្តសៀមរាប។ 🙏"


def submission(**changes: Any) -> dict[str, Any]:
    """A valid ``ChannelSubmission`` from the hotline, with ``changes`` applied (None removes a field)."""
    body: dict[str, Any] = {
        "channel": "hotline",
        "channel_message_id": f"msg-{uuid.uuid4()}",
        "submitted_at": "2026-11-24T10:15:00+07:00",
        "citizen": {"name": NAME, "phone": PHONE_LOCAL, "language": "km"},
        "text": KHMER_TEXT,
        "category": "theft",
        "location": {"province": "Siem Reap", "district": "Puok"},
    }
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def web_submission(**changes: Any) -> dict[str, Any]:
    """A valid ``POST /v1/complaints`` body."""
    body = submission(**changes)
    body.pop("channel", None)
    if "channel_message_id" not in changes:
        body.pop("channel_message_id", None)
    return body


def encode(body: dict[str, Any]) -> bytes:
    """UTF-8 JSON with Khmer left as it is."""
    return json.dumps(body, ensure_ascii=False).encode()

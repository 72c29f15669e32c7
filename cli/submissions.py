"""Complaints as channels send them, and their delivery to ``complaints.submissions``.

Their shape is docs/contract.md §Submissions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaProducer

# Messenger and SMS carry free text only: intake finds the place in the text (docs/contract.md §Submissions).
FREE_TEXT_CHANNELS = frozenset({"facebook", "sms"})


def submission(
    *,
    channel: str,
    message_id: str,
    submitted_at: datetime,
    text: str,
    language: str = "km",
    phone: str | None = None,
    psid: str | None = None,
    name: str | None = None,
    anonymous: bool = False,
    category: str | None = None,
    province: str | None = None,
    district: str | None = None,
    commune: str | None = None,
    official: str | None = None,
) -> dict[str, Any]:
    """A ``ChannelSubmission``; fields left None are left out, as a channel would."""
    citizen = {
        "name": name, "phone": phone, "facebook_psid": psid, "language": language, "anonymous": anonymous,
    }  # fmt: skip
    body: dict[str, Any] = {
        "channel": channel,
        "channel_message_id": message_id,
        "submitted_at": submitted_at.isoformat(),
        "citizen": _given(citizen),
        "text": text,
        "category": category,
    }
    if province is not None:
        body["location"] = _given({"province": province, "district": district, "commune": commune})
    if official is not None:
        body["assisted_by"] = {"official": official}
    return _given(body)


def web_body(channel_submission: Mapping[str, Any]) -> dict[str, Any]:
    """The body of ``POST /v1/complaints``: the submission without ``channel`` (it is ``web``)."""
    return {key: value for key, value in channel_submission.items() if key != "channel"}


def encode(body: Mapping[str, Any]) -> bytes:
    """UTF-8 JSON, Khmer as it is (docs/contract.md §Topics)."""
    return json.dumps(body, ensure_ascii=False).encode()


async def publish(bootstrap: str, topic: str, submissions: Sequence[Mapping[str, Any]]) -> None:
    """Send each submission keyed by its channel message id, and wait until the broker has them all."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for body in submissions:
            await producer.send_and_wait(topic, encode(body), key=str(body["channel_message_id"]).encode())
    finally:
        await producer.stop()


def _given(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None and value is not False}

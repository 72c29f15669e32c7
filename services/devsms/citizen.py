"""Texting as a citizen: the gateway posts an inbound SMS to intake's webhook, as Twilio would.

The form on the gateway's page (``POST /citizen``: ``From``, ``Body``) becomes Twilio's inbound form
(``From``, ``To``, ``Body``, ``MessageSid``, ``NumSegments``), signed with ``X-Twilio-Signature`` when the
gateway has a token (``SMS_AUTH_TOKEN``; without one, intake takes it only in dev mode), and posted to
``SMS_INBOUND_URL``. The TwiML answer is kept beside the message, so the page shows both sides.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import httpx

from shared.sms.segments import segment
from shared.sms.signature import twilio_signature

SERVICE_NUMBER = "+85523000000"  # the number citizens text (what Twilio sends as To)
_MESSAGE = re.compile(r"<Message>(.*?)</Message>", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Exchange:
    """One text from a citizen and what the service answered (empty: nothing, or an error)."""

    at: datetime
    sender: str
    body: str
    status: int
    answer: str


async def text_as_citizen(
    client: httpx.AsyncClient, url: str, auth_token: str, sender: str, body: str
) -> Exchange:
    """Post ``body`` from ``sender`` to intake's SMS webhook at ``url``; what it answered."""
    fields = {
        "From": sender, "To": SERVICE_NUMBER, "Body": body, "MessageSid": f"SM{uuid.uuid4().hex}",
        "NumSegments": str(segment(body).count), "AccountSid": "ACdev",
    }  # fmt: skip
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if auth_token:
        headers["X-Twilio-Signature"] = twilio_signature(auth_token, url, fields.items())
    try:
        answer = await client.post(url, content=urlencode(fields), headers=headers)
    except httpx.HTTPError as error:
        return Exchange(datetime.now(UTC), sender, body, 0, f"(intake unreachable: {type(error).__name__})")
    found = _MESSAGE.search(answer.text) if answer.status_code == 200 else None
    words = _unescape(found.group(1)) if found else "" if answer.status_code == 200 else answer.text[:200]
    return Exchange(datetime.now(UTC), sender, body, answer.status_code, words)


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

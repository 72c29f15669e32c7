"""Webhook deliveries in the shapes Meta sends them (developers.facebook.com/docs/messenger-platform/webhooks:
messages, message_echoes, message_reads, message_deliveries, messaging_postbacks), shared by the unit,
integration and end-to-end tests."""

from __future__ import annotations

import json
from typing import Any

from shared.messenger.settings import DEV_APP_SECRET, DEV_PAGE_ID
from shared.messenger.signature import hub_signature

PAGE = DEV_PAGE_ID
APP_SECRET = DEV_APP_SECRET
TIME = 1_764_000_000_000  # 2025-11-24T16:00:00Z, in Meta's milliseconds


def item(psid: str, **event: Any) -> dict[str, Any]:
    return {"sender": {"id": psid}, "recipient": {"id": PAGE}, "timestamp": TIME, **event}


def text(psid: str, mid: str, words: str, **more: Any) -> dict[str, Any]:
    return item(psid, message={"mid": mid, "text": words, **more})


def quick_reply(psid: str, mid: str, title: str, payload: str) -> dict[str, Any]:
    return item(psid, message={"mid": mid, "text": title, "quick_reply": {"payload": payload}})


def attachment(
    psid: str, mid: str, kind: str = "image", url: str = "https://scontent.xx.fbcdn.net/v/a.jpg"
) -> dict[str, Any]:
    return item(psid, message={"mid": mid, "attachments": [{"type": kind, "payload": {"url": url}}]})


def location(psid: str, mid: str, lat: float, long: float) -> dict[str, Any]:
    payload = {"coordinates": {"lat": lat, "long": long}}
    return item(psid, message={"mid": mid, "attachments": [{"type": "location", "payload": payload}]})


def echo(psid: str, mid: str) -> dict[str, Any]:
    # An echo is the page's own message: the page is the sender, the citizen the recipient.
    return {
        "sender": {"id": PAGE}, "recipient": {"id": psid}, "timestamp": TIME,
        "message": {"is_echo": True, "app_id": 1517776481860111, "mid": mid, "text": "We received it"},
    }  # fmt: skip


def read(psid: str) -> dict[str, Any]:
    return item(psid, read={"watermark": TIME - 10})


def delivered(psid: str, mid: str) -> dict[str, Any]:
    return item(psid, delivery={"mids": [mid], "watermark": TIME - 10})


def postback(psid: str, title: str, payload: str, mid: str | None = None) -> dict[str, Any]:
    tapped: dict[str, Any] = {"title": title, "payload": payload}
    if mid is not None:
        tapped["mid"] = mid
    return item(psid, postback=tapped)


def batch(*entries: list[dict[str, Any]], kind: str = "page") -> dict[str, Any]:
    """Each argument is one entry's messaging items."""
    return {
        "object": kind,
        "entry": [{"id": PAGE, "time": TIME, "messaging": items} for items in entries],
    }


def signed(
    payload: dict[str, Any], secret: str = APP_SECRET, *, escaped: bool = False
) -> tuple[bytes, dict[str, str]]:
    """The raw body and its headers: Khmer as UTF-8, or ``escaped`` as ``\\uXXXX`` (what Meta sends, six
    bytes a character)."""
    body = json.dumps(payload, ensure_ascii=escaped).encode()
    return body, {"Content-Type": "application/json", "X-Hub-Signature-256": hub_signature(secret, body)}

"""Meta's Messenger webhook payload read into the citizens' messages and the items skipped (pure).

A delivery is ``{"object": "page", "entry": [{"id", "time", "messaging": [item, ...]}, ...]}``; Meta batches
several entries, and several items per entry. Each item is one of: a message (text, quick reply,
attachments), a postback (a button the citizen tapped), an echo of what the page itself sent, a read or
delivery receipt, or something this system does not use. Messages and postbacks become :class:`Inbound`;
everything else is skipped and named, so the webhook can count it (docs/contract.md §Messenger in).

What refuses the whole body (:class:`NotADeliveryError`, a 400): bytes that are not a JSON object with a
list of entries. Meta never sends those; a signed one comes from a broken sender. What is skipped instead:
another product's deliveries (``object`` other than ``page``, such as Instagram's, which Meta sends to the
same callback), entries without ``messaging`` (feed changes, standby), and single items that cannot be
read: answering anything but 200 to them would make Meta send the whole batch again for 36 hours, the
good messages in it included, and then unsubscribe the app.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.intake.domain.conversation import Attachment, Inbound
from services.intake.domain.problems import Problem
from shared.privacy.keyed import KeyedDigest

MAX_TEXT = 4000  # a case's text (docs/contract.md §Submissions); longer messages are cut, never refused
MAX_MESSAGE_ID = 200  # a channel_message_id
EVIDENCE_KINDS = frozenset({"image", "audio", "video", "file", "location"})


class NotADeliveryError(ValueError):
    """The body is not a Messenger webhook delivery at all; ``problems`` says why."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Received:
    """A message to act on, and what kind of item it was (``message``, ``quick_reply``, ``postback``,
    ``attachment``: a message with attachments and no text)."""

    inbound: Inbound
    kind: str


@dataclass(frozen=True, slots=True)
class Parsed:
    """The messages of a delivery in the order Meta sent them, and the kind of every item skipped
    (``echo``, ``read``, ``delivery``, ``other_object``, ``no_messaging``, ``other_page``, ``malformed``,
    ``unknown``)."""

    received: tuple[Received, ...]
    skipped: tuple[str, ...]


def parse_delivery(body: bytes, page_id: str | None, now: datetime, digest: KeyedDigest) -> Parsed:
    """Read a webhook body. ``page_id``: items addressed to another page are skipped (None: any page);
    ``now`` stands in for an item's missing timestamp; ``digest`` names a postback that has no mid."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise NotADeliveryError((Problem(None, "the body is not JSON", "not_json"),)) from None
    if not isinstance(document, dict):
        raise NotADeliveryError((Problem(None, "the body is not a JSON object", "not_an_object"),))
    entries = document.get("entry")
    if not isinstance(entries, list):
        raise NotADeliveryError((Problem("entry", "must be a list of entries", "wrong_type"),))
    if document.get("object") != "page":
        return Parsed((), ("other_object",) * max(1, len(entries)))
    received: list[Received] = []
    skipped: list[str] = []
    for entry in entries:
        items = entry.get("messaging") if isinstance(entry, dict) else None
        if not isinstance(items, list) or not items:
            skipped.append("no_messaging")
            continue
        for item in items:
            outcome = _item(item, page_id, now, digest)
            if isinstance(outcome, Received):
                received.append(outcome)
            else:
                skipped.append(outcome)
    return Parsed(tuple(received), tuple(skipped))


def _item(item: Any, page_id: str | None, now: datetime, digest: KeyedDigest) -> Received | str:
    if not isinstance(item, dict):
        return "malformed"
    skip = _not_a_message(item)
    if skip is not None:
        return skip
    message, postback = item.get("message"), item.get("postback")
    sender = _id_of(item.get("sender"))
    if sender is None:
        return "malformed"
    recipient = _id_of(item.get("recipient"))
    if page_id is not None and recipient is not None and recipient != page_id:
        return "other_page"
    at = _time_of(item.get("timestamp"), now)
    if isinstance(message, dict):
        return _message(message, sender, at)
    assert isinstance(postback, dict)
    return _postback(postback, sender, at, digest)


def _not_a_message(item: dict[str, Any]) -> str | None:
    """Why an item is nothing the citizen said, if it is not."""
    message = item.get("message")
    if isinstance(message, dict) and message.get("is_echo"):
        return "echo"  # what the page sent, reported back
    if "read" in item:
        return "read"
    if "delivery" in item:
        return "delivery"
    if not isinstance(message, dict) and not isinstance(item.get("postback"), dict):
        return "unknown"  # reactions, referrals, opt-ins, policy notices...
    return None


def _message(message: dict[str, Any], sender: str, at: datetime) -> Received | str:
    mid = message.get("mid")
    if not isinstance(mid, str) or not 1 <= len(mid) <= MAX_MESSAGE_ID:
        return "malformed"
    attachments = _attachments(message.get("attachments"))
    text = _clean(message.get("text"))
    # A quick reply's text is the title of the button the citizen tapped, in the words they saw.
    kind = "quick_reply" if isinstance(message.get("quick_reply"), dict) else "message"
    if not text:
        if not attachments:
            return "unknown"  # a sticker alone, say: nothing to read and nothing to keep
        text, kind = attachment_text(attachments), "attachment"
    return Received(Inbound("facebook", mid, sender, text, at, attachments), kind)


def _postback(postback: dict[str, Any], sender: str, at: datetime, digest: KeyedDigest) -> Received | str:
    # The title is what the citizen saw on the button; the payload is the page's own code for it.
    text = _clean(postback.get("title")) or _clean(postback.get("payload"))
    if not text:
        return "malformed"
    mid = postback.get("mid")
    if not isinstance(mid, str) or not 1 <= len(mid) <= MAX_MESSAGE_ID:
        # Older postbacks carry no mid: one derived from what identifies the tap, so that Meta's retries of
        # it are one message. A keyed digest, because a channel message id reaches the events and the PSID may
        # not: a plain hash of a PSID, a time and a button's title is reversed by trying the few candidates.
        seed = f"{sender}\x00{at.isoformat()}\x00{text}"
        mid = "postback-" + digest("messenger-postback", seed)[:40]
    return Received(Inbound("facebook", mid, sender, text, at), "postback")


def _attachments(value: Any) -> tuple[Attachment, ...]:
    if not isinstance(value, list):
        return ()
    found: list[Attachment] = []
    for attachment in value:
        if not isinstance(attachment, dict):
            continue
        kind, payload = attachment.get("type"), attachment.get("payload")
        payload = payload if isinstance(payload, dict) else {}
        url = payload.get("url") if isinstance(payload.get("url"), str) else None
        if kind == "location":
            url = _geo_uri(payload.get("coordinates")) or url
        elif kind not in EVIDENCE_KINDS:
            if url is None:
                continue  # a template or a sticker without a picture: nothing to keep
            kind = "file"  # a shared link (Meta's "fallback") and the like: kept as what it points to
        found.append(Attachment(str(kind), url))
    return tuple(found)


def attachment_text(attachments: tuple[Attachment, ...]) -> str:
    """The text of a message that has attachments and no words: their kinds in brackets, ``[image]``."""
    return "[" + ", ".join(a.kind for a in attachments) + "]"


def _geo_uri(coordinates: Any) -> str | None:
    """A location attachment as an RFC 5870 ``geo:`` URI, the one URL a place has."""
    if not isinstance(coordinates, dict):
        return None
    lat, long = coordinates.get("lat"), coordinates.get("long")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, long)):
        return None
    return f"geo:{lat},{long}"


def _clean(value: Any) -> str:
    """Text as a case can hold it: trimmed, without NUL (PostgreSQL refuses it), at most ``MAX_TEXT``
    characters, cut where no combining sign loses its letter."""
    if not isinstance(value, str):
        return ""
    text = value.replace("\x00", "").strip()
    if len(text) <= MAX_TEXT:
        return text
    end = MAX_TEXT
    while end > 0 and unicodedata.category(text[end]) in ("Mn", "Mc", "Me"):
        end -= 1
    return text[:end].rstrip()


def _id_of(party: Any) -> str | None:
    value = party.get("id") if isinstance(party, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value if isinstance(value, str) and 0 < len(value) <= 100 else None


def _time_of(value: Any, now: datetime) -> datetime:
    """Meta's timestamps are milliseconds since the epoch."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 2**53:
        try:
            return datetime.fromtimestamp(value / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            return now
    return now

"""PLACEHOLDER for the Messenger branch: the channel-agnostic conversation's values only.

The SMS-in work (the other branch) owns this module and its reading order (keywords, replies, updates,
new complaints); at the merge its version replaces this file. Only the names the Messenger webhook uses
are here, with the shapes both branches agreed on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from shared.events.types import Language


@dataclass(frozen=True)
class Attachment:
    """Something sent with a message besides text: its kind (``image``, ``location``...) and URL."""

    kind: str
    url: str | None


@dataclass(frozen=True)
class Inbound:
    """One message a citizen sent on a channel; ``sender`` is an E.164 phone or a Messenger PSID."""

    channel: Literal["sms", "facebook"]
    message_id: str
    sender: str  # E.164 phone or PSID
    text: str
    received_at: datetime
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Answer:
    """What to say back to the sender, in their language; ``kind`` names the answer (for metrics)."""

    text: str
    language: Language
    kind: str

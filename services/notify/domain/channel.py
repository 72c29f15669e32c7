"""Which channel a notice takes, decided when it is sent, with the time passed in (docs/contract.md
§Messenger out).

Meta lets a page write to a person freely only within 24 hours of that person's last message to it. So a
citizen who wrote on Messenger less than 24 hours ago hears on Messenger (the receipt as a response to
their message, later texts as updates); after that, by SMS when a phone is known and not opted out; a
citizen reachable only on Messenger is then out of reach, and the notice fails as
``outside_messaging_window``. A Messenger id that sent STOP gets nothing on Messenger (its phone, if any and
not opted out itself, is still texted). Units are always texted by SMS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from shared.events.types import ContactChannel

MESSAGING_WINDOW = timedelta(hours=24)
OUTSIDE_WINDOW = "outside_messaging_window"


@dataclass(frozen=True, slots=True)
class Reach:
    """What is known, at sending time, of how to reach the recipient (read from the vault, never stored)."""

    phone: str | None = None
    phone_opted_out: bool = False
    psid: str | None = None
    last_messenger_message_at: datetime | None = None
    psid_opted_out: bool = False


@dataclass(frozen=True, slots=True)
class ByMessenger:
    psid: str
    messaging_type: Literal["RESPONSE", "UPDATE"]
    fallback_phone: str | None = None  # when Meta says the window is closed after all


@dataclass(frozen=True, slots=True)
class BySms:
    phone: str


@dataclass(frozen=True, slots=True)
class NotSent:
    """Nothing to send: ``skipped`` (nobody to send to) or ``failed`` (reachable only outside the window)."""

    status: Literal["skipped", "failed"]
    reason: str
    channel: ContactChannel = "sms"


Route = ByMessenger | BySms | NotSent


def within_window(last_message_at: datetime | None, now: datetime) -> bool:
    """Whether ``now`` is less than 24 hours after the citizen's last Messenger message."""
    return last_message_at is not None and now - last_message_at < MESSAGING_WINDOW


def choose_route(reach: Reach, now: datetime, *, receipt: bool) -> Route:
    """The way a notice goes at ``now``; ``receipt``: it answers the message that filed the case."""
    phone = reach.phone if reach.phone and not reach.phone_opted_out else None
    psid = reach.psid if reach.psid and not reach.psid_opted_out else None
    if psid and within_window(reach.last_messenger_message_at, now):
        return ByMessenger(psid, "RESPONSE" if receipt else "UPDATE", phone)
    if phone:
        return BySms(phone)
    if reach.phone:
        return NotSent("skipped", "opted_out")
    if reach.psid_opted_out:
        return NotSent("skipped", "opted_out", "messenger")
    if reach.psid:
        return NotSent("failed", OUTSIDE_WINDOW, "messenger")
    return NotSent("skipped", "no_phone")

"""Ids intake gives out: case ids, filing keys, public references and new citizens' ids.

A case id is derived from ``(channel, channel_message_id)``, so every delivery of one submission names
the same case stream and its filing key finds the event already stored: one case, however often it
arrives. A reference is 8 characters of an alphabet without 0/O and 1/I, derived from the case id; a
reference already taken by another case (about one in a million at a million cases) moves on to the
next candidate of the same case id, so the choice stays the same on every redelivery.
"""

from __future__ import annotations

import hashlib
from uuid import UUID, uuid5

NAMESPACE = UUID("6f3f6c1e-4d0a-5b8e-9a51-6b1c3b0e2d47")
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols: 5 bits each, 40 bits a reference
REFERENCE_LENGTH = 8


def case_id_for(channel: str, channel_message_id: str) -> UUID:
    """The case a submission files, the same on every delivery."""
    return uuid5(NAMESPACE, f"{channel}:{channel_message_id}")


def filing_key(channel: str, channel_message_id: str) -> str:
    """The idempotency key of a ``ComplaintFiled`` (docs/architecture.md §Principles).

    It is made of the channel and its message id.
    """
    return f"filing:{channel}:{channel_message_id}"


def reference_for(case_id: UUID, attempt: int = 0) -> str:
    """The ``attempt``-th candidate reference of a case."""
    digest = hashlib.sha256(case_id.bytes + attempt.to_bytes(4, "big")).digest()
    bits = int.from_bytes(digest[:5], "big")
    return "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in reversed(range(REFERENCE_LENGTH)))


def is_reference(text: str) -> bool:
    """``text`` has the shape of a reference (any letter case): a lookup of anything else finds nothing,
    and need not reach the database (which refuses some characters, U+0000 among them)."""
    return len(text) == REFERENCE_LENGTH and all(char in ALPHABET for char in text.upper())


def new_citizen_id(case_id: UUID) -> UUID:
    """The id of a citizen first met in this case: random-looking, and not derived from their phone
    (an id computed from a phone number would name the citizen again after their contact is erased)."""
    return uuid5(NAMESPACE, f"citizen:{case_id}")

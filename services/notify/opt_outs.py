"""Numbers that must not be texted, kept as the SHA-256 of the E.164 number (``sms_opt_outs``).

A hash of a phone number is a pseudonym, not anonymity (the space of numbers is small), but it keeps the
numbers out of sight of anyone reading the table, and lets an opt-out outlive the citizen's erasure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from shared.eventstore.store import Connection


def phone_digest(phone: str) -> str:
    """The key an E.164 number is known by in ``sms_opt_outs``."""
    return hashlib.sha256(phone.encode()).hexdigest()


async def opted_out(connection: Connection, phones: Iterable[str]) -> set[str]:
    """Which of ``phones`` opted out."""
    by_digest = {phone_digest(phone): phone for phone in phones}
    if not by_digest:
        return set()
    rows = await connection.fetch(
        "SELECT phone_sha256 FROM sms_opt_outs WHERE phone_sha256 = ANY($1::text[])", list(by_digest)
    )
    return {by_digest[row["phone_sha256"]] for row in rows}


async def add_opt_outs(connection: Connection, phones: Iterable[str], source: str) -> None:
    """Remember that ``phones`` opted out (``source``: how we learnt it, e.g. ``provider:21610``)."""
    digests = sorted({phone_digest(phone) for phone in phones})
    if digests:
        await connection.execute(
            """INSERT INTO sms_opt_outs (phone_sha256, source) SELECT unnest($1::text[]), $2
               ON CONFLICT (phone_sha256) DO NOTHING""",
            digests, source,
        )  # fmt: skip

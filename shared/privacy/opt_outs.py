"""Opt-outs: the channel addresses (an E.164 phone, a Messenger PSID) that must not be texted.

Kept in ``opt_outs`` by keyed digest (purpose ``"opt-out"``), so the table names nobody and cannot be
matched against a list of numbers without ``PERSONAL_DATA_KEY``. Intake writes a citizen's STOP and START,
notify the provider's answer that a number unsubscribed (21610); notify asks before every text. An opt-out
outlives the erasure of the citizen: it is about the address, not the person.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.eventstore.store import Connection
from shared.privacy.keyed import KeyedDigest

PURPOSE = "opt-out"


class OptOuts:
    """The ``opt_outs`` table under one key; every call takes the caller's connection (its transaction)."""

    def __init__(self, digest: KeyedDigest) -> None:
        self._digest = digest

    def key(self, address: str) -> str:
        """What ``address`` is stored as."""
        return self._digest(PURPOSE, address)

    async def add(self, connection: Connection, addresses: Iterable[str], source: str) -> int:
        """Remember that ``addresses`` opted out (``source``: how we learnt it, e.g. ``sms:STOP``,
        ``provider:21610``); how many were not opted out before."""
        keys = sorted({self.key(address) for address in addresses})
        if not keys:
            return 0
        result = await connection.execute(
            """INSERT INTO opt_outs (address_digest, source) SELECT unnest($1::text[]), $2
               ON CONFLICT (address_digest) DO NOTHING""",
            keys, source,
        )  # fmt: skip
        return int(result.split()[-1])

    async def remove(self, connection: Connection, addresses: Iterable[str]) -> int:
        """Opt ``addresses`` back in (START); how many had opted out."""
        keys = sorted({self.key(address) for address in addresses})
        if not keys:
            return 0
        result = await connection.execute("DELETE FROM opt_outs WHERE address_digest = ANY($1::text[])", keys)
        return int(result.split()[-1])

    async def opted_out(self, connection: Connection, addresses: Iterable[str]) -> set[str]:
        """Which of ``addresses`` opted out."""
        by_key = {self.key(address): address for address in addresses}
        if not by_key:
            return set()
        rows = await connection.fetch(
            "SELECT address_digest FROM opt_outs WHERE address_digest = ANY($1::text[])", list(by_key)
        )
        return {by_key[row["address_digest"]] for row in rows}

"""The personal-data vault, intake's table: names, phone numbers and Messenger ids, keyed by ``citizen_id``.

Intake creates it (``sql/0002_vault.sql``), writes it in the filing's transaction and erases from it;
other services read it through :class:`shared.contacts.Contacts`. Erasing a citizen deletes the row and
leaves the immutable log as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from shared.contacts import CitizenContact, Contacts
from shared.eventstore.store import Connection

_UPSERT = """
    ON CONFLICT (citizen_id) DO UPDATE SET
        name = coalesce(EXCLUDED.name, citizens.name),
        phone = coalesce(EXCLUDED.phone, citizens.phone),
        facebook_psid = coalesce(EXCLUDED.facebook_psid, citizens.facebook_psid),
        language = EXCLUDED.language"""


class PersonalDataVault(Contacts):
    """The ``citizens`` table. Writes take the caller's connection, to share the filing's transaction."""

    async def put(self, contact: CitizenContact, *, connection: Connection | None = None) -> None:
        """Keep ``contact``; a later filing by the same citizen updates what is known."""
        await (connection or self._pool).execute(
            """INSERT INTO citizens (citizen_id, name, phone, facebook_psid, language)
               VALUES ($1, $2, $3, $4, $5)"""
            + _UPSERT,
            contact.citizen_id, contact.name, contact.phone, contact.facebook_psid, contact.language,
        )  # fmt: skip

    async def put_many(self, contacts: Sequence[CitizenContact], *, connection: Connection) -> None:
        """Keep several contacts in one round trip (batched filings)."""
        if not contacts:
            return
        await connection.execute(
            """INSERT INTO citizens (citizen_id, name, phone, facebook_psid, language)
               SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])"""
            + _UPSERT,
            [c.citizen_id for c in contacts], [c.name for c in contacts], [c.phone for c in contacts],
            [c.facebook_psid for c in contacts], [c.language for c in contacts],
        )  # fmt: skip

    async def messenger_wrote(
        self, written: Sequence[tuple[str, datetime]], *, connection: Connection | None = None
    ) -> None:
        """Keep, for each known Messenger id, the time of its latest message: the start of the 24 hours in
        which the page may write back (docs/contract.md §Messenger out). Ids not in the vault are left."""
        if not written:
            return
        await (connection or self._pool).execute(
            """UPDATE citizens c
               SET messenger_last_message_at = greatest(c.messenger_last_message_at, w.at)
               FROM (SELECT psid, max(at) AS at FROM unnest($1::text[], $2::timestamptz[]) AS w(psid, at)
                     GROUP BY psid) w
               WHERE c.facebook_psid = w.psid""",
            [psid for psid, _ in written], [at for _, at in written],
        )  # fmt: skip

    async def erase(self, citizen_id: UUID) -> bool:
        """Forget the citizen's contact; True when there was one."""
        result = await self._pool.execute("DELETE FROM citizens WHERE citizen_id = $1", citizen_id)
        return bool(result == "DELETE 1")

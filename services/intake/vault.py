"""The personal-data vault, intake's table: names, phone numbers and Messenger ids, keyed by ``citizen_id``.

Intake creates it (``sql/0002_vault.sql``), writes it in the filing's transaction and erases from it;
other services read it through :class:`shared.contacts.Contacts`. Erasing a citizen deletes the row and
leaves the immutable log as it is. A write replaces the row: what a filing may change of a known citizen
is decided before (``services/intake/domain/citizens.py``), never by merging here, so that nothing a
filing does not prove reaches another citizen's row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg

from services.intake.domain.citizens import Kept
from shared.contacts import CitizenContact, Contacts
from shared.eventstore.store import Connection

_PUT = """
INSERT INTO citizens (citizen_id, name, phone, facebook_psid, language, phone_proven, psid_proven)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::bool[])
ON CONFLICT (citizen_id) DO UPDATE SET
    name = EXCLUDED.name, phone = EXCLUDED.phone, facebook_psid = EXCLUDED.facebook_psid,
    language = EXCLUDED.language, phone_proven = EXCLUDED.phone_proven, psid_proven = EXCLUDED.psid_proven
"""


async def put_kept(connection: Connection | asyncpg.Pool, rows: Sequence[Kept]) -> None:
    """Write ``rows`` (at most one per citizen) in one round trip, replacing what was kept."""
    if rows:
        await connection.execute(
            _PUT,
            [r.citizen_id for r in rows], [r.name for r in rows], [r.phone for r in rows],
            [r.facebook_psid for r in rows], [r.language for r in rows], [r.phone_proven for r in rows],
            [r.psid_proven for r in rows],
        )  # fmt: skip


def _unproven(contact: CitizenContact) -> Kept:
    return Kept(
        contact.citizen_id, contact.name, contact.phone, contact.facebook_psid, contact.language
    )  # fmt: skip


class PersonalDataVault(Contacts):
    """The ``citizens`` table. Writes take the caller's connection, to share the filing's transaction."""

    async def put(self, contact: CitizenContact, *, connection: Connection | None = None) -> None:
        """Keep ``contact`` as a citizen nothing proved (tools and tests; filings go through
        :func:`put_kept`)."""
        await put_kept(connection or self._pool, [_unproven(contact)])

    async def put_many(self, contacts: Sequence[CitizenContact], *, connection: Connection) -> None:
        """Keep several contacts in one round trip, as :meth:`put` does."""
        await put_kept(connection, [_unproven(contact) for contact in contacts])

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

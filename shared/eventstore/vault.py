"""The personal-data vault: names, phone numbers and Messenger ids, keyed by ``citizen_id``.

Nothing personal goes into events, Kafka messages or logs; they carry ``citizen_id``. Erasing a citizen
deletes the row and leaves the immutable log as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg
from pydantic import BaseModel, ConfigDict, Field

from shared.events.types import Language
from shared.eventstore.store import Connection


class CitizenContact(BaseModel):
    """How to reach a citizen. ``phone`` is E.164."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    citizen_id: UUID
    name: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, pattern=r"^\+[1-9]\d{6,14}$")
    facebook_psid: str | None = Field(default=None, max_length=100)
    language: Language = "km"

    def __repr__(self) -> str:
        # Keep contacts out of logs and tracebacks even when the object itself is printed.
        return f"CitizenContact(citizen_id={self.citizen_id}, <redacted>)"

    __str__ = __repr__


class PersonalDataVault:
    """The ``citizens`` table. Writes take the caller's connection, to share the filing's transaction."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def put(self, contact: CitizenContact, *, connection: Connection | None = None) -> None:
        """Keep ``contact``; a later filing by the same citizen updates what is known."""
        await (connection or self._pool).execute(
            """INSERT INTO citizens (citizen_id, name, phone, facebook_psid, language)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (citizen_id) DO UPDATE SET
                   name = coalesce(EXCLUDED.name, citizens.name),
                   phone = coalesce(EXCLUDED.phone, citizens.phone),
                   facebook_psid = coalesce(EXCLUDED.facebook_psid, citizens.facebook_psid),
                   language = EXCLUDED.language""",
            contact.citizen_id, contact.name, contact.phone, contact.facebook_psid, contact.language,
        )  # fmt: skip

    async def put_many(self, contacts: Sequence[CitizenContact], *, connection: Connection) -> None:
        """Keep several contacts in one round trip (batched filings)."""
        if not contacts:
            return
        await connection.execute(
            """INSERT INTO citizens (citizen_id, name, phone, facebook_psid, language)
               SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])
               ON CONFLICT (citizen_id) DO UPDATE SET
                   name = coalesce(EXCLUDED.name, citizens.name),
                   phone = coalesce(EXCLUDED.phone, citizens.phone),
                   facebook_psid = coalesce(EXCLUDED.facebook_psid, citizens.facebook_psid),
                   language = EXCLUDED.language""",
            [c.citizen_id for c in contacts], [c.name for c in contacts], [c.phone for c in contacts],
            [c.facebook_psid for c in contacts], [c.language for c in contacts],
        )  # fmt: skip

    async def get(self, citizen_id: UUID, *, connection: Connection | None = None) -> CitizenContact | None:
        found = await self.get_many([citizen_id], connection=connection)
        return found.get(citizen_id)

    async def get_many(
        self, citizen_ids: Sequence[UUID], *, connection: Connection | None = None
    ) -> dict[UUID, CitizenContact]:
        rows = await (connection or self._pool).fetch(
            """SELECT citizen_id, name, phone, facebook_psid, language
               FROM citizens WHERE citizen_id = ANY($1::uuid[])""",
            list(citizen_ids),
        )
        return {row["citizen_id"]: CitizenContact(**dict(row)) for row in rows}

    async def erase(self, citizen_id: UUID) -> bool:
        """Forget the citizen's contact; True when there was one."""
        result = await self._pool.execute("DELETE FROM citizens WHERE citizen_id = $1", citizen_id)
        return bool(result == "DELETE 1")

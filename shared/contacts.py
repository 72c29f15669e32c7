"""The read side of the personal-data vault: how to reach a citizen, by ``citizen_id``.

The vault (the ``citizens`` table) is intake's: intake creates it, writes it when it files a complaint and
erases from it (``services/intake/vault.py``). Other services only read it, through :class:`Contacts`, so
names, phone numbers and Messenger ids never travel in events, Kafka messages or logs
(docs/architecture.md §Principles).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg
from pydantic import BaseModel, ConfigDict, Field

from shared.events.types import Language
from shared.eventstore.store import Connection
from shared.service.retry import NotReadyError


class CitizenContact(BaseModel):
    """How to reach a citizen. ``phone`` is E.164."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    citizen_id: UUID
    name: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, pattern=r"^\+[1-9]\d{6,14}$")
    facebook_psid: str | None = Field(default=None, max_length=100)
    language: Language = "km"
    # When the citizen last wrote on Messenger (intake's webhook keeps it): Meta's 24-hour window opens then.
    messenger_last_message_at: datetime | None = None

    def __repr__(self) -> str:
        # Keep contacts out of logs and tracebacks even when the object itself is printed.
        return f"CitizenContact(citizen_id={self.citizen_id}, <redacted>)"

    __str__ = __repr__


class Contacts:
    """Reads the vault; answers only for the citizens asked about."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def get(self, citizen_id: UUID, *, connection: Connection | None = None) -> CitizenContact | None:
        found = await self.get_many([citizen_id], connection=connection)
        return found.get(citizen_id)

    async def get_many(
        self, citizen_ids: Sequence[UUID], *, connection: Connection | None = None
    ) -> dict[UUID, CitizenContact]:
        try:
            rows = await (connection or self._pool).fetch(
                """SELECT citizen_id, name, phone, facebook_psid, language, messenger_last_message_at
                   FROM citizens WHERE citizen_id = ANY($1::uuid[])""",
                list(citizen_ids),
            )
        except (asyncpg.UndefinedTableError, asyncpg.UndefinedColumnError) as error:
            # Intake creates and migrates the vault when it starts: until then, an outage to wait out.
            raise NotReadyError("the personal-data vault is not created yet (intake creates it)") from error
        return {row["citizen_id"]: CitizenContact(**dict(row)) for row in rows}

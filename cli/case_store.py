"""Reading cases from the event store (the ``events`` table): the record, not a projection of it.

Lookups go by key: a reference through intake's ``intake_references`` (its primary key), a filing through
its case id, which intake derives from the channel and message id (``case_id_for``).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from cli.intake_api import Filed
from services.intake.domain.identity import case_id_for
from shared.service.database import create_pool

_BY_REFERENCE = "SELECT case_id FROM intake_references WHERE reference = $1"
_FILED = """
SELECT case_id, data->>'reference' AS reference FROM events
WHERE case_id = ANY($1::uuid[]) AND version = 1 AND type = 'ComplaintFiled'
"""


def open_pool(database_url: str) -> asyncpg.Pool:
    """A small pool: the tool reads a few streams at a time."""
    return create_pool(database_url, min_size=1, max_size=2)


async def find_case(pool: asyncpg.Pool, reference_or_id: str) -> UUID | None:
    """The case a reference (``KH7F3K9Q``, any case) or a case id names, if the store holds it."""
    text = reference_or_id.strip()
    try:
        case_id = UUID(text)
    except ValueError:
        found: UUID | None = await pool.fetchval(_BY_REFERENCE, text.upper())
        return found
    exists = await pool.fetchval("SELECT 1 FROM events WHERE case_id = $1 LIMIT 1", case_id)
    return case_id if exists else None


async def find_filings(
    pool: asyncpg.Pool, filings: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], Filed]:
    """The cases filed so far for ``(channel, channel_message_id)`` pairs (Kafka filings answer nothing)."""
    wanted = {case_id_for(channel, message_id): (channel, message_id) for channel, message_id in filings}
    rows = await pool.fetch(_FILED, list(wanted))
    return {wanted[row["case_id"]]: Filed(row["case_id"], row["reference"]) for row in rows}

"""Reading cases from the event store (the ``events`` table): the record, not a projection of it."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from cli.intake_api import Filed

_BY_REFERENCE = """
SELECT case_id FROM events
WHERE type = 'ComplaintFiled' AND version = 1 AND data->>'reference' = $1
"""
_BY_FILING = """
SELECT data->>'channel' AS channel, data->>'channel_message_id' AS message_id, case_id,
       data->>'reference' AS reference
FROM events
WHERE type = 'ComplaintFiled' AND version = 1
  AND (data->>'channel', data->>'channel_message_id') IN (SELECT * FROM unnest($1::text[], $2::text[]))
"""


def open_pool(database_url: str) -> asyncpg.Pool:
    """A small pool: the tool reads a few streams at a time."""
    return asyncpg.create_pool(database_url, min_size=1, max_size=2)


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
    channels = [channel for channel, _ in filings]
    message_ids = [message_id for _, message_id in filings]
    rows = await pool.fetch(_BY_FILING, channels, message_ids)
    return {(row["channel"], row["message_id"]): Filed(row["case_id"], row["reference"]) for row in rows}

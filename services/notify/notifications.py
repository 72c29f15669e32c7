"""The ``notifications`` table: notices written as intents, claimed for sending, and their outcomes.

Every statement handles a whole batch in one round trip (``unnest``): the consumer writes a batch's
notices in its transaction, a sender claims many due notices at once, and outcomes are recorded in batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from services.notify.domain.notices import Notice
from shared.events.types import ContactChannel
from shared.eventstore.store import Connection

Status = Literal["waiting", "pending", "sending", "sent", "failed", "skipped"]
_OPEN = "('pending', 'sending', 'waiting')"  # not yet sent, failed or skipped


@dataclass(frozen=True, slots=True)
class Intent:
    """A notice about one stored event, as the consumer records it."""

    about_event_id: UUID
    about_type: str
    case_id: UUID
    correlation_id: UUID | None
    notice: Notice


@dataclass(frozen=True, slots=True)
class Claimed:
    """A notice a sender claimed: what to send and to whom (the phone is looked up when sending)."""

    id: int
    about_event_id: UUID
    case_id: UUID
    correlation_id: UUID | None
    recipient: str
    citizen_id: UUID | None
    language: str
    body: str
    encoding: str
    segments: int
    attempts: int  # including this one
    age_seconds: float  # since the notice was recorded
    # Set when an earlier attempt's outcome is unknown (its sender died before recording what the provider
    # said, or the provider's answer was lost to a timeout): when the first such attempt began. The
    # provider may have taken the message then; look before sending it again.
    unknown_attempt_at: datetime | None = None
    messenger_since: datetime | None = None  # the case's own Messenger message, if it was filed there
    about_type: str = ""  # the type of the event it is about (a receipt answers a Messenger message)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one claimed attempt. ``retry_in`` is set for ``pending`` (another try later)."""

    claimed: Claimed
    status: Status
    reason: str | None = None
    message_id: str | None = None
    retry_in: float = 0.0
    unsent: bool = False  # handed back without calling the provider: the attempt does not count
    uncertain: bool = False  # the provider may have taken it (its answer was lost): look before resending
    channel: ContactChannel = "sms"  # the channel it went (or failed) on


async def record_intents(connection: Connection, intents: Sequence[Intent]) -> int:
    """Write the notices (skipped ones with the reason); a notice already there stays as it is.

    A notice waits while an earlier one to the same recipient about the same case is open, so that a
    citizen never reads of the assignment before the receipt. The open notices of these cases are locked
    first: a sender recording one of them meanwhile then releases the new notice after this commit.
    """
    if not intents:
        return 0
    await connection.execute(
        f"""SELECT id FROM notifications WHERE case_id = ANY($1::uuid[]) AND status IN {_OPEN}
            ORDER BY id FOR UPDATE""",
        list({intent.case_id for intent in intents}),
    )
    columns: list[list[object]] = [[] for _ in range(15)]
    for intent in intents:
        notice, text = intent.notice, intent.notice.text
        row = (
            intent.about_event_id, intent.about_type, intent.case_id, intent.correlation_id, notice.recipient,
            notice.citizen_id, text.language, text.template, text.body, text.segments.encoding,
            text.segments.count, "skipped" if notice.skip else "waiting", notice.skip, 0,
            notice.messenger_since,
        )  # fmt: skip
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    result = await connection.execute(
        """INSERT INTO notifications (about_event_id, about_type, case_id, correlation_id, recipient,
                                      citizen_id, language, template, body, encoding, segments, status,
                                      reason, attempts, messenger_since)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::text[], $6::uuid[],
                                $7::text[], $8::text[], $9::text[], $10::text[], $11::int[], $12::text[],
                                $13::text[], $14::int[], $15::timestamptz[])
           ON CONFLICT ON CONSTRAINT notifications_once DO NOTHING""",
        *columns,
    )
    await release(connection, {intent.case_id for intent in intents})
    return int(result.rsplit(" ", 1)[1])


async def release(connection: Connection, case_ids: Iterable[UUID]) -> int:
    """Make the first open notice of each (case, recipient) of these cases sendable, if it was waiting;
    how many were released."""
    ids = list(set(case_ids))
    if not ids:
        return 0
    result = await connection.execute(
        f"""UPDATE notifications SET status = 'pending', next_attempt_at = now(), updated_at = now()
            WHERE status = 'waiting' AND id IN (
                SELECT min(id) FROM notifications WHERE case_id = ANY($1::uuid[]) AND status IN {_OPEN}
                GROUP BY case_id, recipient)""",
        ids,
    )
    return int(result.rsplit(" ", 1)[1])


async def release_any(connection: Connection) -> int:
    """:func:`release` for every case with a waiting notice: a safety net, should a release be missed."""
    rows = await connection.fetch("SELECT DISTINCT case_id FROM notifications WHERE status = 'waiting'")
    return await release(connection, [row["case_id"] for row in rows])


# Due notices: pending ones whose time has come, and claimed ones whose sender's lease ran out (it died).
# In the order of the due index, so that a claim costs the same however long the queue is.
_CLAIM = """
WITH due AS (
    SELECT id, status AS was, updated_at AS claimed_at FROM notifications
    WHERE status IN ('pending', 'sending') AND next_attempt_at <= now()
    ORDER BY next_attempt_at, id
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
UPDATE notifications n
SET status = 'sending', attempts = n.attempts + 1, updated_at = now(),
    next_attempt_at = now() + make_interval(secs => $2)
FROM due WHERE n.id = due.id
RETURNING n.id, n.about_event_id, n.case_id, n.correlation_id, n.recipient, n.citizen_id, n.language,
          n.body, n.encoding, n.segments, n.attempts, n.messenger_since, n.about_type,
          extract(epoch FROM now() - n.created_at)::float8 AS age_seconds,
          CASE WHEN due.was = 'sending' THEN least(due.claimed_at, n.uncertain_since)
               ELSE n.uncertain_since END AS unknown_attempt_at
"""


async def claim(connection: Connection, limit: int, lease_seconds: float) -> list[Claimed]:
    """Claim up to ``limit`` due notices for ``lease_seconds`` (other senders skip them meanwhile)."""
    rows = await connection.fetch(_CLAIM, limit, lease_seconds)
    return sorted((Claimed(**dict(row)) for row in rows), key=lambda c: c.id)


async def record_outcomes(connection: Connection, outcomes: Sequence[Outcome]) -> set[int]:
    """Record outcomes of claimed attempts; the ids recorded. An attempt whose lease ran out and whose
    notice was claimed again is not recorded: the newer claim decides."""
    if not outcomes:
        return set()
    rows = await connection.fetch(
        """UPDATE notifications n
           SET status = o.status, reason = o.reason, updated_at = now(),
               attempts = n.attempts - CASE WHEN o.unsent THEN 1 ELSE 0 END,
               provider_message_id = coalesce(o.message_id, n.provider_message_id),
               channel = CASE WHEN o.status IN ('sent', 'failed') THEN o.channel ELSE n.channel END,
               next_attempt_at = CASE WHEN o.status = 'pending'
                                      THEN now() + make_interval(secs => o.retry_in)
                                      ELSE n.next_attempt_at END,
               -- updated_at is still the claim's time here: the uncertain attempt began no earlier.
               uncertain_since = CASE WHEN o.uncertain THEN coalesce(n.uncertain_since, n.updated_at)
                                      ELSE n.uncertain_since END
           FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::bool[],
                       $8::bool[], $9::text[])
                AS o(id, attempts, status, reason, message_id, retry_in, unsent, uncertain, channel)
           WHERE n.id = o.id AND n.status = 'sending' AND n.attempts = o.attempts
           RETURNING n.id""",
        [o.claimed.id for o in outcomes], [o.claimed.attempts for o in outcomes],
        [o.status for o in outcomes], [o.reason for o in outcomes], [o.message_id for o in outcomes],
        [o.retry_in for o in outcomes], [o.unsent for o in outcomes], [o.uncertain for o in outcomes],
        [o.channel for o in outcomes],
    )  # fmt: skip
    recorded = {row["id"] for row in rows}
    final = {o.claimed.case_id for o in outcomes if o.claimed.id in recorded and o.status != "pending"}
    await release(connection, final)
    return recorded


async def pending_count(connection: Connection) -> int:
    """Notices not yet sent, failed or skipped (pending or being sent)."""
    return int(
        await connection.fetchval("SELECT count(*) FROM notifications WHERE status IN ('pending', 'sending')")
    )

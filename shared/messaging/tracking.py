"""Which case events a consumer group has handled, in a number of rows that does not grow with the topic.

A consumer records what it handles in the transaction of the handler's own writes, so that an event
delivered again is skipped (effectively once). Duplicates come two ways, and each has its own record:

- Kafka hands a batch again from the group's last committed offset (a consumer died between its database
  commit and its offset commit, or a rebalance took its partitions). Those are the same records at the same
  offsets, at or below the highest offset the group has handled in that partition: one row per (group,
  topic, partition), ``consumer_positions``, recognises all of them however far back they go.
- The outbox relay publishes at least once: a relay that dies between Kafka's acknowledgement and the
  deletion of its outbox rows publishes those rows' events again, at later offsets of the same partitions
  (records are keyed by case). The rows not yet deleted are at most two relay batches (the one in flight
  and the one being sent), so a copy follows its original within two batches' worth of records. The event
  ids of the last ``RECENT_OFFSETS`` offsets of each partition, ``consumer_recent_events``, recognise them;
  older ones are deleted in the transaction that moves the partition's position on. A copy seen refreshes
  its event's offset, so a relay that fails over and over is followed copy by copy.

So a group keeps at most ``partitions * (RECENT_OFFSETS + 1)`` rows for a topic. A copy more than
``RECENT_OFFSETS`` records after its original (an append far larger than the services make, published twice)
is handled again: the handlers' own idempotency keys are the line behind this one.

The positions assume a partition's offsets only grow: a topic deleted and created again under the same name
starts at offset 0, and its group's rows of it must be deleted with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from shared.eventstore.store import Connection

# Two relay batches of 500 events, each overshooting by at most the rest of its last append (the services
# append at most a consumed batch, 500 events, at their default settings) are under 2,000 records; 5,000
# leaves room for an append of up to 2,000 events, and for a relay that fails over with its sends in flight.
# Measured: a relay SIGKILLed mid-batch (tests/e2e/test_relay_crash.py, three kill points) published its
# copies at most 135 offsets after their originals on the local cluster's 4 partitions.
RECENT_OFFSETS = 5_000

# The events not seen yet, recorded. Rows go in in (topic, partition, offset) order, the order every consumer
# locks them in, so two consumers handed the same records during a rebalance wait on each other instead of
# deadlocking; the second finds the first's rows.
_CLAIM = """
INSERT INTO consumer_recent_events (consumer, topic, partition, record_offset, event_id)
SELECT $1, * FROM unnest($2::text[], $3::int[], $4::bigint[], $5::uuid[])
    AS d(topic, partition, record_offset, event_id)
ORDER BY topic, partition, record_offset
ON CONFLICT (consumer, event_id) DO NOTHING
RETURNING event_id
"""

# Each partition's position moved on to the batch's last offset: the positions before (the statement's
# snapshot is taken after _CLAIM finished, so they include every transaction that handled or pruned one of the
# events _CLAIM recorded) and after.
_ADVANCE = """
WITH reached AS (
    SELECT * FROM unnest($2::text[], $3::int[], $4::bigint[]) AS r(topic, partition, last_offset)
), before AS (
    SELECT p.topic, p.partition, p.last_offset
    FROM consumer_positions p JOIN reached r USING (topic, partition)
    WHERE p.consumer = $1
), moved AS (
    INSERT INTO consumer_positions AS p (consumer, topic, partition, last_offset)
    SELECT $1, topic, partition, last_offset FROM reached ORDER BY topic, partition
    ON CONFLICT (consumer, topic, partition)
        DO UPDATE SET last_offset = greatest(p.last_offset, excluded.last_offset)
    RETURNING topic, partition, last_offset
)
SELECT m.topic, m.partition, b.last_offset AS before, m.last_offset AS after
FROM moved m LEFT JOIN before b USING (topic, partition)
"""

# Events seen before, found again past the position (the relay published them again): their rows move on to
# the copy's offset, so that a relay publishing them over and over is followed copy by copy.
_FOLLOW = """
UPDATE consumer_recent_events r SET record_offset = s.record_offset
FROM unnest($2::uuid[], $3::bigint[]) AS s(event_id, record_offset)
WHERE r.consumer = $1 AND r.event_id = s.event_id AND r.record_offset < s.record_offset
"""

# The rows of each partition whose offsets fell out of the window since the last batch, by a range of the
# window index (a delete of everything below the window walked the index entries of every row deleted since
# the last vacuum: 7 ms a batch of 500, growing until autovacuum came). The ranges are looked up row by row
# and deleted by ctid whatever plan is cached (OFFSET 0 keeps the planner from joining them to the table: a
# generic plan made while the table was small hashed all of the group's rows, 4 ms a batch). A statement
# after _ADVANCE, so that its snapshot holds the rows of a transaction _ADVANCE waited for (another owner of
# the partition during a rebalance).
_PRUNE = """
DELETE FROM consumer_recent_events
WHERE ctid = ANY(ARRAY(
    SELECT old.ctid
    FROM unnest($2::text[], $3::int[], $4::bigint[], $5::bigint[]) AS w(topic, partition, above, through)
    CROSS JOIN LATERAL (
        SELECT r.ctid FROM consumer_recent_events r
        WHERE r.consumer = $1 AND r.topic = w.topic AND r.partition = w.partition
          AND r.record_offset > w.above AND r.record_offset <= w.through
        OFFSET 0
    ) old
))
"""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One case event as a consumer was handed it: the record's place in the topic and the event's id."""

    topic: str
    partition: int
    offset: int
    event_id: UUID


async def track(
    connection: Connection, consumer: str, deliveries: Sequence[Delivery], *, window: int = RECENT_OFFSETS
) -> set[UUID]:
    """Record ``deliveries`` as handled by ``consumer``; the ids of the events it had not handled before.

    Call it in the transaction of the handler's writes, at PostgreSQL's default isolation (READ COMMITTED:
    each of its statements must see what other consumers committed while the one before waited on them),
    and let the handler handle only the events returned.
    """
    if not deliveries:
        return set()
    latest: dict[UUID, Delivery] = {}
    reached: dict[tuple[str, int], tuple[int, int]] = {}  # the first and last offset of each partition
    for delivery in deliveries:
        known = latest.get(delivery.event_id)
        if known is None or known.offset < delivery.offset:
            latest[delivery.event_id] = delivery
        place = (delivery.topic, delivery.partition)
        first, last = reached.get(place, (delivery.offset, delivery.offset))
        reached[place] = (min(first, delivery.offset), max(last, delivery.offset))
    claimed = await connection.fetch(
        _CLAIM, consumer, *_columns([(d.topic, d.partition, d.offset, d.event_id) for d in latest.values()])
    )
    recorded = {row["event_id"] for row in claimed}
    moved = await connection.fetch(
        _ADVANCE, consumer, *_columns([(*place, last) for place, (_, last) in sorted(reached.items())])
    )
    before: dict[tuple[str, int], int] = {}
    prune: list[tuple[str, int, int, int]] = []
    for row in moved:
        place = (row["topic"], row["partition"])
        before[place] = -1 if row["before"] is None else row["before"]
        # Rows below the old position's window are gone (each move deleted its range, and a transaction that
        # moved the position unseen by ``before`` kept only rows above it), but those this batch recorded: a
        # batch handed again from long ago.
        above, through = min(before[place] - window, reached[place][0] - 1), row["after"] - window
        if through > above:
            prune.append((*place, above, through))
    fresh = {
        d.event_id
        for d in latest.values()
        if d.event_id in recorded and d.offset > before[(d.topic, d.partition)]
    }
    copies = [
        (d.event_id, d.offset)
        for d in latest.values()
        if d.event_id not in recorded and d.offset > before[(d.topic, d.partition)]
    ]
    if copies:
        await connection.execute(_FOLLOW, consumer, *_columns(copies))
    if prune:
        await connection.execute(_PRUNE, consumer, *_columns(prune))
    return fresh


def _columns(rows: Sequence[tuple[object, ...]]) -> list[list[object]]:
    return [list(column) for column in zip(*rows, strict=True)]

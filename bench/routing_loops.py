"""The two plain loops bench-routing compares the routing service with, on aiokafka and asyncpg alone.

``raw_loop``, the issue's raw limit: per batch of up to 500 records, one row per record inserted into a
table like ``events`` in one transaction, then the offset commit; nothing decoded, decided or tracked.

``route_by_hand``, routing's own work written by hand: what the same work costs without the service's
machinery (FastStream's subscriber, the consumer helper, the event store, the outbox relay publishing the
decisions). Per batch: every record decoded and validated (``decode_envelope``: the envelope and its
``ComplaintFiled`` in one pydantic pass), then one transaction: the filings' ids recorded in the consumer's
tracking (``shared/messaging/tracking.py``), the new ones decided by routing's own domain function, and every
decision appended on its stream's version, with the batch's outbox row, in one statement; then the offset
commit. Nothing publishes the decisions.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer

from services.routing.domain.decide import decide
from services.routing.domain.rules import RoutingRules
from services.routing.router import event_data, filing_of
from shared.events import ComplaintFiled, Envelope, data_json, decode_envelope
from shared.messaging.tracking import Delivery, track
from shared.places.units import UnitRegistry

APPEND = """
WITH new AS (
    SELECT * FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::text[], $5::text[], $6::uuid[], $7::text[])
        AS n(case_id, version, event_id, type, idempotency_key, causation_id, data)
), stored AS (
    INSERT INTO events (case_id, version, event_id, type, schema_version, idempotency_key, occurred_at,
                        producer, causation_id, correlation_id, actor_kind, actor_id, data)
    SELECT case_id, version, event_id, type, 1, idempotency_key, $8, 'routing', causation_id, causation_id,
           'system', 'routing', data::jsonb
    FROM new
    WHERE version - 1 = (SELECT coalesce(max(e.version), 0) FROM events e WHERE e.case_id = new.case_id)
    RETURNING event_id
)
INSERT INTO outbox (event_ids) SELECT array_agg(event_id) FROM stored HAVING count(*) > 0
"""


DECISIONS = "SELECT count(*) FROM events WHERE producer = 'routing'"
RAW_INSERT = """
INSERT INTO raw_decisions (case_id, version, event_id, type, schema_version, idempotency_key, occurred_at,
                           producer, actor_kind, actor_id, data)
SELECT c, 2, gen_random_uuid(), 'CaseAssigned', 1, c::text || ':routing', now(), 'raw', 'system', 'raw',
       $2::jsonb
FROM unnest($1::uuid[]) AS c
"""
RAW_DATA = json.dumps({"unit": {"id": "police:1203"}, "level": 0})


async def raw_loop(consumer: AIOKafkaConsumer, pool: asyncpg.Pool, until: int) -> None:
    """Insert a row per record into ``raw_decisions`` until it holds ``until`` rows."""
    stored = await pool.fetchval("SELECT count(*) FROM raw_decisions")
    while stored < until:
        records = await next_records(consumer)
        case_ids = [uuid.UUID(record.key.decode()) for record in records]
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute(RAW_INSERT, case_ids, RAW_DATA)
        await consumer.commit()
        stored += len(records)


async def route_by_hand(
    consumer: AIOKafkaConsumer, pool: asyncpg.Pool, units: UnitRegistry, rules: RoutingRules, until: int
) -> None:
    """Route filings from ``consumer`` until ``until`` decisions are stored."""
    handled = await pool.fetchval(DECISIONS)
    while handled < until:
        records = await next_records(consumer)
        filed = [decode_envelope(record.value) for record in records]
        deliveries = [
            Delivery(record.topic, record.partition, record.offset, event.event_id)
            for record, event in zip(records, filed, strict=True)
        ]
        async with pool.acquire() as connection, connection.transaction():
            fresh = await track(connection, "by-hand", deliveries)
            columns = _decisions([event for event in filed if event.event_id in fresh], units, rules)
            await connection.execute(APPEND, *columns, datetime.now(UTC))
        await consumer.commit()
        handled += len(fresh)


async def next_records(consumer: AIOKafkaConsumer) -> list[Any]:
    """The next non-empty batch of up to 500 records, from all the consumer's partitions."""
    while True:
        batches = await consumer.getmany(timeout_ms=200, max_records=500)
        if records := [record for batch in batches.values() for record in batch]:
            return records


def _decisions(filed: list[Envelope], units: UnitRegistry, rules: RoutingRules) -> list[list[object]]:
    """The decisions' rows (routing's own translation of a filing and of its decision), a list per column
    of ``APPEND``."""
    columns: list[list[object]] = [[], [], [], [], [], [], []]
    for event in filed:
        payload = event.known_payload
        assert isinstance(payload, ComplaintFiled)
        data = event_data(decide(filing_of(payload), units, rules))
        row = (
            event.case_id, event.version + 1, uuid.uuid4(), data.type_name(), f"{event.event_id}:routing",
            event.event_id, data_json(data),
        )  # fmt: skip
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    return columns

"""Routing's work written by hand on plain aiokafka and asyncpg: bench-routing's second baseline, what the
same work costs without the service's machinery (FastStream's subscriber, the consumer helper, the event
store, the outbox relay publishing the decisions).

Per batch of up to 500 filings: every record decoded and validated (``decode_envelope``: the envelope and its
``ComplaintFiled`` in one pydantic pass), decided by routing's own domain function, then one transaction:
the filings' ids recorded in ``consumer_tracking`` and every decision appended on its stream's version, with
the batch's outbox row, in one statement; then the offset commit. Nothing publishes the decisions.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaConsumer

from services.routing.domain.decide import Assignment, Filing, decide
from services.routing.domain.rules import RoutingRules
from shared.events import CaseAssigned, CaseNeedsTriage, ComplaintFiled, Envelope, data_json, decode_envelope
from shared.units import UnitRegistry

TRACK = """INSERT INTO consumer_tracking (consumer, event_id) SELECT 'by-hand', unnest($1::uuid[])
           ON CONFLICT DO NOTHING RETURNING event_id"""
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


async def route_by_hand(
    consumer: AIOKafkaConsumer, pool: asyncpg.Pool, units: UnitRegistry, rules: RoutingRules, until: int
) -> None:
    """Route filings from ``consumer`` until ``until`` of them have been handled (counted by tracking)."""
    handled = await pool.fetchval("SELECT count(*) FROM consumer_tracking WHERE consumer = 'by-hand'")
    while handled < until:
        batches = await consumer.getmany(timeout_ms=200, max_records=500)
        records = [record for batch in batches.values() for record in batch]
        if not records:
            continue
        filed = [decode_envelope(record.value) for record in records]
        async with pool.acquire() as connection, connection.transaction():
            fresh = {row["event_id"] for row in await connection.fetch(TRACK, [e.event_id for e in filed])}
            columns = _decisions([event for event in filed if event.event_id in fresh], units, rules)
            await connection.execute(APPEND, *columns, datetime.now(UTC))
        await consumer.commit()
        handled += len(fresh)


def _decisions(filed: list[Envelope], units: UnitRegistry, rules: RoutingRules) -> list[list[object]]:
    """The decisions' rows, a list per column of ``APPEND``."""
    columns: list[list[object]] = [[], [], [], [], [], [], []]
    for event in filed:
        payload = event.known_payload
        assert isinstance(payload, ComplaintFiled)
        location = payload.location
        decision = decide(
            Filing(
                payload.category, location.province, location.district, location.commune,
                payload.confidential, payload.subject.kind,
            ),
            units,
            rules,
        )  # fmt: skip
        data = (
            CaseAssigned(unit=decision.unit, level=decision.level, rule=decision.rule, reason=decision.reason)
            if isinstance(decision, Assignment)
            else CaseNeedsTriage(reason=decision.reason)
        )
        row = (
            event.case_id, event.version + 1, uuid.uuid4(), data.type_name(), f"{event.event_id}:routing",
            event.event_id, data_json(data),
        )  # fmt: skip
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    return columns

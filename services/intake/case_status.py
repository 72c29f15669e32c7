"""The case status projection: one row per case and its public timeline, kept from ``case-events``.

Consumed by the ``intake-case-status`` group and rebuildable by replay (``python -m cli replay
case_status``). Each row is the :class:`CaseState` that ``evolve`` folds from the case's lifecycle
events, so the projection and the command handler read a case alike. An event at or below the row's
version is one already applied and changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

import asyncpg

from services.intake.domain.case import LIFECYCLE_EVENTS, CaseState, evolve
from shared.events import Envelope, payload_of
from shared.events.types import CaseInfoRequested, CitizenReplied, ResolvedLocation, Subject, UnitRef
from shared.messaging.consumer import Batch

log = logging.getLogger(__name__)
NAME = "case_status"
GROUP = "intake-case-status"

_COLUMNS = (
    ("case_id", "uuid"), ("reference", "text"), ("version", "int"), ("channel", "text"), ("status", "text"),
    ("category", "text"), ("province", "text"), ("location", "jsonb"), ("subject", "jsonb"),
    ("confidential", "bool"), ("anonymous", "bool"), ("citizen_id", "uuid"), ("language", "text"),
    ("text", "text"), ("level", "int"), ("unit", "jsonb"), ("unit_id", "text"), ("verdict", "text"),
    ("filed_at", "timestamptz"), ("updated_at", "timestamptz"),
)  # fmt: skip
_NAMES = ", ".join(name for name, _ in _COLUMNS)
_ARRAYS = ", ".join(
    f"${i}::{'text' if kind == 'jsonb' else kind}[]" for i, (_, kind) in enumerate(_COLUMNS, 1)
)
_VALUES = ", ".join(f"{name}::jsonb" if kind == "jsonb" else name for name, kind in _COLUMNS)
_UPSERT = f"""
INSERT INTO intake_cases ({_NAMES})
SELECT {_VALUES} FROM unnest({_ARRAYS}) AS r({_NAMES})
ON CONFLICT (case_id) DO UPDATE SET
{", ".join(f"{name} = EXCLUDED.{name}" for name, _ in _COLUMNS[1:])}
"""
_EXCHANGES = """
INSERT INTO intake_exchanges (case_id, version, kind, text, channel, at)
SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
ON CONFLICT DO NOTHING
"""
_TIMELINE = """
INSERT INTO intake_timeline (case_id, version, type, at)
SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::timestamptz[])
ON CONFLICT DO NOTHING
"""


class CaseStatusProjection:
    """Keeps ``intake_cases`` and ``intake_timeline`` (see ``sql/0001_intake.sql``)."""

    name = NAME
    tables = ("intake_cases", "intake_timeline", "intake_exchanges")
    event_types: frozenset[str] | None = LIFECYCLE_EVENTS

    async def handle(self, batch: Batch) -> None:
        connection = batch.connection
        case_ids = list({event.case_id for event in batch.events})
        rows = await connection.fetch(
            f"SELECT {_NAMES} FROM intake_cases WHERE case_id = ANY($1::uuid[])", case_ids
        )
        states: dict[UUID, CaseState] = {row["case_id"]: _state(row) for row in rows}
        changed: set[UUID] = set()
        timeline: list[tuple[Any, ...]] = []
        exchanges: list[tuple[Any, ...]] = []
        for event in batch.events:
            before = states.get(event.case_id)
            if before is not None and event.version <= before.version:
                continue
            after = evolve(before, event)
            if after is None:
                log.warning("%s of case %s came before its filing; skipped", event.type, event.case_id)
                continue
            states[event.case_id] = after
            changed.add(event.case_id)
            timeline.append((event.case_id, event.version, event.type, event.occurred_at))
            exchange = _exchange(event)
            if exchange is not None:
                exchanges.append(exchange)
        if changed:
            values = [_row(states[case_id]) for case_id in sorted(changed)]
            await connection.execute(_UPSERT, *(list(column) for column in zip(*values, strict=True)))
            await connection.execute(_TIMELINE, *(list(column) for column in zip(*timeline, strict=True)))
        if exchanges:
            await connection.execute(_EXCHANGES, *(list(column) for column in zip(*exchanges, strict=True)))


def _exchange(event: Envelope) -> tuple[Any, ...] | None:
    """A question of the unit or a citizen's reply, as the inbox shows it."""
    data = payload_of(event)
    if isinstance(data, CaseInfoRequested):
        return (event.case_id, event.version, "question", data.question, None, event.occurred_at)
    if isinstance(data, CitizenReplied):
        return (event.case_id, event.version, "reply", data.text, data.channel, event.occurred_at)
    return None


def _row(state: CaseState) -> tuple[Any, ...]:
    return (
        state.case_id, state.reference, state.version, state.channel, state.status, state.category,
        state.location.province, state.location.model_dump_json(), state.subject.model_dump_json(),
        state.confidential, state.anonymous, state.citizen_id, state.language, state.text, state.level,
        state.unit.model_dump_json() if state.unit else None, state.unit.id if state.unit else None,
        state.verdict, state.filed_at, state.updated_at,
    )  # fmt: skip


def _state(row: asyncpg.Record) -> CaseState:
    return CaseState(
        case_id=row["case_id"], version=row["version"], reference=row["reference"], channel=row["channel"],
        status=row["status"], category=row["category"],
        location=ResolvedLocation.model_validate_json(row["location"]),
        subject=Subject.model_validate_json(row["subject"]), confidential=row["confidential"],
        anonymous=row["anonymous"], citizen_id=row["citizen_id"], language=row["language"],
        text=row["text"], filed_at=row["filed_at"], updated_at=row["updated_at"], level=row["level"],
        unit=UnitRef.model_validate_json(row["unit"]) if row["unit"] else None, verdict=row["verdict"],
    )  # fmt: skip

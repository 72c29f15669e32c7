"""Reads of the case status projection (and, for the inbox, of the personal-data vault)."""

from __future__ import annotations

from typing import Any

import asyncpg

from services.intake.domain.case import OPEN_FOR_UNIT
from services.intake.domain.identity import is_reference
from services.intake.vault import PersonalDataVault
from services.intake.views import ContactView, Exchange, InboxCase, PublicStatus, QueueCase, TimelineEntry
from shared.events.types import ResolvedLocation, Subject, UnitRef
from shared.eventstore import HasPool
from shared.eventstore.store import Connection

_SUMMARY = (
    "case_id, reference, status, level, category, confidential, location, subject, text, language, "
    "anonymous, filed_at, updated_at"
)


class CaseQueries:
    """Answers the read endpoints from ``intake_cases`` and ``intake_timeline``."""

    def __init__(self, database: HasPool) -> None:
        self._database = database

    async def public_status(
        self, reference: str, *, connection: Connection | None = None
    ) -> PublicStatus | None:
        """The public view of the case with this reference (any letter case), or None; on ``connection``
        when given (a caller inside a transaction must not wait for a second connection of the pool)."""
        reference = reference.strip()
        if not is_reference(reference):
            return None
        pool = connection or self._database.pool
        row = await pool.fetchrow(
            """SELECT case_id, reference, status, category, province, confidential, level, unit
               FROM intake_cases WHERE reference = $1""",
            reference.strip().upper(),
        )
        if row is None:
            return None
        events = await pool.fetch(
            "SELECT type, at FROM intake_timeline WHERE case_id = $1 ORDER BY version", row["case_id"]
        )
        unit = UnitRef.model_validate_json(row["unit"]) if row["unit"] else None
        return PublicStatus(
            reference=row["reference"],
            status=row["status"],
            category=row["category"],
            province=row["province"],
            assigned_unit=None if row["confidential"] else unit,
            escalation_level=row["level"],
            timeline=[TimelineEntry(type=e["type"], at=e["at"]) for e in events],
        )

    async def inbox(self, unit_id: str, limit: int) -> list[InboxCase]:
        """The unit's open cases, oldest first, each with the citizen's contact unless anonymous."""
        pool = self._database.pool
        rows = await pool.fetch(
            f"""SELECT {_SUMMARY}, citizen_id FROM intake_cases
                WHERE unit_id = $1 AND status = ANY($2::text[]) ORDER BY filed_at, case_id LIMIT $3""",
            unit_id, list(OPEN_FOR_UNIT), limit,
        )  # fmt: skip
        wanted = [row["citizen_id"] for row in rows if row["citizen_id"] and not row["anonymous"]]
        contacts = await PersonalDataVault(pool).get_many(wanted) if wanted else {}
        exchanges: dict[Any, list[Exchange]] = {}
        for row in await pool.fetch(
            """SELECT case_id, kind, text, channel, at FROM intake_exchanges
               WHERE case_id = ANY($1::uuid[]) ORDER BY case_id, version""",
            [row["case_id"] for row in rows],
        ):
            exchanges.setdefault(row["case_id"], []).append(
                Exchange(kind=row["kind"], text=row["text"], channel=row["channel"], at=row["at"])
            )
        cases = []
        for row in rows:
            contact = None if row["anonymous"] else contacts.get(row["citizen_id"])
            citizen = None
            if contact is not None:
                citizen = ContactView(
                    name=contact.name, phone=contact.phone, facebook_psid=contact.facebook_psid,
                    language=contact.language,
                )  # fmt: skip
            cases.append(
                InboxCase(**_summary(row), citizen=citizen, exchanges=exchanges.get(row["case_id"], []))
            )
        return cases

    async def escalations(self, limit: int) -> list[QueueCase]:
        """Cases in triage and cases at level 2 not resolved, oldest first."""
        rows = await self._database.pool.fetch(
            f"""SELECT {_SUMMARY}, unit, verdict FROM intake_cases
                WHERE status = 'needs_triage' OR (level = 2 AND status <> 'resolved')
                ORDER BY filed_at, case_id LIMIT $1""",
            limit,
        )
        return [
            QueueCase(
                **_summary(row),
                assigned_unit=UnitRef.model_validate_json(row["unit"]) if row["unit"] else None,
                verdict=row["verdict"],
            )
            for row in rows
        ]


def _summary(row: asyncpg.Record) -> dict[str, Any]:
    summary = {name: row[name] for name in _SUMMARY.split(", ")}
    summary["location"] = ResolvedLocation.model_validate_json(row["location"])
    summary["subject"] = Subject.model_validate_json(row["subject"])
    return summary

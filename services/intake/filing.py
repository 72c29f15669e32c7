"""The filing use case: complaints in, ``ComplaintFiled`` events and vault rows out, in one transaction.

One call files a whole batch (a Kafka batch, or HTTP requests gathered by the batcher) with a handful of
statements: reserve references, look citizens up, append every filing, keep the new citizens' contacts.
A complaint whose filing key is already stored is a redelivery: it stores nothing and answers the case
filed the first time. The contact reaches the vault only with a new filing, so a redelivery of an old
message cannot bring back a contact that was erased meanwhile.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID, uuid4

from services.intake.domain.citizens import Contact, Kept, kept_after_all
from services.intake.domain.complaint import Complaint
from services.intake.domain.identity import new_citizen_id, reference_for
from services.intake.metrics import IntakeMetrics
from services.intake.vault import put_kept
from shared.events import Actor, NewEvent
from shared.eventstore import Append, Appended, Connection, HasPool, PostgresEventStore
from shared.service.clock import Clock

log = logging.getLogger(__name__)
PRODUCER = "intake"
_MAX_REFERENCE_ATTEMPTS = 16

# One round trip: the references this statement reserved, and those earlier deliveries reserved.
_RESERVE = """
WITH wanted AS (
    SELECT * FROM unnest($1::text[], $2::uuid[]) AS w(reference, case_id)
), inserted AS (
    INSERT INTO intake_references (reference, case_id)
    SELECT reference, case_id FROM wanted ORDER BY case_id
    ON CONFLICT DO NOTHING
    RETURNING reference, case_id
)
SELECT reference, case_id FROM inserted
UNION ALL
SELECT r.reference, r.case_id FROM wanted w
CROSS JOIN LATERAL (SELECT * FROM intake_references r WHERE r.case_id = w.case_id OFFSET 0) r
"""
# The lookups by a batch's keys below are index probes, one per key, whatever plan PostgreSQL cached for the
# statement (OFFSET 0 keeps the planner from turning them into a join): a plan cached while the table was new
# and small scanned all of it for every batch, 25-55 ms a batch at a few thousand rows.
# Filings by one new citizen in concurrent transactions would each make them an id: the second waits
# here until the first commits, then finds the first one's vault row. Sorted, so no two lock in a cycle.
_LOCK_CITIZENS = """
SELECT pg_advisory_xact_lock(key) FROM (SELECT DISTINCT key FROM unnest($1::bigint[]) AS key ORDER BY key) k
"""
_CITIZENS = """
SELECT citizen_id, name, phone, facebook_psid, language, phone_proven, psid_proven FROM (
    SELECT c.* FROM unnest($1::text[]) AS wanted(phone)
    CROSS JOIN LATERAL (SELECT * FROM citizens c WHERE c.phone = wanted.phone AND c.phone_proven OFFSET 0) c
    UNION
    SELECT c.* FROM unnest($2::text[]) AS wanted(psid)
    CROSS JOIN LATERAL (
        SELECT * FROM citizens c WHERE c.facebook_psid = wanted.psid AND c.psid_proven OFFSET 0
    ) c
) known
ORDER BY created_at, citizen_id
"""


@dataclass(frozen=True, slots=True)
class Filed:
    """The case a complaint filed; ``duplicate`` when it had been filed before."""

    case_id: UUID
    reference: str
    duplicate: bool = False


class FilingService:
    """Files batches of complaints; ``clock`` gives the time the events carry."""

    def __init__(self, database: HasPool, metrics: IntakeMetrics, clock: Clock) -> None:
        self._database = database
        self._metrics = metrics
        self._clock = clock

    async def file_many(
        self, complaints: Sequence[Complaint], *, connection: Connection | None = None
    ) -> list[Filed]:
        """File every complaint (in one transaction: ``connection``'s, when given); one answer per
        complaint, in order."""
        if connection is not None:
            answers = await self._file(connection, complaints)
        else:
            async with self._database.pool.acquire() as own, own.transaction():
                answers = await self._file(own, complaints)
        self._count(complaints, answers)
        return answers

    async def _file(self, connection: Connection, complaints: Sequence[Complaint]) -> list[Filed]:
        first: dict[UUID, Complaint] = {}
        for complaint in complaints:
            first.setdefault(complaint.case_id, complaint)
        store = PostgresEventStore(self._database.pool)
        now = self._clock()
        async with connection.transaction():  # a savepoint inside the caller's transaction
            citizens, known = await _citizen_ids(connection, first.values())
            references = await _reserve_references(connection, list(first))
            appends = [
                Append(case_id, 0, [_filing(c, references[case_id], citizens.get(case_id), now)])
                for case_id, c in first.items()
            ]
            results = await store.append_many(appends, connection=connection)
            filed: dict[UUID, Filed] = {}
            new: list[Complaint] = []
            for complaint, result in zip(first.values(), results, strict=True):
                if not isinstance(result, Appended):
                    raise result  # a filing stream holding events of another kind: never retried
                reference = references[complaint.case_id]
                if result.duplicate:  # answered with the reference it was filed with
                    reference = str(result.events[0].data.get("reference", reference))
                else:
                    new.append(complaint)
                filed[complaint.case_id] = Filed(complaint.case_id, reference, result.duplicate)
            await put_kept(connection, _kept(new, citizens, known))
        answers: list[Filed] = []
        answered: set[UUID] = set()
        for complaint in complaints:
            answer = filed[complaint.case_id]
            # The second delivery of a case inside one batch is a duplicate of the first.
            answers.append(replace(answer, duplicate=True) if complaint.case_id in answered else answer)
            answered.add(complaint.case_id)
        return answers

    async def filed_before(self, case_id: UUID) -> Filed | None:
        """The case's filing when it is filed already (its reference is reserved with the filing)."""
        reference = await self._database.pool.fetchval(
            "SELECT reference FROM intake_references WHERE case_id = $1", case_id
        )
        return None if reference is None else Filed(case_id, reference, duplicate=True)

    def _count(self, complaints: Sequence[Complaint], answers: Sequence[Filed]) -> None:
        for complaint, answer in zip(complaints, answers, strict=True):
            if answer.duplicate:
                self._metrics.duplicates.labels(channel=complaint.channel).inc()
            else:
                province = complaint.location.province or "unknown"
                self._metrics.filed.labels(channel=complaint.channel, province=province).inc()


def _filing(complaint: Complaint, reference: str, citizen_id: UUID | None, now: datetime) -> NewEvent:
    return NewEvent(
        event_id=uuid4(),
        data=complaint.filed(reference, citizen_id),
        idempotency_key=complaint.idempotency_key,
        occurred_at=now,
        producer=PRODUCER,
        actor=Actor(kind="citizen", id=str(citizen_id) if citizen_id else "anonymous"),
    )


async def _reserve_references(connection: Connection, case_ids: list[UUID]) -> dict[UUID, str]:
    """Each case's reference: the one reserved before, else its first candidate not taken."""
    found: dict[UUID, str] = {}
    pending = sorted(case_ids)
    for attempt in range(_MAX_REFERENCE_ATTEMPTS):
        candidates = [reference_for(case_id, attempt) for case_id in pending]
        for row in await connection.fetch(_RESERVE, candidates, pending):
            found[row["case_id"]] = row["reference"]
        pending = [case_id for case_id in pending if case_id not in found]
        if not pending:
            return found
    raise RuntimeError(f"no free reference for {len(pending)} cases after {_MAX_REFERENCE_ATTEMPTS} tries")


async def _citizen_ids(
    connection: Connection, complaints: Iterable[Complaint]
) -> tuple[dict[UUID, UUID], dict[UUID, Kept]]:
    """The citizen id of each non-anonymous complaint's case, and the vault rows of the known ones.

    A complaint links to a known citizen only by a phone or Messenger id that its door proved and that the
    citizen's row holds as proven (docs/contract.md §Who a citizen is); otherwise it is a new citizen,
    shared with the batch's other complaints proving the same contact."""
    complaints = list(complaints)
    phones = [p for c in complaints if c.contact and (p := c.contact.proven_phone)]
    psids = [p for c in complaints if c.contact and (p := c.contact.proven_psid)]
    by_phone: dict[str, UUID] = {}
    by_psid: dict[str, UUID] = {}
    known: dict[UUID, Kept] = {}
    if phones or psids:
        keys = [_lock_key(f"phone:{phone}") for phone in phones] + [_lock_key(f"psid:{p}") for p in psids]
        await connection.execute(_LOCK_CITIZENS, keys)
        for row in await connection.fetch(_CITIZENS, phones, psids):
            kept = Kept(**dict(row))
            known[kept.citizen_id] = kept
            if kept.linkable_phone:
                by_phone.setdefault(kept.linkable_phone, kept.citizen_id)
            if kept.linkable_psid:
                by_psid.setdefault(kept.linkable_psid, kept.citizen_id)
    ids: dict[UUID, UUID] = {}
    for complaint in complaints:
        contact = complaint.contact
        if contact is None:
            continue
        phone, psid = contact.proven_phone, contact.proven_psid
        linked = (by_phone.get(phone) if phone else None) or (by_psid.get(psid) if psid else None)
        citizen_id = linked or new_citizen_id(complaint.case_id)
        if phone:
            by_phone.setdefault(phone, citizen_id)
        if psid:
            by_psid.setdefault(psid, citizen_id)
        ids[complaint.case_id] = citizen_id
    return ids, known


def _lock_key(contact: str) -> int:
    return int.from_bytes(hashlib.sha256(contact.encode()).digest()[:8], "big", signed=True)


def _kept(complaints: Iterable[Complaint], citizens: dict[UUID, UUID], known: dict[UUID, Kept]) -> list[Kept]:
    """One vault row per citizen (one upsert may not touch a row twice), each filing applied in order."""
    filings: dict[UUID, list[tuple[Contact, str]]] = {}
    for complaint in complaints:
        if complaint.contact is not None:
            citizen_id = citizens[complaint.case_id]
            filings.setdefault(citizen_id, []).append((complaint.contact, complaint.language))
    return [
        kept_after_all(known.get(citizen_id), citizen_id, contacts)
        for citizen_id, contacts in filings.items()
    ]

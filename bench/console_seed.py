"""Cases for the console's benchmark and screenshots, written quickly and the way the services write them.

Each case's whole history (filed, assigned or sent to triage, acknowledged, resolved, deadlines missed and
escalations, at times spread over the last 60 days) is built as the event types of ``shared/events`` and
appended through the event store's own path (``PostgresEventStore.append_many``: a binary COPY per batch of
new streams). The tables the pages read are then rebuilt by the projections themselves, as ``python -m cli
replay`` does: intake's case status (``intake_cases``) and the SLA service's deadlines (``sla_deadlines``).
So every row is one the running services could have written; only the clock is not theirs.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import asyncpg

from services.intake.bootstrap import MIGRATIONS as INTAKE
from services.intake.case_status import CaseStatusProjection
from services.sla.bootstrap import MIGRATIONS as SLA
from services.sla.bootstrap import deadlines_projection
from shared.events import Actor, EventData, NewEvent
from shared.events.types import (
    CaseAcknowledged,
    CaseAssigned,
    CaseEscalated,
    CaseNeedsTriage,
    CaseResolved,
    CitizenRef,
    ComplaintFiled,
    ResolvedLocation,
    SlaBreached,
)
from shared.eventstore import EVENT_STORE, Append, PostgresEventStore, migrate
from shared.messaging.projection import rebuild
from shared.places.units import Unit, UnitRegistry

BATCH = 500  # new streams per append_many (one COPY)
HISTORY = timedelta(days=60)
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # a reference's letters (docs/contract.md §Case events)
# Complaints as citizens write them, in Khmer and in English, each with its category: the police's, since
# the seeded cases are the district police units'.
COMPLAINTS = (
    ("theft", "គេលួចម៉ូតូរបស់ខ្ញុំនៅមុខផ្សារកាលពីយប់មិញ ប៉ុន្តែប៉ុស្តិ៍នគរបាលមិនទាន់មកពិនិត្យទេ។"),
    (
        "theft",
        "Someone stole my motorbike in front of the market last night; nobody from the police post came.",
    ),
    ("traffic", "ឡានដឹកដីបើកលឿនពេកនៅមុខសាលារៀន ហើយគ្មានអ្នកណាត្រួតពិនិត្យទេ។"),
    ("traffic", "Trucks park on the pavement by the school every morning and the children walk in the road."),
    ("violence", "ក្រុមយុវជនវាយគ្នានៅមុខហាងកាហ្វេរៀងរាល់យប់សៅរ៍ ហើយបំបែកកញ្ចក់ហាងរបស់ខ្ញុំ។"),
    (
        "violence",
        "A group of young men fight outside the karaoke bar every weekend and broke my shop window.",
    ),
    ("drugs", "មានការលក់គ្រឿងញៀននៅផ្ទះជួលក្បែរវត្ត មនុស្សចេញចូលពេញមួយយប់។"),
    (
        "domestic_violence",
        "My neighbour beats his wife almost every night; we hear her crying but nobody comes.",
    ),
)
TRIAGE_WITHIN = timedelta(days=2)  # the working group triages within days: only recent cases still wait


@dataclass
class Story:
    """One case being written: its events, its unit now, and the time its last step happened."""

    case_id: uuid.UUID
    at: datetime
    now: datetime
    events: list[NewEvent] = field(default_factory=list)

    def then(self, data: EventData, after: timedelta, producer: str, actor: Actor) -> bool:
        """Add ``data`` ``after`` the last step, unless that is still to come; whether it was added."""
        at = self.at + after
        if at > self.now:
            return False
        self.at = at
        event_id = uuid.uuid4()
        self.events.append(
            NewEvent(
                event_id=event_id, data=data, idempotency_key=f"seed:{event_id}", occurred_at=at,
                producer=producer, actor=actor,
            )
        )  # fmt: skip
        return True


def reference(rng: random.Random) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(8))


def _minutes(rng: random.Random, median: float, spread: float = 0.9) -> timedelta:
    """A lognormal duration around ``median`` minutes: most answers quick, a long tail of slow ones."""
    return timedelta(minutes=rng.lognormvariate(0, spread) * median)


def _system(name: str) -> Actor:
    return Actor(kind="system", id=name)


def story(
    rng: random.Random,
    units: UnitRegistry,
    unit: Unit,
    filed_at: datetime,
    now: datetime,
    *,
    stays_open: bool,
) -> Story:
    """A case of ``unit``'s district, from its filing to where it would be ``now``. A unit's own pace is
    drawn from its id, so that units differ as they do in life."""
    district = unit.id.split(":", 1)[1]
    category, text = rng.choice(COMPLAINTS)
    filed = ComplaintFiled(
        reference=reference(rng), channel=rng.choice(("web", "sms", "hotline", "facebook")),
        channel_message_id=uuid.uuid4().hex, submitted_at=filed_at,
        citizen=CitizenRef(citizen_id=None, language="km", anonymous=True, reachable_by=()),
        text=text, category=category,
        location=ResolvedLocation(province=unit.province, district=district), confidential=False,
    )  # fmt: skip
    case = Story(uuid.uuid4(), filed_at, now)
    case.then(filed, timedelta(0), "intake", Actor(kind="citizen", id="citizen"))
    if not stays_open and now - filed_at < TRIAGE_WITHIN and rng.random() < 0.5:
        case.then(
            CaseNeedsTriage(reason="no district found"), timedelta(seconds=2), "routing", _system("routing")
        )
        return case
    case.then(
        CaseAssigned(unit=unit.ref(), level=0, rule="district-police", reason="the district of the place"),
        timedelta(seconds=2), "routing", _system("routing"),
    )  # fmt: skip
    pace = random.Random(unit.id).uniform(0.3, 3.0)  # this unit's speed
    holder, level = unit, 0
    if not stays_open and rng.random() < 0.08 and unit.parent and (parent := units.get(unit.parent)):
        within = timedelta(hours=4)
        breached = SlaBreached(clock="acknowledgement", due_at=case.at + within, unit_id=unit.id, level=0)
        if not case.then(breached, within, "sla", _system("sla")):
            return case
        escalated = CaseEscalated(from_unit=unit.ref(), to_unit=parent.ref(), level=1, reason="unanswered")
        case.then(escalated, timedelta(seconds=1), "sla", _system("sla"))
        holder, level = parent, 1
    officer = Actor(kind="unit", id=f"officer.{holder.id.replace(':', '.')}")
    if stays_open and rng.random() < 0.5:
        return case  # not acknowledged yet
    if not case.then(CaseAcknowledged(unit_id=holder.id), _minutes(rng, 45 * pace), "intake", officer):
        return case
    if stays_open:
        return case
    if rng.random() < 0.03:
        breached = SlaBreached(
            clock="resolution", due_at=case.at + timedelta(days=3), unit_id=holder.id, level=level
        )
        case.then(breached, timedelta(days=3), "sla", _system("sla"))
    case.then(CaseResolved(unit_id=holder.id, note="done"), _minutes(rng, 36 * 60 * pace), "intake", officer)
    return case


async def prepare(pool: asyncpg.Pool) -> None:
    """The event store's, intake's and the SLA service's tables."""
    async with pool.acquire() as connection:
        await migrate(connection, [EVENT_STORE, INTAKE, SLA])


async def seed(
    pool: asyncpg.Pool,
    units: UnitRegistry,
    *,
    cases: int,
    inbox_unit: Unit,
    inbox_cases: int,
    now: datetime,
    inbox_within: timedelta = timedelta(days=10),
    seed_value: int = 21,
) -> int:
    """``cases`` cases over the district police units, of which ``inbox_cases`` open ones held by
    ``inbox_unit`` (filed within ``inbox_within``), written as the module docstring says; the events
    written."""
    rng = random.Random(seed_value)
    police = [unit for unit in units if unit.kind == "police" and unit.province]
    stories: list[Story] = []
    for n in range(cases):
        mine = n < inbox_cases
        unit = inbox_unit if mine else rng.choice(police)
        back = rng.uniform(0, 1) * (inbox_within if mine else HISTORY)
        stories.append(story(rng, units, unit, now - back, now, stays_open=mine))
    await write(pool, stories)
    return sum(len(case.events) for case in stories)


async def write(pool: asyncpg.Pool, stories: Sequence[Story]) -> None:
    store = PostgresEventStore(pool)
    for start in range(0, len(stories), BATCH):
        batch = stories[start : start + BATCH]
        await store.append_many([Append(case.case_id, 0, case.events) for case in batch])
    await project(pool)


async def project(pool: asyncpg.Pool) -> None:
    """Rebuild the pages' tables from the events, as ``python -m cli replay`` does, and count the events
    as published: the outbox is emptied, so that a service started now does not send the history again."""
    await rebuild(pool, CaseStatusProjection())
    await rebuild(pool, deadlines_projection())
    async with pool.acquire() as connection:
        await connection.execute(
            """INSERT INTO intake_references (reference, case_id) SELECT reference, case_id FROM intake_cases
               ON CONFLICT DO NOTHING"""
        )
        await connection.execute("TRUNCATE outbox")
        await connection.execute("ANALYZE")

"""Filing on the real database: one case per submission, one id per citizen, unique references."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from prometheus_client import CollectorRegistry

from services.intake.bootstrap import MIGRATIONS
from services.intake.domain.citizens import ALL_PROVEN, NOTHING_PROVEN, ContactField
from services.intake.domain.complaint import Complaint, complaint_from
from services.intake.domain.identity import reference_for
from services.intake.domain.submission import parse_submission
from services.intake.filing import FilingService
from services.intake.metrics import IntakeMetrics
from services.intake.vault import PersonalDataVault
from shared.eventstore import EVENT_STORE, PostgresEventStore, migrate
from shared.places.gazetteer import load_gazetteer
from tests.unit.intake.samples import NAME, PHONE_E164, encode, submission

pytestmark = pytest.mark.integration
GAZETTEER = load_gazetteer()
AT = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


class Database:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool


@pytest.fixture
async def filing(pool: asyncpg.Pool) -> FilingService:
    async with pool.acquire() as connection:
        await migrate(connection, [EVENT_STORE, MIGRATIONS])
    return FilingService(Database(pool), IntakeMetrics(CollectorRegistry()), lambda: AT)


def complaint(proven: frozenset[ContactField] = ALL_PROVEN, **changes: Any) -> Complaint:
    """A submission as a trusted upstream channel on Kafka sends it, unless ``proven`` says otherwise."""
    return complaint_from(parse_submission(encode(submission(**changes)), GAZETTEER), GAZETTEER, proven)


async def citizen_of(pool: asyncpg.Pool, filed: Any) -> Any:
    (event,) = await PostgresEventStore(pool).read_stream(filed.case_id)
    return event.data["citizen"]["citizen_id"]


async def test_a_citizen_keeps_one_id_across_filings_and_channels(
    filing: FilingService, pool: asyncpg.Pool
) -> None:
    local, e164 = (
        complaint(citizen={"phone": "012 345 678"}),
        complaint(citizen={"phone": PHONE_E164, "name": NAME}),
    )
    first, same_batch = await filing.file_many([local, e164])
    (later,) = await filing.file_many([complaint(citizen={"phone": "012345678", "facebook_psid": "psid-1"})])
    (by_messenger,) = await filing.file_many(
        [complaint(channel="facebook", citizen={"facebook_psid": "psid-1"})]
    )
    ids = {await citizen_of(pool, filed) for filed in (first, same_batch, later, by_messenger)}
    assert len(ids) == 1
    (contact,) = (await PersonalDataVault(pool).get_many([*map(_uuid, ids)])).values()
    assert (contact.name, contact.phone, contact.facebook_psid) == (NAME, PHONE_E164, "psid-1")
    assert await pool.fetchval("SELECT count(*) FROM citizens") == 1


async def test_an_anonymous_citizen_has_no_id_and_no_vault_row(
    filing: FilingService, pool: asyncpg.Pool
) -> None:
    (filed,) = await filing.file_many(
        [complaint(citizen={"anonymous": True, "phone": "012345678", "name": NAME})]
    )
    assert await citizen_of(pool, filed) is None
    assert await pool.fetchval("SELECT count(*) FROM citizens") == 0


async def test_the_same_submission_twice_in_one_batch_files_once(
    filing: FilingService, pool: asyncpg.Pool
) -> None:
    one = complaint(channel_message_id="twice")
    first, second = await filing.file_many([one, one])
    assert (first.duplicate, second.duplicate) == (False, True)
    assert (first.case_id, first.reference) == (second.case_id, second.reference)
    (again,) = await filing.file_many([one])
    assert again == second
    assert await pool.fetchval("SELECT count(*) FROM events") == 1


async def test_a_reference_taken_by_another_case_moves_on_to_the_next_candidate(
    filing: FilingService, pool: asyncpg.Pool
) -> None:
    wanted = complaint(channel_message_id="unlucky")
    taken = reference_for(wanted.case_id, 0)
    await pool.execute("INSERT INTO intake_references VALUES ($1, gen_random_uuid())", taken)
    (filed,) = await filing.file_many([wanted])
    assert filed.reference == reference_for(wanted.case_id, 1)
    (redelivered,) = await filing.file_many([wanted])
    assert redelivered.reference == filed.reference


async def test_a_redelivery_after_erasure_does_not_bring_the_contact_back(
    filing: FilingService, pool: asyncpg.Pool
) -> None:
    one = complaint(channel_message_id="erase-me")
    (filed,) = await filing.file_many([one])
    assert await PersonalDataVault(pool).erase(_uuid(await citizen_of(pool, filed)))
    (again,) = await filing.file_many([one])
    assert again.duplicate
    assert await pool.fetchval("SELECT count(*) FROM citizens") == 0


async def test_a_contact_nothing_proves_neither_links_to_nor_changes_a_known_citizen(
    filing: FilingService, pool: asyncpg.Pool
) -> None:
    (victim,) = await filing.file_many(
        [complaint(citizen={"phone": PHONE_E164, "facebook_psid": "psid-v", "name": NAME})]
    )
    victim_id = await citizen_of(pool, victim)
    # The web form (nothing proven): the victim's Messenger id with another phone, then the victim's phone
    # with another name. Each is a citizen of its own; the victim keeps their phone and name.
    other_phone = {"phone": "+85517000000", "facebook_psid": "psid-v"}
    by_psid, by_phone = await filing.file_many([
        complaint(NOTHING_PROVEN, channel="web", citizen=other_phone),
        complaint(NOTHING_PROVEN, channel="web", citizen={"phone": PHONE_E164, "name": "Attacker"}),
    ])  # fmt: skip
    ids = {await citizen_of(pool, filed) for filed in (by_psid, by_phone)}
    assert victim_id not in ids
    assert len(ids) == 2
    kept = await PersonalDataVault(pool).get(_uuid(victim_id))
    assert kept is not None
    assert (kept.name, kept.phone, kept.facebook_psid) == (NAME, PHONE_E164, "psid-v")
    # A later web filing with the same phone does not join the unproven one either: each stands alone.
    (again,) = await filing.file_many(
        [complaint(NOTHING_PROVEN, channel="web", citizen={"phone": PHONE_E164})]
    )
    assert await citizen_of(pool, again) not in {victim_id, *ids}


def _uuid(value: Any) -> uuid.UUID:
    return uuid.UUID(str(value))

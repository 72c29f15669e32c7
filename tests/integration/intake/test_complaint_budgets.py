"""The complaint budgets (docs/contract.md §Privacy budgets) over HTTP and Open311, counted in PostgreSQL:
past the hour's limit a new complaint is answered 429 with Retry-After, counted and not filed; Kafka's
upstream channels are not bounded; the counters hold keyed digests only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from services.intake.complaint_budgets import PER_IP, PER_PHONE, ComplaintBudgets
from shared.testing.kafka import eventually, produce
from tests.integration.intake.harness import Running, file, running_intake
from tests.integration.intake.test_open311 import V2, form
from tests.unit.intake.samples import PHONE_E164, PHONE_LOCAL, encode, submission, web_submission

pytestmark = pytest.mark.integration
OTHER_PHONE = "+85592345678"


@pytest.fixture
async def bounded(service_env: dict[str, str]) -> AsyncIterator[Running]:
    async with running_intake(
        service_env, complaints_per_phone_per_hour=2, complaints_per_ip_per_hour=3
    ) as running:
        yield running


def naming(phone: str | None) -> bytes:
    citizen = {"phone": phone} if phone else {"anonymous": True}
    return encode(web_submission(citizen=citizen))


async def test_a_phone_past_its_hour_is_refused_429_and_nothing_is_filed(bounded: Running) -> None:
    answers = [await file(bounded, naming(PHONE_LOCAL)) for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 429]
    refused = answers[2]
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert refused.json()["detail"].startswith("too many complaints")
    assert PHONE_LOCAL not in refused.text
    assert PHONE_E164 not in refused.text
    assert await bounded.pool.fetchval("SELECT count(*) FROM intake_references") == 2
    assert bounded.metric("complaints_limited_total", channel="web", budget=PER_PHONE) == 1
    assert bounded.metric("complaints_rejected_total", channel="web", reason="limited") == 1
    # Another phone from the same address still files: the address has one complaint left.
    assert (await file(bounded, naming(OTHER_PHONE))).status_code == 202


async def test_an_address_past_its_hour_is_refused_whatever_the_phone(bounded: Running) -> None:
    phones = [None, "+85512000001", "+85512000002", "+85512000003"]
    answers = [await file(bounded, naming(phone)) for phone in phones]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    assert bounded.metric("complaints_limited_total", channel="web", budget=PER_IP) == 1
    # The refusal took nothing from its phone's budget: it files from another address.
    other_address = httpx.ASGITransport(app=bounded.app, client=("203.0.113.9", 4000))
    async with httpx.AsyncClient(transport=other_address, base_url="http://intake") as client:
        answer = await client.post("/v1/complaints", content=naming("+85512000003"))
        assert answer.status_code == 202
        again = await client.post("/v1/complaints", content=naming("+85512000003"))
        assert again.status_code == 202  # two in the phone's hour: the refused one was not counted


async def test_a_retry_of_a_complaint_filed_before_the_limit_still_gets_its_case(bounded: Running) -> None:
    first = await file(bounded, naming(PHONE_LOCAL), key="form-1")
    await file(bounded, naming(PHONE_LOCAL), key="form-2")
    again = await file(bounded, naming(PHONE_LOCAL), key="form-1")
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json() == first.json()
    assert (await file(bounded, naming(PHONE_LOCAL), key="form-3")).status_code == 429


async def test_open311_refuses_past_the_limit_in_its_own_error_format(bounded: Running) -> None:
    fields = form(phone=PHONE_LOCAL)
    codes = []
    for _ in range(3):
        answer = await bounded.client.post(f"{V2}/requests.json", data=fields)
        codes.append(answer.status_code)
    assert codes == [201, 201, 429]
    assert answer.json() == [
        {"code": 429, "description": "too many requests from this phone or address this hour; retry later"}
    ]
    assert int(answer.headers["Retry-After"]) >= 1
    xml = await bounded.client.post(f"{V2}/requests.xml", data=fields)
    assert xml.status_code == 429
    assert b"<errors><error><code>429</code>" in xml.content
    assert bounded.metric("complaints_limited_total", channel="open311", budget=PER_PHONE) == 2


async def test_kafka_submissions_are_trusted_and_not_bounded(bounded: Running) -> None:
    values = [encode(submission(channel="hotline", channel_message_id=f"h-{n}")) for n in range(5)]
    await produce(
        bounded.infra.settings.kafka_bootstrap_servers,
        bounded.topics.submissions,
        [(f"h-{n}".encode(), value) for n, value in enumerate(values)],
    )

    async def all_filed() -> bool:
        filed: int = await bounded.pool.fetchval("SELECT count(*) FROM intake_references")
        return filed == 5

    assert await eventually(all_filed, within=60)
    assert await bounded.pool.fetchval("SELECT count(*) FROM budget_counters") == 0


async def test_the_counters_name_digests_not_phones_or_addresses(bounded: Running) -> None:
    await file(bounded, naming(PHONE_LOCAL))
    rows = await bounded.pool.fetch("SELECT budget, subject, used FROM budget_counters ORDER BY budget")
    assert [(row["budget"], row["used"]) for row in rows] == [(PER_IP, 1), (PER_PHONE, 1)]
    settings = bounded.infra.settings
    assert rows[1]["subject"] == settings.digest(PER_PHONE, PHONE_E164)
    for row in rows:
        assert PHONE_E164 not in row["subject"]
        assert "127.0.0.1" not in row["subject"]


async def test_budgets_are_shared_by_every_replica(bounded: Running) -> None:
    # Another replica's budgets are another object on the same database.
    settings = bounded.infra.settings
    counter = bounded.intake.metrics.limited
    replica = ComplaintBudgets(bounded.infra.database, settings.digest, counter, per_phone=2, per_ip=100)
    now = datetime.now(UTC)
    assert (await replica.allow(phone=PHONE_E164, client_ip="198.51.100.1", now=now)).allowed
    assert (await file(bounded, naming(PHONE_LOCAL))).status_code == 202
    refused = await replica.allow(phone=PHONE_E164, client_ip="198.51.100.2", now=now, channel="sms")
    assert (refused.allowed, refused.budget) == (False, PER_PHONE)
    assert bounded.metric("complaints_limited_total", channel="sms", budget=PER_PHONE) == 1


async def test_retries_of_a_filed_complaint_take_nothing_from_the_budgets(bounded: Running) -> None:
    first = await file(bounded, naming(PHONE_LOCAL), key="form-1")
    for _ in range(3):  # a client retrying a lost answer with its Idempotency-Key
        again = await file(bounded, naming(PHONE_LOCAL), key="form-1")
        assert (again.status_code, again.json()) == (202, first.json())
    assert (await file(bounded, naming(PHONE_LOCAL), key="form-2")).status_code == 202
    assert await bounded.pool.fetchval("SELECT sum(used) FROM budget_counters WHERE budget = $1", PER_IP) == 2


async def test_a_filing_that_fails_gives_its_unit_back(bounded: Running) -> None:
    await bounded.intake.batcher.stop()  # intake stopping: every filing fails with 503
    try:
        for n in range(3):
            failed = await file(bounded, naming(PHONE_LOCAL), key=f"outage-{n}")
            assert failed.status_code == 503
    finally:
        await bounded.intake.batcher.start()
    assert await bounded.pool.fetchval("SELECT coalesce(sum(used), 0) FROM budget_counters") == 0
    # The citizen's hour is whole: both retries file.
    assert [(await file(bounded, naming(PHONE_LOCAL), key=f"outage-{n}")).status_code for n in range(2)] == [
        202,
        202,
    ]


async def test_one_ipv6_customer_shares_one_address_budget(bounded: Running) -> None:
    codes = []
    for n in range(4):  # four addresses of one /64
        transport = httpx.ASGITransport(app=bounded.app, client=(f"2001:db8:1:2::{n + 1:x}", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
            codes.append((await client.post("/v1/complaints", content=naming(None))).status_code)
    assert codes == [202, 202, 202, 429]
    assert bounded.metric("complaints_limited_total", channel="web", budget=PER_IP) == 1

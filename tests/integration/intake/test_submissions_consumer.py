"""``complaints.submissions`` on the real broker: every submission filed or dead-lettered, once, privately."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest

from services.intake.domain.identity import case_id_for
from shared.contacts import Contacts
from shared.events import decode_envelope
from shared.testing.kafka import at_least, eventually, produce, read_topic
from shared.testing.servers import LocalServers
from tests.integration.intake.harness import Running, file, running_intake
from tests.unit.intake.samples import KHMER_TEXT, NAME, PHONE_E164, PHONE_LOCAL, encode, submission

pytestmark = pytest.mark.integration

Maker = Callable[[int], bytes]
BAD: list[tuple[str, Maker]] = [
    ("not_json", lambda i: b'{"channel": "sms", "text": ' + str(i).encode()),
    ("not_an_object", lambda i: f"[{i}]".encode()),
    ("wrong_type", lambda i: encode(submission(text=i))),
    ("invalid_text", lambda i: encode(submission(text=" " * (i % 5)))),
    ("invalid_text", lambda i: encode(submission(text="ក" * 4001))),
    ("unknown_province", lambda i: encode(submission(location={"province": f"Atlantis {i}"}))),
    ("invalid_phone", lambda i: encode(submission(citizen={"phone": str(i)}))),
    ("unreachable_citizen", lambda i: encode(submission(citizen={"name": "Sok"}))),
    ("unknown_category", lambda i: encode(submission(category="robbery"))),
    ("nul_character", lambda i: encode(submission(text="a\u0000b"))),
]
GOOD: list[dict[str, Any]] = [
    {},
    {"channel": "sms", "location": None},
    {
        "channel": "facebook",
        "location": None,
        "citizen": {"facebook_psid": "psid-7"},
        "text": "thieves took it",
    },
    {
        "channel": "commune_office",
        "citizen": {"anonymous": True},
        "location": {"province": "12", "district": "1202"},
    },
    {"channel": "web", "category": "corruption", "citizen": {"phone": "+85597234567", "language": "en"}},
]


def good_submission(i: int) -> bytes:
    return encode(submission(channel_message_id=f"good-{i}", **GOOD[i % len(GOOD)]))


def topics(running: Running) -> tuple[str, str, str]:
    names = running.topics
    return names.submissions, names.submissions_dlq, names.case_events


async def count_events(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM events"))


async def test_a_thousand_mixed_submissions_are_each_filed_or_dead_lettered(
    intake: Running, kafka_bootstrap: str
) -> None:
    messages: list[tuple[bytes | None, bytes]] = []
    expected_reasons: dict[bytes, str] = {}
    for i in range(1000):
        key = f"k{i}".encode()
        if i % 3 == 0:
            reason, make = BAD[(i // 3) % len(BAD)]
            expected_reasons[key] = reason
            messages.append((key, make(i)))
        else:
            messages.append((key, good_submission(i)))
    submissions, dlq, _ = topics(intake)
    await produce(kafka_bootstrap, submissions, messages)

    letters = await read_topic(kafka_bootstrap, dlq, until=at_least(len(expected_reasons)))
    good = 1000 - len(expected_reasons)
    assert await eventually(lambda: _equals(count_events(intake.pool), good))

    sent = dict(messages)
    assert sorted(letter.key for letter in letters) == sorted(expected_reasons)
    for letter in letters:
        headers = dict(letter.headers)
        assert letter.value == sent[letter.key]  # the original bytes, unchanged
        reasons = json.loads(headers["error"])
        assert reasons
        assert all(set(reason) == {"field", "message"} and reason["message"] for reason in reasons)
        assert headers["source-topic"] == submissions.encode()
        assert int(headers["source-partition"]) >= 0
        assert int(headers["source-offset"]) >= 0
        if expected_reasons[letter.key] in ("not_json", "not_an_object"):
            assert [reason["field"] for reason in reasons] == [None]
    ids = {row["channel_message_id"] for row in await intake.pool.fetch(
        "SELECT data->>'channel_message_id' AS channel_message_id FROM events WHERE type = 'ComplaintFiled'"
    )}  # fmt: skip
    assert ids == {f"good-{i}" for i in range(1000) if i % 3}
    assert _sum(intake, "complaints_received_total") == 1000
    assert _sum(intake, "complaints_rejected_total") == len(expected_reasons)
    assert _sum(intake, "complaints_filed_total") == good
    assert intake.metric("complaints_rejected_total", channel="hotline", reason="unknown_category") > 0
    assert intake.metric("dlq_messages_total", topic=dlq) == len(expected_reasons)


async def test_one_submission_delivered_three_times_files_one_case(
    intake: Running, kafka_bootstrap: str
) -> None:
    body = submission(channel="web", channel_message_id="form-77")
    submissions, _, case_events = topics(intake)
    await produce(kafka_bootstrap, submissions, [(b"form-77", encode(body)), (b"form-77", encode(body))])
    web = body | {"channel_message_id": None}
    del web["channel"]
    retried = await file(intake, encode({k: v for k, v in web.items() if v is not None}), key="form-77")
    assert retried.status_code == 202
    case_id = case_id_for("web", "form-77")
    assert uuid.UUID(retried.json()["case_id"]) == case_id
    assert await eventually(lambda: _equals(_sum_async(intake, "complaints_duplicate_total"), 2))
    assert [event.type for event in await intake.store.read_stream(case_id)] == ["ComplaintFiled"]
    assert await count_events(intake.pool) == 1
    published = await read_topic(kafka_bootstrap, case_events, until=at_least(1), within=20)
    assert [decode_envelope(record.value).case_id for record in published] == [case_id]


async def test_khmer_comes_back_unchanged_and_the_contact_appears_in_no_event_message_or_log(
    service_env: dict[str, str], kafka_bootstrap: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    padded = f"  {KHMER_TEXT}\n"
    body = submission(channel="sms", channel_message_id="sms-1", text=padded, location=None,
                      citizen={"name": NAME, "phone": PHONE_LOCAL})  # fmt: skip
    async with running_intake(service_env) as intake:
        submissions, dlq, case_events = topics(intake)
        invalid = submission(citizen={"name": NAME, "phone": PHONE_LOCAL}, category="robbery")
        await produce(kafka_bootstrap, submissions, [(b"sms-1", encode(body)), (b"bad", encode(invalid))])
        await file(intake, encode(submission(channel=None, channel_message_id=None)))
        await file(intake, encode(submission(channel=None, text="")))
        await read_topic(kafka_bootstrap, dlq, until=at_least(1))
        published = await read_topic(kafka_bootstrap, case_events, until=at_least(2), within=30)
        stored = await intake.pool.fetch("SELECT data::text AS data FROM events")
        ids = await intake.pool.fetch("SELECT data->'citizen'->>'citizen_id' AS id FROM events")
        vault = await Contacts(intake.pool).get_many([uuid.UUID(row["id"]) for row in ids])

    sms = decode_envelope(next(r.value for r in published if b"sms-1" in r.value))
    assert sms.data["text"].encode() == KHMER_TEXT.encode()  # trimmed, otherwise byte for byte
    assert KHMER_TEXT.encode() in next(r.value for r in published if b"sms-1" in r.value)
    assert sms.data["location"]["province"] == "KH-17"
    # The web filing proves nothing of its phone: a citizen of its own (docs/contract.md §Who a citizen is).
    assert [c.phone for c in vault.values()] == [PHONE_E164, PHONE_E164]
    personal = [NAME, PHONE_E164, PHONE_LOCAL, PHONE_E164.removeprefix("+"), "12345678", "12 345 678"]
    assert len(published) == 2
    for value in [record.value.decode() for record in published] + [row["data"] for row in stored]:
        assert not [p for p in personal if p in value]
    assert caplog.records, "nothing was logged: the check would prove nothing"
    logged = "\n".join(record.getMessage() for record in caplog.records) + caplog.text
    assert not [p for p in personal if p in logged]


async def test_a_database_outage_dead_letters_nothing_and_loses_nothing(
    isolated_servers: LocalServers,
) -> None:
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": isolated_servers.kafka.bootstrap_servers,
        "DATABASE_URL": isolated_servers.new_database(),
        "TOPIC_PREFIX": "outage.",
    }
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]

    def batch(start: int) -> list[tuple[bytes | None, bytes]]:
        return [(None, encode(submission(channel_message_id=f"m{i}"))) for i in range(start, start + 300)]

    async with running_intake(env) as intake:
        await produce(bootstrap, "outage.complaints.submissions", batch(0))
        assert await eventually(lambda: _equals(_safe_count(intake), 300))
        isolated_servers.postgres.stop()
        await produce(bootstrap, "outage.complaints.submissions", batch(300))
        await eventually(lambda: _sum(intake, "complaints_received_total") == 600, within=60)
        isolated_servers.postgres.start()
        assert await eventually(lambda: _equals(_safe_count(intake), 600), within=120)
        assert intake.metric("dlq_messages_total", topic="outage.complaints.submissions.dlq") == 0
        assert _sum(intake, "complaints_filed_total") == 600


def _sum(running: Running, name: str) -> float:
    return sum(
        sample.value
        for family in running.registry.collect()
        for sample in family.samples
        if sample.name == name
    )


async def _sum_async(running: Running, name: str) -> float:
    return _sum(running, name)


async def _equals(value: Any, expected: int) -> bool:
    return bool(await value == expected)


async def _safe_count(running: Running) -> int:
    try:
        return await count_events(running.pool)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return -1

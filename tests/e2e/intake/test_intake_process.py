"""Intake as a real process: Kafka and HTTP filings, a responder's answer, a SIGKILL, and a clean log."""

from __future__ import annotations

import json
from collections.abc import Awaitable
from pathlib import Path

import asyncpg
import httpx
import pytest

from shared.events import decode_envelope
from shared.testing.kafka import at_least, eventually, produce, read_topic
from shared.testing.servers import ServiceProcess
from tests.unit.intake.samples import NAME, PHONE_E164, PHONE_LOCAL, encode, submission, web_submission

pytestmark = pytest.mark.e2e
PERSONAL = (NAME, PHONE_E164, PHONE_LOCAL, PHONE_E164.removeprefix("+"), "12345678")


async def test_filings_by_kafka_and_http_keep_the_contact_out_of_events_messages_and_the_log(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    prefix, bootstrap = service_env["TOPIC_PREFIX"], service_env["KAFKA_BOOTSTRAP_SERVERS"]
    intake = ServiceProcess("intake", service_env | {"LOG_LEVEL": "DEBUG"}, tmp_path / "intake.log")
    intake.start()
    try:
        await produce(bootstrap, f"{prefix}complaints.submissions", [
            (b"ok", encode(submission(channel="sms", channel_message_id="sms-9", location=None))),
            (b"bad", encode(submission(citizen={"name": NAME, "phone": "0123"}))),
        ])  # fmt: skip
        async with httpx.AsyncClient(base_url=intake.url, timeout=30) as client:
            body = web_submission(location={"province": "Phnom Penh", "district": "1203"})
            accepted = await client.post(
                "/v1/complaints", content=encode(body), headers={"Idempotency-Key": "w-1"}
            )
            assert accepted.status_code == 202
            refused = await client.post("/v1/complaints", content=encode(web_submission(category="robbery")))
            assert refused.status_code == 422
            published = await read_topic(bootstrap, f"{prefix}case-events", until=at_least(2))
            letters = await read_topic(bootstrap, f"{prefix}complaints.submissions.dlq", until=at_least(1))
            reference = accepted.json()["reference"]

            async def public() -> httpx.Response | None:
                answer = await client.get(f"/v1/cases/{reference}")
                return answer if answer.status_code == 200 else None

            status = await eventually(public, within=30)
            assert status is not None
            assert status.json()["status"] == "filed"
            metrics = (await client.get("/metrics")).text
    finally:
        intake.stop()

    assert [letter.key for letter in letters] == [b"bad"]
    assert json.loads(dict(letters[0].headers)["error"])[0]["field"] == "citizen.phone"
    assert {decode_envelope(record.value).type for record in published} == {"ComplaintFiled"}
    assert 'complaints_filed_total{channel="web",province="KH-12"} 1.0' in metrics
    stored = [row["data"] for row in await pool.fetch("SELECT data::text AS data FROM events")]
    log = intake.log_path.read_text(encoding="utf-8", errors="replace")
    assert "refused a hotline submission" in log  # the log was written, at DEBUG
    for text in [log, *stored, *(record.value.decode() for record in published)]:
        assert not [personal for personal in PERSONAL if personal in text]


async def test_a_sigkilled_intake_files_every_submission_once_after_restart(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    prefix, bootstrap = service_env["TOPIC_PREFIX"], service_env["KAFKA_BOOTSTRAP_SERVERS"]
    # Enough submissions, in small batches, that intake is still filing when the test sees its first filing
    # and kills it (3,000 in batches of 500 were all filed by then once intake got faster, and 15,000 in
    # batches of 100 once, on a machine whose other core was busy: the test's polls waited their turn).
    total = 15_000
    await produce(bootstrap, f"{prefix}complaints.submissions", [
        (f"m{i}".encode(), encode(submission(channel_message_id=f"m{i}"))) for i in range(total)
    ])  # fmt: skip
    intake = ServiceProcess("intake", service_env | {"INTAKE_BATCH_SIZE": "20"}, tmp_path / "intake.log")

    async def filed() -> int:
        try:
            return int(await pool.fetchval("SELECT count(*) FROM events"))
        except asyncpg.UndefinedTableError:
            return 0

    intake.start()
    try:
        assert await eventually(lambda: _above(filed(), 0), interval=0.02)
        intake.kill()
        at_kill = await filed()
        assert at_kill < total, "intake finished before the kill: the test proves nothing"
        intake.start()
        assert await eventually(lambda: _above(filed(), total - 1), within=120)
    finally:
        intake.stop()
    ids = await pool.fetch("SELECT data->>'channel_message_id' AS id, count(*) AS n FROM events GROUP BY 1")
    assert {row["id"] for row in ids} == {f"m{i}" for i in range(total)}
    assert {row["n"] for row in ids} == {1}


async def _above(count: Awaitable[int], floor: int) -> bool:
    return await count > floor

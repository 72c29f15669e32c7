"""A submission the broker took compressed, but too large to send back uncompressed as a dead letter, is
dead-lettered without its value, and the records behind it are filed (docs/contract.md §Topics)."""

from __future__ import annotations

import json

import pytest
from aiokafka import AIOKafkaProducer

from shared.testing.kafka import at_least, eventually, read_topic
from tests.integration.intake.harness import Running
from tests.unit.intake.samples import encode, submission

pytestmark = pytest.mark.integration

KEY = b"one-partition"


async def test_a_dead_letter_too_large_for_the_broker_goes_without_its_value_and_the_partition_moves_on(
    intake: Running, kafka_bootstrap: str
) -> None:
    huge = encode(submission(channel_message_id="huge", text="ក" * 1_000_000))  # 3 MB, a few KB gzipped
    after = encode(submission(channel_message_id="after"))
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", compression_type="gzip", max_request_size=8 << 20
    )
    await producer.start()
    try:
        for value in (huge, after):
            await (await producer.send(intake.topics.submissions, value, key=KEY))
    finally:
        await producer.stop()

    letters = await read_topic(kafka_bootstrap, intake.topics.submissions_dlq, until=at_least(1))
    assert len(letters) == 1
    (letter,) = letters
    headers = dict(letter.headers)
    assert letter.value is None
    assert letter.key == KEY
    assert int(headers["value-dropped"]) == len(huge)
    assert [reason["field"] for reason in json.loads(headers["error"])] == ["text"]
    assert int(headers["source-offset"]) >= 0

    async def filed() -> bool:
        query = "SELECT count(*) FROM events WHERE data->>'channel_message_id' = 'after'"
        return bool(await intake.pool.fetchval(query) == 1)

    assert await eventually(filed, within=60)

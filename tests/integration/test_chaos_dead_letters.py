"""The chaos run's reading of the dead-letter topics sees what is in them: its verdict "no dead letter" and
its search of their headers for personal data mean nothing otherwise."""

import pytest
from aiokafka import AIOKafkaProducer

from shared.testing.kafka import eventually
from tests.chaos.observe import dead_letters
from tests.chaos.privacy import dead_letter_headers

pytestmark = pytest.mark.integration


async def test_every_dead_letter_and_its_headers_are_read(kafka_bootstrap: str, topic_prefix: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for key in ("m-1", "m-2"):
            await producer.send_and_wait(
                f"{topic_prefix}routing.dlq", b"{}", key=key.encode(), headers=[("error", key.encode())]
            )
        await producer.send_and_wait(f"{topic_prefix}routing", b"{}", key=b"not-a-letter")
        await producer.send_and_wait("other.routing.dlq", b"{}", key=b"another-run")
    finally:
        await producer.stop()

    async def both_read() -> dict[str, list[str | None]] | None:
        # A topic just created may show no partition yet; both letters are there once it does.
        read = await dead_letters(kafka_bootstrap, topic_prefix)
        return read if sum(map(len, read.values())) == 2 else None

    expected = {f"{topic_prefix}routing.dlq": ["m-1", "m-2"]}
    assert await eventually(both_read, within=30) == expected
    # And every later look sees them too: a reader's first position must not race past them.
    for _ in range(5):
        assert await dead_letters(kafka_bootstrap, topic_prefix) == expected
    headers = await dead_letter_headers(kafka_bootstrap, topic_prefix)
    assert headers == {f"{topic_prefix}routing.dlq": "error: m-1\nerror: m-2"}

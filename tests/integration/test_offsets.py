"""Offset commits: outages are waited out; a commit that hangs while the broker answers ends the process."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import CommitFailedError

from shared.messaging.offsets import StuckConsumerError, broker_answers, commit_offsets
from shared.testing.servers import LocalServers

pytestmark = pytest.mark.integration


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    started = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await started.start()
    yield started
    await started.stop()


def stop_the_test(error: StuckConsumerError) -> None:
    raise error  # in a service this exits the process for its supervisor to restart


async def hang() -> None:
    await asyncio.Event().wait()


async def test_a_commit_hanging_while_the_broker_answers_is_stuck(producer: AIOKafkaProducer) -> None:
    with pytest.raises(StuckConsumerError, match="g: offset commit hung"):
        await commit_offsets(
            "g", hang, lambda: broker_answers(producer), hung_after=0.2, on_stuck=stop_the_test
        )


async def test_a_commit_hanging_through_an_outage_is_retried_until_it_goes_through() -> None:
    attempts: list[int] = []

    async def ack() -> None:
        attempts.append(1)
        if len(attempts) < 3:
            await hang()  # the broker is away: each attempt times out

    async def broker_away() -> bool:
        return False

    await commit_offsets("g", ack, broker_away, hung_after=0.05, on_stuck=stop_the_test)
    assert len(attempts) == 3


async def test_the_probe_tells_an_answering_broker_from_a_stopped_one(isolated_servers: LocalServers) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=isolated_servers.kafka.bootstrap_servers)
    await producer.start()
    try:
        assert await broker_answers(producer)
        await asyncio.to_thread(isolated_servers.kafka.stop)
        assert not await broker_answers(producer)
    finally:
        await producer.stop()


async def test_a_commit_refused_after_a_rebalance_is_given_up_not_retried() -> None:
    attempts: list[int] = []

    async def ack() -> None:
        attempts.append(1)
        raise CommitFailedError("the group rebalanced")

    async def broker_answers_always() -> bool:
        return True

    await commit_offsets("g", ack, broker_answers_always, on_stuck=stop_the_test)
    assert attempts == [1]

"""consumer_lag_records against the real broker: what a group has not committed, per topic."""

from collections.abc import Sequence

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry

from shared.service.lag import ConsumerLag
from shared.service.settings import ServiceSettings
from shared.testing.kafka import eventually, produce

pytestmark = pytest.mark.integration

RECORDS = 40


async def ends(bootstrap: str, topic: str) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap)  # subscribed: it learns the partitions
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, n) for n in sorted(consumer.partitions_for_topic(topic))]
        end: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        return end
    finally:
        await consumer.stop()


async def commit(bootstrap: str, group_id: str, offsets: dict[TopicPartition, int]) -> None:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group_id, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(list(offsets))
        await consumer.commit(offsets)
    finally:
        await consumer.stop()


async def test_lag_is_the_records_the_group_has_not_committed_and_falls_as_it_commits(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic, group_id = f"{topic_prefix}case-events", f"{topic_prefix}routing"
    await produce(kafka_bootstrap, topic, [(f"case-{n}".encode(), b"{}") for n in range(RECORDS)])
    end = await ends(kafka_bootstrap, topic)
    assert sum(end.values()) == RECORDS
    first, *rest = sorted(end)
    await commit(kafka_bootstrap, group_id, {first: end[first]})  # one partition read to its end

    broker = KafkaBroker(kafka_bootstrap)
    broker.subscriber(topic, group_id=group_id, batch=True)(_ignore)
    registry = CollectorRegistry()
    settings = ServiceSettings(kafka_bootstrap_servers=kafka_bootstrap, topic_prefix=topic_prefix)
    lag = ConsumerLag(broker, settings, registry, interval=0.1)

    def reported() -> float | None:
        return registry.get_sample_value("consumer_lag_records", {"group": "routing", "topic": topic})

    await lag.start()
    try:
        # The partitions never committed count from their start: everything on them is behind.
        assert await eventually(lambda: reported() == RECORDS - end[first])
        await commit(kafka_bootstrap, group_id, {tp: end[tp] for tp in rest})
        assert await eventually(lambda: reported() == 0)
    finally:
        await lag.stop()


async def _ignore(_: Sequence[object]) -> None:
    return None

"""Records sent a partition's batch at a time land where ``send`` would put them, in order, whole."""

import uuid

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.messaging.partition_batches import send_keyed
from shared.service.partitioner import partition_for
from shared.testing.kafka import at_least, read_topic

pytestmark = pytest.mark.integration
PARTITIONS = 4


async def new_topic(bootstrap: str, name: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, num_partitions=PARTITIONS, replication_factor=1)])
    finally:
        await admin.close()


@pytest.mark.parametrize("max_batch_size", [256 * 1024, 1024], ids=["one batch each", "many batches each"])
async def test_records_reach_their_keys_partition_in_order_with_their_headers(
    kafka_bootstrap: str, topic_prefix: str, max_batch_size: int
) -> None:
    topic = f"{topic_prefix}batched"
    await new_topic(kafka_bootstrap, topic)
    keys = [str(uuid.uuid4()).encode() for _ in range(20)]
    sent = [(keys[i % 20], f"{i:04d} ថ្ងៃ".encode(), [("event-type", f"T{i}".encode())]) for i in range(600)]
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, enable_idempotence=True, acks="all", max_batch_size=max_batch_size
    )
    await producer.start()
    try:
        acks = await send_keyed(producer, topic, sent)
        await acks
    finally:
        await producer.stop()

    records = await read_topic(kafka_bootstrap, topic, until=at_least(len(sent)))
    assert len(records) == len(sent)
    partitions = list(range(PARTITIONS))
    for record in records:
        assert record.partition == partition_for(record.key, partitions, partitions)
    for key in keys:
        values = [record.value for record in records if record.key == key]
        assert values == [value for k, value, _ in sent if k == key]  # each key's records in sent order
    by_value = {value: headers for _, value, headers in sent}
    assert all([(n, bytes(v)) for n, v in record.headers] == by_value[record.value] for record in records)

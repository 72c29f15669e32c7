"""The session's servers are real: a message goes through Kafka, a row through PostgreSQL."""

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

pytestmark = pytest.mark.integration


async def test_kafka_round_trip_keeps_khmer_bytes(kafka_bootstrap: str, topic_prefix: str) -> None:
    topic = f"{topic_prefix}smoke"
    value = "ប៉ូលិសមិនទទួលពាក្យបណ្តឹង".encode()
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=b"k")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    try:
        record = await consumer.getone()
    finally:
        await consumer.stop()
    assert record.value == value
    assert record.key == b"k"


async def test_each_test_gets_an_empty_database(database_url: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        tables = await connection.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
        version = await connection.fetchval("SHOW server_version_num")
    finally:
        await connection.close()
    assert tables == 0
    assert int(version) // 10000 == 15

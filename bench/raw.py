"""The raw limits of the machine a benchmark runs on: plain aiokafka produce-and-consume, and PostgreSQL
appends through the event store and without it (the measurements of ``bench.eventstore``, reused).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from functools import partial

from aiokafka import AIOKafkaConsumer

from bench.common import MEASURE_TIMEOUT, Rate, report
from bench.eventstore import (
    BATCH,
    batches,
    create_topics,
    on_fresh_database,
    produce,
    raw_copy,
    raw_inserts,
    single_steps,
    store_appends,
    store_batches,
)
from shared.testing.servers import LocalServers, new_topic_prefix

WARM_UP = 500  # records


async def kafka_produce_consume(bootstrap: str, payloads: Sequence[tuple[bytes, bytes]]) -> Rate:
    """Keyed ``payloads`` produced (the services' producer settings) and read back by one plain consumer
    (batches of 500, ``fetch_max_wait_ms`` 20) on a 4-partition topic, both at once in this process;
    timed from the first send to the last record read, after a warm-up of ``WARM_UP`` records."""
    topic = f"{new_topic_prefix()}raw-produce-consume"
    await create_topics(bootstrap, [topic])
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False,
        fetch_max_wait_ms=20, max_poll_records=500,
    )  # fmt: skip

    async def read(count: int) -> None:
        while count > 0:
            batches_read = await consumer.getmany(timeout_ms=200, max_records=500)
            count -= sum(len(records) for records in batches_read.values())

    warm, timed = payloads[:WARM_UP], payloads[WARM_UP:]
    await consumer.start()
    try:
        async with asyncio.timeout(MEASURE_TIMEOUT):
            await produce(bootstrap, topic, warm)  # leaders elected, connections open, metadata known
            await read(len(warm))
            started = time.perf_counter()
            producing = asyncio.create_task(produce(bootstrap, topic, timed))
            await read(len(timed))
            seconds = time.perf_counter() - started
            await producing
    finally:
        await consumer.stop()
    rate = Rate("raw aiokafka produce + consume, 4 partitions", len(timed), seconds)
    report(rate)
    return rate


async def append_limits(servers: LocalServers, events: int) -> dict[str, Rate]:
    """Single appends on 8 connections and batches of ``BATCH``, through the store and raw, each on a
    fresh database after a warm-up (``bench.eventstore``'s measurements, fewer events)."""
    single = partial(on_fresh_database, servers, conns=8, events=events, plan=single_steps(8))
    batched = partial(
        on_fresh_database, servers, conns=8, events=events, plan=batches(8, streams_per_batch=BATCH)
    )
    return {
        "raw_8": await single("raw INSERT 1 row, autocommit, 8 conns", run=raw_inserts),
        "store_8": await single("store.append 1 event, 8 conns", run=store_appends),
        "raw_copy": await batched(f"raw COPY {BATCH} rows/tx, 8 conns", run=raw_copy),
        "store_many": await batched(f"store.append_many {BATCH} streams/tx, 8 conns", run=store_batches),
    }

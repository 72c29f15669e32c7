"""Keyed records handed to the producer a partition's batch at a time, instead of one ``send`` each.

aiokafka's ``send`` does in Python, for every record, what a batch needs once: look the topic's partitions
up, pick the partition, find or open the accumulator's batch, make a future. That was most of the outbox
relay's CPU. Here records are placed with the same partitioner (every producer of a topic agrees on a
case's partition) into ``BatchBuilder``s, one open per partition, and each is submitted with
``send_batch``: the producer's idempotence, retries and ordering apply to it as to its own batches.
Records of one partition keep their order: they fill one builder after another, submitted in turn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, TypeAlias

from aiokafka import AIOKafkaProducer

from shared.service.partitioner import partition_for

Headers: TypeAlias = list[tuple[str, bytes]]
KeyedRecord: TypeAlias = tuple[bytes, bytes, Headers]  # key, value, headers


async def send_keyed(
    producer: AIOKafkaProducer, topic: str, records: Iterable[KeyedRecord]
) -> asyncio.Future[list[Any]]:
    """Hand ``records`` to ``producer`` for ``topic``; the future of all their acknowledgements.

    Returns once every record is queued in the producer (a partition whose earlier batch has not gone out
    yet waits for it); await the future for the broker's answer.
    """
    partitions = sorted(await producer.partitions_for(topic))
    open_batches: dict[int, Any] = {}
    submitted: list[asyncio.Future[Any]] = []
    for key, value, headers in records:
        partition = partition_for(key, partitions, partitions)
        batch = open_batches.get(partition)
        if batch is None:
            batch = open_batches[partition] = producer.create_batch()
        if batch.append(key=key, value=value, timestamp=None, headers=headers) is None:  # full
            submitted.append(await _submit(producer, batch, topic, partition))
            batch = open_batches[partition] = producer.create_batch()
            batch.append(key=key, value=value, timestamp=None, headers=headers)  # an empty batch takes any
    for partition, batch in open_batches.items():
        submitted.append(await _submit(producer, batch, topic, partition))
    return asyncio.gather(*submitted)


async def _submit(producer: AIOKafkaProducer, batch: Any, topic: str, partition: int) -> asyncio.Future[Any]:
    batch.close()  # nothing ``send`` queues may join it: its records are exactly these
    acked: asyncio.Future[Any] = await producer.send_batch(batch, topic, partition=partition)
    return acked

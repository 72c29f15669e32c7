"""The partitioner places every keyed record where Kafka's own clients place it."""

from __future__ import annotations

import uuid

import pytest
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as aiokafka_murmur2
from hypothesis import given
from hypothesis import strategies as st

from shared.service.partitioner import murmur2, partition_for

pytestmark = pytest.mark.unit


@given(st.binary(max_size=200))
def test_murmur2_is_the_hash_of_the_kafka_clients(data: bytes) -> None:
    assert murmur2(data) == aiokafka_murmur2(data)


# Java's org.apache.kafka.common.utils.Utils.murmur2, as the Java client's own tests pin it (signed ints).
@pytest.mark.parametrize(
    ("key", "java"),
    [(b"21", -973932308), (b"foobar", -790332482), (b"a-little-bit-long-string", -985981536)],
)
def test_murmur2_matches_the_java_client(key: bytes, java: int) -> None:
    assert murmur2(key) == java & 0xFFFFFFFF


@given(st.uuids(), st.integers(min_value=1, max_value=64))
def test_a_case_goes_to_the_partition_any_kafka_client_picks(case_id: uuid.UUID, partitions: int) -> None:
    key = str(case_id).encode()
    every = list(range(partitions))
    assert partition_for(key, every, every) == DefaultPartitioner()(key, every, every)


def test_a_record_without_a_key_goes_to_an_available_partition() -> None:
    assert {partition_for(None, [0, 1, 2, 3], [2]) for _ in range(20)} == {2}
    assert partition_for(None, [0, 1], []) in {0, 1}

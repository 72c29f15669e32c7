"""Consumed records as aiokafka hands them, for tests of what is made of them."""

from aiokafka import ConsumerRecord


def record(value: bytes | None, key: bytes | None = b"k") -> ConsumerRecord:
    return ConsumerRecord(
        topic="complaints.submissions", partition=3, offset=41, timestamp=0, timestamp_type=0, key=key,
        value=value, checksum=None, serialized_key_size=0, serialized_value_size=0, headers=(),
    )  # fmt: skip

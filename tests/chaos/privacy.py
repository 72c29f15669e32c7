"""The personal-data promise checked from outside (docs/contract.md §Personal data): every phone and name a
run used, looked for in what the run left where an operator reads: every service process's output, every
``/metrics`` page, every dead-letter header. The dev SMS gateway's log is not among them: it stands in for
the provider, which is given the phone by design.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition

_DIGITS = re.compile(r"\d{9,}")  # a phone is written with at least 9 digits, local or international
_NAMES = re.compile(
    r"Citizen \d+"
)  # the chaos run's citizens are named Citizen <n> (tests/chaos/scenario.py)


@dataclass(frozen=True)
class Personal:
    """The identifiers a run used: phones (local and E.164, without the +) and names."""

    phones: frozenset[str]
    names: frozenset[str]

    @classmethod
    def of(cls, citizens: Iterable[tuple[str, str]]) -> Personal:
        """From ``(name, local phone)`` pairs of Cambodian numbers."""
        pairs = list(citizens)
        phones = {local for _, local in pairs} | {f"855{local[1:]}" for _, local in pairs}
        return cls(frozenset(phones), frozenset(name for name, _ in pairs))

    def found_in(self, text: str) -> set[str]:
        return {d for d in _DIGITS.findall(text) if d in self.phones} | {
            n for n in _NAMES.findall(text) if n in self.names
        }


@dataclass
class Scan:
    """What was looked at (sources and bytes) and what was found where."""

    sources: int = 0
    size: int = 0
    found: dict[str, set[str]] = field(default_factory=dict)

    def look(self, personal: Personal, where: str, text: str) -> None:
        self.sources += 1
        self.size += len(text)
        if hits := personal.found_in(text):
            self.found[where] = hits

    def problems(self) -> list[str]:
        return [
            f"{where}: {len(hits)} personal identifiers, e.g. {sorted(hits)[:3]}"
            for where, hits in self.found.items()
        ]


async def dead_letter_headers(bootstrap: str, prefix: str) -> Mapping[str, str]:
    """Every header of every record of every ``<prefix>*.dlq`` topic, as text per topic."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        topics = sorted(t for t in await consumer.topics() if t.startswith(prefix) and t.endswith(".dlq"))
        texts = {}
        for topic in topics:
            partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
            consumer.assign(partitions)
            ends = await consumer.end_offsets(partitions)
            await consumer.seek_to_beginning(*partitions)
            lines: list[str] = []
            while [p for p in partitions if await consumer.position(p) < ends[p]]:
                for records in (await consumer.getmany(timeout_ms=1000)).values():
                    lines += [
                        f"{name}: {bytes(value).decode(errors='replace')}"
                        for r in records
                        for name, value in r.headers
                    ]
            texts[topic] = "\n".join(lines)
        return texts
    finally:
        await consumer.stop()

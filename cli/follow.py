"""`python -m cli follow`: ``case-events`` as it happens, one readable line per event, until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import time
from uuid import UUID

import uvloop
from aiokafka import AIOKafkaConsumer

from cli.facts import event_line, short_id
from cli.settings import settings_of
from shared.events import ComplaintFiled, Envelope, EventDecodeError, decode_envelope

REMEMBERED = 50_000  # references and event types kept to label later events; the oldest are forgotten


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "follow", help="print case-events live, one line per event (KAFKA_BOOTSTRAP_SERVERS, TOPIC_PREFIX)"
    )
    parser.add_argument("--from-beginning", action="store_true", help="start at the topic's first event")
    parser.add_argument("--max", type=int, metavar="N", help="stop after N events")
    parser.add_argument("--timeout", type=float, metavar="S", help="stop after S seconds")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    topic = settings.topics.case_events
    with contextlib.suppress(KeyboardInterrupt):
        uvloop.run(
            follow(settings.kafka_bootstrap_servers, topic, from_beginning=args.from_beginning, most=args.max,
                   within=args.timeout)
        )  # fmt: skip
    return 0


class Labels:
    """What earlier events taught: each case's reference, and each event's type (for SMS outcomes)."""

    def __init__(self) -> None:
        self.references: dict[UUID, str] = {}
        self.types: dict[UUID, str] = {}

    def line(self, envelope: Envelope) -> str:
        payload = envelope.known_payload
        if isinstance(payload, ComplaintFiled):
            _remember(self.references, envelope.case_id, payload.reference)
        _remember(self.types, envelope.event_id, envelope.type)
        label = self.references.get(envelope.case_id, short_id(envelope.case_id))
        return event_line(envelope, label, self.types)


async def follow(
    bootstrap: str, topic: str, *, from_beginning: bool = False, most: int | None = None,
    within: float | None = None,
) -> int:  # fmt: skip
    """Print each event of ``topic`` until ``most`` are printed or ``within`` seconds pass; how many."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
        auto_offset_reset="earliest" if from_beginning else "latest",
    )  # fmt: skip
    labels, printed = Labels(), 0
    deadline = None if within is None else time.monotonic() + within
    print(f"following {topic} on {bootstrap} (Ctrl-C stops)", flush=True)
    await consumer.start()
    try:
        while (most is None or printed < most) and (deadline is None or time.monotonic() < deadline):
            left = None if most is None else most - printed
            batches = await consumer.getmany(timeout_ms=500, max_records=left)
            for record in (record for batch in batches.values() for record in batch):
                try:
                    print(labels.line(decode_envelope(record.value or b"")), flush=True)
                except EventDecodeError as error:
                    where = f"partition {record.partition} offset {record.offset}"
                    print(f"(unreadable at {where}: {error.reason})", flush=True)
                printed += 1
    finally:
        await consumer.stop()
    return printed


def _remember(memory: dict[UUID, str], key: UUID, value: str) -> None:
    memory[key] = value
    if len(memory) > REMEMBERED:
        del memory[next(iter(memory))]

"""`python -m cli dlq list|replay TOPIC`: what is on a dead-letter topic, and sending it back once the cause
is fixed (docs/operations.md §Replaying dead letters).

``list`` shows where each letter is and came from, its reasons, its size and its key only when the key is a
case id: never a value, which may hold a citizen's name or phone.
"""

from __future__ import annotations

import argparse

import uvloop

from cli.settings import settings_of
from cli.table import clip, render
from shared.messaging.dlq_replay import DeadLetters, Letter

REASONS_SHOWN = 100  # display columns of a letter's reasons


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "dlq", help="list or replay a dead-letter topic (KAFKA_BOOTSTRAP_SERVERS, TOPIC_PREFIX, DATABASE_URL)"
    )
    actions = parser.add_subparsers(required=True, dest="action")
    listing = actions.add_parser(
        "list", help="the letters, their reasons and sources, and which were replayed"
    )
    replaying = actions.add_parser(
        "replay", help="send the letters not replayed yet back to their source topic"
    )
    for action, run in ((listing, list_letters), (replaying, replay_letters)):
        action.add_argument(
            "topic", help="a DLQ topic of docs/contract.md §Topics, e.g. complaints.submissions.dlq"
        )
        action.set_defaults(run=run)


def list_letters(args: argparse.Namespace) -> int:
    letters = uvloop.run(_dead_letters(args).list())
    print(render(("at", "from", "size", "key", "replayed", "reasons"), [_row(letter) for letter in letters]))
    print(f"{len(letters)} dead letters, {sum(not letter.replayed for letter in letters)} not replayed")
    return 0


def replay_letters(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    done = uvloop.run(_dead_letters(args).replay(settings.database_url))
    print(f"replayed {done.sent} dead letters to their source topics")
    if done.not_replayable:
        print(f"{done.not_replayable} not sent: value dropped as too large (`dlq list` shows their source)")
    return 0


def _dead_letters(args: argparse.Namespace) -> DeadLetters:
    settings = settings_of(args)
    return DeadLetters(settings.kafka_bootstrap_servers, settings.topics, args.topic)


def _row(letter: Letter) -> list[str]:
    reasons = "; ".join(f"{field or '(record)'}: {message}" for field, message in letter.reasons)
    size = "dropped" if letter.value_size is None else f"{letter.value_size} B"
    return [
        f"{letter.partition}/{letter.offset}",
        f"{letter.source_topic}/{letter.source_partition}/{letter.source_offset}",
        size,
        letter.shown_key,
        "yes" if letter.replayed else "no",
        clip(reasons, REASONS_SHOWN),
    ]

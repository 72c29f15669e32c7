"""Reasons a dead letter may carry: fields and causes, never a value the record holds.

Dead-letter headers are read by operators and copied into tickets, and a record's values may be personal
(a phone, a name). Reasons come from many validators (pydantic's messages, the gazetteer's, the event
registry's), some of which quote what they refused; so, whatever made them, every string value of the
record is cut out of every reason before it is written, and an exception is named by its type (and
SQLSTATE), never by its message, which for a database error may quote the value it refused.
docs/contract.md §Topics.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence

import asyncpg

HIDDEN = "…"
MAX_REASONS = 50  # reasons kept in a header; past it one more says how many were left out
MAX_MESSAGE = 300  # characters of one reason's message
_SHORTEST = 2  # one-character values are left: they would cut letters out of words, and say nothing


def error_reason(error: BaseException) -> str:
    """``error`` named without its message: ``ValueError``, ``DataError (SQLSTATE 22P02)``."""
    sqlstate = getattr(error, "sqlstate", None) if isinstance(error, asyncpg.PostgresError) else None
    return f"{type(error).__name__} (SQLSTATE {sqlstate})" if sqlstate else type(error).__name__


def without_values(messages: Sequence[str], value: bytes | None) -> list[str]:
    """``messages`` with every string of the JSON ``value`` that appears in one as a whole replaced by
    :data:`HIDDEN`, each cut to :data:`MAX_MESSAGE` characters."""
    strings = sorted(_strings(value), key=len, reverse=True)  # longest first: a value inside another
    return [_cut(_hide(message, strings)) for message in messages]


def _hide(message: str, strings: list[str]) -> str:
    for text in strings:
        for shown in {text, repr(text)[1:-1]}:  # as it is, and as a repr quotes it
            if shown in message:
                message = re.sub(rf"(?<!\w){re.escape(shown)}(?!\w)", HIDDEN, message)
    return message


def _cut(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + HIDDEN


def _strings(value: bytes | None) -> set[str]:
    try:
        document = json.loads(value or b"")
    except ValueError:
        return set()  # not JSON: the reason is the parser's, which quotes no value
    return {text for text in _leaves(document) if len(text.strip()) >= _SHORTEST}


def _leaves(document: object) -> Iterator[str]:
    if isinstance(document, str):
        yield document
    elif isinstance(document, dict | list):
        for item in document.values() if isinstance(document, dict) else document:
            yield from _leaves(item)

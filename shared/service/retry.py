"""Telling an outage from bad data, and waiting out an outage with capped exponential backoff."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
import asyncpg.exceptions._base
from aiokafka.errors import (
    KafkaError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
)

from shared.eventstore.port import VersionConflictError

T = TypeVar("T")


class NotReadyError(Exception):
    """Something another process provides is not there yet (a table another service creates): wait."""


# Errors that say a server is unreachable or busy, not that the data is wrong: wait and try again.
_TRANSIENT: tuple[type[BaseException], ...] = (
    NotReadyError,
    OSError,
    TimeoutError,
    ConnectionError,
    KafkaError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
)

# What a retry cannot fix because the record itself is at fault, although it is an error type above: a value
# asyncpg cannot encode for its column (the message names the value, so it is never shown), and a record too
# large for the broker. Every other Kafka error, retriable by Kafka's own flag or not (a timeout on a dead
# broker is flagged not retriable), is waited out: an authorisation or configuration error is fixed by an
# operator, and a dead letter could not get around it anyway.
RECORD_TOO_LARGE: tuple[type[KafkaError], ...] = (
    MessageSizeTooLargeError,
    RecordTooLargeError,
    RecordListTooLargeError,
)
_RECORDS_FAULT: tuple[type[BaseException], ...] = (asyncpg.exceptions._base.DataError, *RECORD_TOO_LARGE)

# SQLSTATEs (PostgreSQL's Appendix A) of a server that cannot do the work now, whatever the data: whole
# classes (08 connection, 40 transaction rollback: serialization and deadlock, 53 insufficient resources:
# disk full, out of memory, too many connections, 57 operator intervention: cancelled statement, admin
# shutdown, 58 system error: I/O) and single codes (25006 read-only transaction, 25P03 and 25P04 idle and
# transaction timeouts, 55P03 lock not available, 55006 object in use, 72000 snapshot too old).
# docs/operations.md §What counts as an outage lists them for operators.
OUTAGE_SQLSTATE_CLASSES = frozenset({"08", "40", "53", "57", "58"})
OUTAGE_SQLSTATES = frozenset({"25006", "25P03", "25P04", "55P03", "55006", "72000"})


def worth_retrying(error: BaseException) -> bool:
    """The one classification every consumer uses (docs/operations.md §What counts as an outage): True for
    an outage (:func:`is_transient`) and for a case stream that moved under a decision, both answered by
    doing the whole transaction again; False for what no retry can fix, which is dead-lettered."""
    return is_transient(error) or isinstance(error, VersionConflictError)


def is_transient(error: BaseException) -> bool:
    """True when ``error`` comes from an outage or contention rather than from the data itself."""
    if isinstance(error, _RECORDS_FAULT):
        return False
    if isinstance(error, _TRANSIENT):
        return True
    sqlstate = getattr(error, "sqlstate", None) if isinstance(error, asyncpg.PostgresError) else None
    return isinstance(sqlstate, str) and (
        sqlstate[:2] in OUTAGE_SQLSTATE_CLASSES or sqlstate in OUTAGE_SQLSTATES
    )


class Backoff:
    """Exponential backoff with equal jitter, from ``first`` up to ``cap`` seconds, for as long as needed.

    Each wait is drawn between half and all of the capped delay ``min(cap, first * 2**attempt)``. Equal
    rather than full jitter (a draw between zero and the delay): what waits here is an outage of a server
    every replica uses, and a draw near zero would only send a request into the same outage at once; half
    the delay still spreads the replicas' retries apart, and the wait keeps growing while the outage lasts.
    """

    def __init__(self, first: float = 0.05, cap: float = 5.0, *, rng: random.Random | None = None) -> None:
        self.first = first
        self.cap = cap
        self._rng = rng or random.Random()
        self._attempt = 0

    def reset(self) -> None:
        self._attempt = 0

    def next_delay(self) -> float:
        """The next wait in seconds (and count the attempt): between half and all of the capped delay."""
        delay = min(self.cap, self.first * 2**self._attempt)
        self._attempt = min(self._attempt + 1, 30)
        return self._rng.uniform(delay / 2, delay)

    async def wait(self) -> None:
        await asyncio.sleep(self.next_delay())


async def until_done(
    what: str,
    attempt: Callable[[], Awaitable[T]],
    *,
    log: logging.Logger,
    also_retry: tuple[type[BaseException], ...] = (),
    on_retry: Callable[[], object] = lambda: None,
) -> T:
    """Run ``attempt`` until it succeeds, waiting out what :func:`worth_retrying` says a retry fixes (and
    ``also_retry``) for as long as it lasts; any other error is raised at once."""
    backoff = Backoff()
    while True:
        try:
            return await attempt()
        except Exception as error:
            if not (worth_retrying(error) or isinstance(error, also_retry)):
                raise
            on_retry()
            log.warning("cannot %s yet, retrying: %r", what, error)
            await backoff.wait()

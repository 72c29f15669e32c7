"""Telling an outage from bad data, and waiting out an outage with capped exponential backoff."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
from aiokafka.errors import KafkaError

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
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
)


def worth_retrying(error: BaseException) -> bool:
    """True for an outage (:func:`is_transient`) and for a case stream that moved under a decision: both
    are answered by doing the whole transaction again, neither by dead-lettering or skipping."""
    return is_transient(error) or isinstance(error, VersionConflictError)


def is_transient(error: BaseException) -> bool:
    """True when ``error`` comes from an outage or contention rather than from the data itself."""
    return isinstance(error, _TRANSIENT)


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
    """Run ``attempt`` until it succeeds, waiting out transient errors (and ``also_retry``) for as long as
    they last; any other error is raised at once."""
    backoff = Backoff()
    while True:
        try:
            return await attempt()
        except Exception as error:
            if not (is_transient(error) or isinstance(error, also_retry)):
                raise
            on_retry()
            log.warning("cannot %s yet, retrying: %r", what, error)
            await backoff.wait()

"""The command use case: load the case, decide, append; on a version conflict reload and decide again.

An ``Idempotency-Key`` names the command: when an event is already stored under it, that event is the
answer and nothing is decided again (a retried request changes nothing).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

import asyncpg

from services.intake.domain.case import CaseState, evolve, fold
from services.intake.domain.commands import (
    EVENT_OF,
    Command,
    CommandRefusedError,
    NotYoursError,
    Responder,
    decide,
)
from services.intake.filing import PRODUCER, HasPool
from services.intake.metrics import IntakeMetrics
from shared.events import Envelope, NewEvent
from shared.eventstore import PostgresEventStore, VersionConflictError

log = logging.getLogger(__name__)
_MAX_ATTEMPTS = 20  # a conflict means someone else appended; twenty in a row means something is wrong


class CaseNotFoundError(LookupError):
    """No case has this id."""


class KeyReusedError(CommandRefusedError):
    """The Idempotency-Key already names another command on this case."""


class ContendedError(RuntimeError):
    """The case kept changing under the command; the client may retry."""


@dataclass(frozen=True, slots=True)
class Done:
    """The event a command stored (or had stored, when ``replayed``) and the case's status after it."""

    event: Envelope
    status: str
    replayed: bool = False


class CaseCommands:
    """Carries out responder and working-group commands against the event store."""

    def __init__(
        self,
        database: HasPool,
        metrics: IntakeMetrics,
        clock: Callable[[], datetime],
        store: Callable[[asyncpg.Pool], PostgresEventStore] = PostgresEventStore,
    ) -> None:
        self._database = database
        self._metrics = metrics
        self._clock = clock
        self._store = store

    async def handle(
        self, case_id: UUID, command: Command, responder: Responder, idempotency_key: str | None = None
    ) -> Done:
        """Carry ``command`` out; raises CaseNotFoundError, NotYoursError, NotNowError, KeyReusedError or
        ContendedError."""
        outcome = "accepted"
        try:
            done = await self._handle(case_id, command, responder, idempotency_key)
            outcome = "replayed" if done.replayed else "accepted"
            return done
        except CaseNotFoundError:
            outcome = "not_found"
            raise
        except CommandRefusedError as refused:
            outcome = "forbidden" if isinstance(refused, NotYoursError) else "conflict"
            raise
        except ContendedError:
            outcome = "contended"
            raise
        finally:
            self._metrics.commands.labels(command=command.name, outcome=outcome).inc()

    async def _handle(
        self, case_id: UUID, command: Command, responder: Responder, idempotency_key: str | None
    ) -> Done:
        store = self._store(self._database.pool)
        key = f"command:{idempotency_key}" if idempotency_key else f"command:{uuid4()}"
        if idempotency_key:
            stored = await store.find_by_key(case_id, key)
            if stored is not None:
                return await self._replayed(store, stored, command)
        for _ in range(_MAX_ATTEMPTS):
            state = fold(await store.read_stream(case_id))
            if state is None:
                raise CaseNotFoundError(f"no case {case_id}")
            event = NewEvent(
                event_id=uuid4(),
                data=decide(state, command, responder),
                idempotency_key=key,
                occurred_at=self._clock(),
                producer=PRODUCER,
                actor=responder.actor,
            )
            try:
                appended = await store.append(case_id, state.version, [event])
            except VersionConflictError:
                continue  # someone appended meanwhile: decide again on what is stored now
            if appended.duplicate:  # the same key landed concurrently
                return await self._replayed(store, appended.events[0], command)
            return Done(appended.events[0], _status_after(state, appended.events[0]))
        raise ContendedError(f"case {case_id} changed {_MAX_ATTEMPTS} times while deciding; try again")

    async def _replayed(self, store: PostgresEventStore, stored: Envelope, command: Command) -> Done:
        if stored.type != EVENT_OF[command.name]:
            raise KeyReusedError(f"this Idempotency-Key was used for a {stored.type} on this case")
        state = fold(await store.read_stream(stored.case_id))
        return Done(stored, state.status if state else "filed", replayed=True)


def _status_after(state: CaseState, event: Envelope) -> str:
    after = evolve(state, event)
    return after.status if after else state.status

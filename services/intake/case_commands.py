"""The command use case: load the case, decide, append; on a version conflict reload and decide again
(``shared.eventstore.decide_and_append``, whose bound makes a command ``ContendedError``).

An ``Idempotency-Key`` names the command: when an event is already stored under it, that event is the
answer and nothing is decided again (a retried request changes nothing). The answer goes only to the
responder who sent the command: anyone else is refused as they would be without the key, so a key found
in a log or guessed reads nothing of a case that is not theirs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID, uuid4

from services.intake.domain.case import fold
from services.intake.domain.commands import (
    EVENT_OF,
    Command,
    CommandRefusedError,
    NotYoursError,
    Responder,
    decide,
)
from services.intake.filing import PRODUCER
from services.intake.metrics import IntakeMetrics
from shared.events import Envelope, NewEvent
from shared.eventstore import ConflictCounter, ContendedStreamError, EventStore, decide_and_append
from shared.service.clock import Clock

log = logging.getLogger(__name__)


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
        self, store: EventStore, metrics: IntakeMetrics, clock: Clock, conflicts: ConflictCounter
    ) -> None:
        self._store = store
        self._metrics = metrics
        self._clock = clock
        self._conflicts = conflicts

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
        key = f"command:{idempotency_key}" if idempotency_key else f"command:{uuid4()}"
        if idempotency_key:
            stored = await self._store.find_by_key(case_id, key)
            if stored is not None:
                return await self._replayed(stored, command, responder)

        def carry_out(_: UUID, stream: Sequence[Envelope]) -> list[NewEvent]:
            state = fold(stream)
            if state is None:
                raise CaseNotFoundError(f"no case {case_id}")
            return [
                NewEvent(
                    event_id=uuid4(),
                    data=decide(state, command, responder),
                    idempotency_key=key,
                    occurred_at=self._clock(),
                    producer=PRODUCER,
                    actor=responder.actor,
                )
            ]

        try:
            decided = await decide_and_append(
                self._store, carry_out, conflicts=self._conflicts, read=[case_id]
            )
        except ContendedStreamError as contended:
            raise ContendedError(f"case {case_id} kept changing while deciding; try again") from contended
        outcome = decided.cases[case_id]
        if outcome.appended is None or outcome.stream is None:
            raise RuntimeError(f"case {case_id}: a command decides one event on the stream it read")
        event = outcome.appended.events[0]
        if outcome.appended.duplicate:  # the same key landed concurrently
            return await self._replayed(event, command, responder)
        return Done(event, _status([*outcome.stream, event]))

    async def _replayed(self, stored: Envelope, command: Command, responder: Responder) -> Done:
        if stored.actor != responder.actor:
            raise NotYoursError("this case is not the caller's to act on")
        if stored.type != EVENT_OF[command.name]:
            raise KeyReusedError(f"this Idempotency-Key was used for a {stored.type} on this case")
        return Done(stored, _status(await self._store.read_stream(stored.case_id)), replayed=True)


def _status(stream: Sequence[Envelope]) -> str:
    state = fold(stream)
    return state.status if state else "filed"

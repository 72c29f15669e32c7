"""Decide and append: the one loop through which every service writes what it decided on a case stream.

A writer reads a case's stream, decides on it with a pure function, and appends what it decided on the
version it read. When the stream moved meanwhile the store keeps nothing of that append, and the stream is
read again and decided on again as it is now, up to :data:`MAX_ATTEMPTS` appends of one stream; then
:class:`ContendedStreamError`. This is message-db's ``write_message`` with an expected version, the retry
included, in place of a loop of each service's own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeAlias
from uuid import UUID

from shared.events import Envelope, NewEvent
from shared.eventstore.port import Append, Appended, Connection, EventStore, VersionConflictError

# Appends of one stream in one call, each decided on what a new read of the stream found, before the writer
# gives up and its caller retries the whole transaction (every caller treats a conflict as worth a retry).
# A stream that moves ten times while one decision is made is not one busy case: something is wrong.
MAX_ATTEMPTS = 10

Decide: TypeAlias = Callable[[UUID, Sequence[Envelope]], Sequence[NewEvent]]
"""What to append to case ``case_id`` whose stream holds ``stream`` (nothing: leave the case alone). Pure."""


class ConflictCounter(Protocol):
    """Where refused appends are counted: ``CommonMetrics.event_store_conflicts.labels(writer=...)``."""

    def inc(self, amount: float = 1) -> None: ...


class ContendedStreamError(VersionConflictError):
    """A stream moved under each of :data:`MAX_ATTEMPTS` decisions in a row.

    A :class:`VersionConflictError`, so that a caller that retries its transaction on a conflict (the
    consumer, the SLA timer, notify's recording) retries it on this too.
    """

    def __init__(self, case_id: UUID, expected_version: int, current_version: int, attempts: int) -> None:
        super().__init__(case_id, expected_version, current_version)
        self.attempts = attempts
        self.args = (
            f"case {case_id}: the stream moved under {attempts} decisions in a row "
            f"(the last on version {expected_version}, the stream at {current_version}); try again",
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one case.

    ``stream`` is what its last decision was made on (None when the caller's own first append went in
    without a read); ``appended`` what that decision stored, or the events already stored under its keys
    (``duplicate``), or None when the decision was to append nothing.
    """

    case_id: UUID
    stream: Sequence[Envelope] | None
    appended: Appended | None


@dataclass(frozen=True, slots=True)
class Decided:
    """Every case's outcome, and how many appends were refused and decided again on the way."""

    cases: dict[UUID, Outcome]
    conflicts: int


async def decide_and_append(
    store: EventStore,
    decide: Decide,
    *,
    conflicts: ConflictCounter,
    read: Sequence[UUID] = (),
    streams: Mapping[UUID, Sequence[Envelope]] | None = None,
    first: Sequence[Append] = (),
    redecide_duplicates: bool = False,
    connection: Connection | None = None,
) -> Decided:
    """Decide on each case and append the decisions (one ``append_many`` a round), deciding again on a new
    read of any stream that refused its append; every refusal is counted on ``conflicts``.

    The cases, each at most once, come as:

    - ``read``: case ids, read first and decided on;
    - ``streams``: streams the caller has read already (in ``connection``'s transaction, when it has one);
    - ``first``: appends the caller decided without a read, on a version it knows (routing: the version its
      filing left the stream at) or on top of the stream (``expected_version=None``, for events that do not
      depend on its state). Tried as they are; only a stream that refuses one is read and decided on.

    An append whose keys are stored already (``duplicate``) is the case's outcome: the same decision was
    stored before. With ``redecide_duplicates`` it counts as a refusal instead, read and decided on again:
    for a writer whose ``decide`` leaves out what the stream holds, and that wants the stream as it ends up.

    With ``connection`` every read and append is made on it: inside its transaction, all of it or none is
    kept. Raises :class:`ContendedStreamError` after :data:`MAX_ATTEMPTS` refused appends of one stream
    (what was appended for other cases until then stays in the caller's transaction, or stays stored).
    """
    outcomes: dict[UUID, Outcome] = {}
    attempts: Counter[UUID] = Counter()
    refused = 0
    pending: dict[UUID, Sequence[Envelope]] = dict(streams or {})
    if read:
        found = await store.read_streams(read, connection=connection)
        pending.update({case_id: found.get(case_id, []) for case_id in read})
    ready = list(first)
    basis: dict[UUID, Sequence[Envelope] | None] = {append.case_id: None for append in ready}
    while True:
        appends, ready = ready, []
        for case_id, stream in pending.items():
            basis[case_id] = stream
            if events := decide(case_id, stream):
                appends.append(Append(case_id, stream[-1].version if stream else 0, events))
            else:
                outcomes[case_id] = Outcome(case_id, stream, None)
        results = await store.append_many(appends, connection=connection) if appends else []
        stale: list[tuple[Append, Appended | VersionConflictError]] = []
        for append, result in zip(appends, results, strict=True):
            if isinstance(result, VersionConflictError) or (result.duplicate and redecide_duplicates):
                stale.append((append, result))
            else:
                outcomes[append.case_id] = Outcome(append.case_id, basis[append.case_id], result)
        if not stale:
            return Decided(outcomes, refused)
        refused += len(stale)
        conflicts.inc(len(stale))
        for append, result in stale:
            attempts[append.case_id] += 1
            if attempts[append.case_id] == MAX_ATTEMPTS:
                raise _contended(append, result, MAX_ATTEMPTS)
        case_ids = [append.case_id for append, _ in stale]
        found = await store.read_streams(case_ids, connection=connection)
        pending = {case_id: found.get(case_id, []) for case_id in case_ids}


def _contended(
    append: Append, result: Appended | VersionConflictError, attempts: int
) -> ContendedStreamError:
    if isinstance(result, VersionConflictError):
        return ContendedStreamError(append.case_id, result.expected_version, result.current_version, attempts)
    # Its keys were stored by another writer: the stream holds at least what this append was to add.
    expected = append.expected_version or 0
    return ContendedStreamError(append.case_id, expected, expected + len(append.events), attempts)

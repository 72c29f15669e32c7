"""The event store: its port, its PostgreSQL (asyncpg) and in-memory implementations, the one
decide-and-append loop every writer uses, and the migrations."""

from shared.eventstore.decide import (
    ConflictCounter,
    ContendedStreamError,
    Decide,
    Decided,
    Outcome,
    decide_and_append,
)
from shared.eventstore.memory import InMemoryEventStore
from shared.eventstore.migrations import EVENT_STORE, MigrationSet, migrate
from shared.eventstore.port import (
    Append,
    Appended,
    Connection,
    EventStore,
    StoredEvent,
    VersionConflictError,
)
from shared.eventstore.store import HasPool, PostgresEventStore

__all__ = [
    "EVENT_STORE",
    "Append",
    "Appended",
    "ConflictCounter",
    "Connection",
    "ContendedStreamError",
    "Decide",
    "Decided",
    "EventStore",
    "HasPool",
    "InMemoryEventStore",
    "MigrationSet",
    "Outcome",
    "PostgresEventStore",
    "StoredEvent",
    "VersionConflictError",
    "decide_and_append",
    "migrate",
]

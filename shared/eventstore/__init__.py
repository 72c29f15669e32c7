"""The event store and its migrations (PostgreSQL over asyncpg)."""

from shared.eventstore.migrations import EVENT_STORE, MigrationSet, migrate
from shared.eventstore.store import (
    Append,
    Appended,
    Connection,
    PostgresEventStore,
    StoredEvent,
    VersionConflictError,
)

__all__ = [
    "EVENT_STORE",
    "Append",
    "Appended",
    "Connection",
    "MigrationSet",
    "PostgresEventStore",
    "StoredEvent",
    "VersionConflictError",
    "migrate",
]

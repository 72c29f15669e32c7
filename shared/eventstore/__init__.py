"""The event store, its migrations and the personal-data vault (PostgreSQL over asyncpg)."""

from shared.eventstore.migrations import EVENT_STORE, MigrationSet, migrate
from shared.eventstore.store import (
    Append,
    Appended,
    Connection,
    PostgresEventStore,
    StoredEvent,
    VersionConflictError,
)
from shared.eventstore.vault import CitizenContact, PersonalDataVault

__all__ = [
    "EVENT_STORE",
    "Append",
    "Appended",
    "CitizenContact",
    "Connection",
    "MigrationSet",
    "PersonalDataVault",
    "PostgresEventStore",
    "StoredEvent",
    "VersionConflictError",
    "migrate",
]

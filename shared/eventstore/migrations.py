"""Versioned SQL migrations, applied at start-up under an advisory lock so replicas may start together."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from shared.eventstore.store import Connection

_LOCK_KEY = 0x636F6D70  # any constant shared by every process of the system
_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class MigrationSet:
    """The ``NNNN_name.sql`` files of ``folder``, applied in order and recorded under ``component``."""

    component: str
    folder: Path

    def files(self) -> list[tuple[int, Path]]:
        found = []
        for path in sorted(self.folder.iterdir()):
            match = _FILE.match(path.name)
            if match:
                found.append((int(match.group(1)), path))
        return found


EVENT_STORE = MigrationSet("eventstore", Path(__file__).parent / "sql")


async def migrate(connection: Connection, sets: list[MigrationSet]) -> list[str]:
    """Apply what is not applied yet, in one transaction; return the names of the files applied."""
    applied_now: list[str] = []
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
        await connection.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   component  text NOT NULL,
                   version    integer NOT NULL,
                   name       text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now(),
                   PRIMARY KEY (component, version))"""
        )
        done = {
            (row["component"], row["version"])
            for row in await connection.fetch("SELECT component, version FROM schema_migrations")
        }
        for migration_set in sets:
            for version, path in migration_set.files():
                if (migration_set.component, version) in done:
                    continue
                await connection.execute(path.read_text())
                await connection.execute(
                    "INSERT INTO schema_migrations (component, version, name) VALUES ($1, $2, $3)",
                    migration_set.component, version, path.name,
                )  # fmt: skip
                applied_now.append(f"{migration_set.component}/{path.name}")
    return applied_now

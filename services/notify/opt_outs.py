"""Moving the opt-outs of the old unkeyed table (``sms_opt_outs``: a plain SHA-256 of the number) to the
shared keyed one (:mod:`shared.privacy.opt_outs`).

Migration ``0002_keyed_opt_outs.sql`` sets the old rows aside; at start-up notify re-keys those it can name
again, the numbers still in the vault or in the units file whose SHA-256 matches, and drops the rest with
the table: a number it cannot name is one it cannot text either, until someone gives it again (then the
provider's 21610 answer records it anew).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable

from shared.eventstore import HasPool
from shared.privacy import OptOuts

log = logging.getLogger(__name__)
_OLD = "sms_opt_outs_unkeyed"
_LOCK = 0x6F70746F  # one replica moves them; the others find the table gone


class OldOptOutsMove:
    """A service component: on start, re-keys what it can of the old table and drops it."""

    def __init__(self, database: HasPool, opt_outs: OptOuts, unit_phones: Iterable[str]) -> None:
        self._database = database
        self._opt_outs = opt_outs
        self._unit_phones = sorted(set(unit_phones))

    async def start(self) -> None:
        async with self._database.pool.acquire() as connection, connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", _LOCK)
            if not await connection.fetchval("SELECT to_regclass($1) IS NOT NULL", _OLD):
                return
            old = {
                row["phone_sha256"]: row["source"] for row in await connection.fetch(f"SELECT * FROM {_OLD}")
            }
            phones: list[str] = list(self._unit_phones)
            if await connection.fetchval("SELECT to_regclass('citizens') IS NOT NULL"):
                phones += [
                    row["phone"]
                    for row in await connection.fetch(
                        f"""SELECT DISTINCT v.phone FROM citizens v JOIN {_OLD} o
                            ON o.phone_sha256 = encode(sha256(convert_to(v.phone, 'UTF8')), 'hex')"""
                    )
                ]
            by_source: dict[str, set[str]] = {}
            for phone in phones:
                source = old.get(hashlib.sha256(phone.encode()).hexdigest())
                if source is not None:
                    by_source.setdefault(source, set()).add(phone)
            moved = 0
            for source, numbers in by_source.items():
                moved += await self._opt_outs.add(connection, numbers, source)
            await connection.execute(f"DROP TABLE {_OLD}")
        log.info("moved %d of %d opt-outs to the keyed table; the old table is dropped", moved, len(old))

    async def stop(self) -> None:
        return None

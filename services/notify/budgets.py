"""The SMS spend budgets (docs/contract.md §SMS out): texts to one number, and texts in all, per UTC day.

Counted in PostgreSQL (``shared.privacy.budgets``) so that every replica shares them. A notice is charged
once, whatever number of attempts it takes: the ``budgeted`` flag of its row is set in the transaction that
takes its units. Citizens' and units' texts count alike. A number is counted by its keyed digest, never
by itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from shared.eventstore.store import Connection
from shared.privacy import Budget, KeyedDigest, take

PER_NUMBER = "sms_per_number_per_day"
IN_ALL = "sms_per_day"
_DAY = timedelta(days=1)
_EVERY_TEXT = "all"  # the subject of the day's total


class SmsBudgets:
    """``per_number`` texts a day to one number, ``in_all`` a day in all."""

    def __init__(self, per_number: int, in_all: int, digest: KeyedDigest) -> None:
        self.per_number = Budget(PER_NUMBER, per_number, _DAY)
        self.in_all = Budget(IN_ALL, in_all, _DAY)
        self._digest = digest

    async def charge(
        self, connection: Connection, notices: Sequence[tuple[int, str]], now: datetime
    ) -> dict[int, str]:
        """Charge the ``(notice id, phone)`` pairs not charged before, in the caller's transaction; the
        notices refused, each with the name of the budget that refused it."""
        if not notices:
            return {}
        rows = await connection.fetch(
            """UPDATE notifications SET budgeted = true
               WHERE id = ANY($1::bigint[]) AND NOT budgeted RETURNING id""",
            [notice_id for notice_id, _ in notices],
        )
        fresh = {row["id"] for row in rows}
        refused: dict[int, str] = {}
        for notice_id, phone in notices:
            if notice_id not in fresh:
                continue
            # The number first: a text the day's total then refuses has used one of its number's units, which
            # matters only on a day when nothing more is sent anyway.
            subject = self._digest("sms-per-number", phone)
            if not (await take(connection, self.per_number, subject, now)).allowed:
                refused[notice_id] = PER_NUMBER
            elif not (await take(connection, self.in_all, _EVERY_TEXT, now)).allowed:
                refused[notice_id] = IN_ALL
        if refused:
            # Not charged after all: should this process die before the refusal is recorded, whoever claims
            # the notice next asks the budgets again rather than sending it.
            await connection.execute(
                "UPDATE notifications SET budgeted = false WHERE id = ANY($1::bigint[])", list(refused)
            )
        return refused

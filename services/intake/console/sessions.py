"""Console sessions: a row per signed-in browser, found by the SHA-256 of the cookie's random token.

Server-side rows rather than signed tokens: signing out, disabling an account or resetting its password
must end its sessions at once on every replica, and a signed token cannot be taken back before it
expires without a table of revoked tokens, which is this table the other way round. One indexed read per
page costs little next to the page's own queries.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from services.intake.console.accounts import Account
from shared.eventstore import HasPool
from shared.service.clock import Clock

SESSION_FOR = timedelta(hours=12)  # an officer's working day; then sign in again


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in account and the CSRF token every form of this session carries."""

    account: Account
    csrf_token: str


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Sessions:
    """The ``console_sessions`` table."""

    def __init__(self, database: HasPool, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    async def start(self, account: Account) -> tuple[str, Session]:
        """A new session: the token for the cookie, and the session."""
        token, csrf = new_token(), new_token()
        now = self._clock()
        # An account's expired sessions go when it signs in again, so the table stays as small as the
        # sessions alive.
        await self._database.pool.execute(
            "DELETE FROM console_sessions WHERE account_id = $1 AND expires_at <= $2", account.account_id, now
        )
        await self._database.pool.execute(
            """INSERT INTO console_sessions (token_sha256, account_id, csrf_token, created_at, expires_at)
               VALUES ($1, $2, $3, $4, $5)""",
            _digest(token), account.account_id, csrf, now, now + SESSION_FOR,
        )  # fmt: skip
        return token, Session(account, csrf)

    async def find(self, token: str) -> Session | None:
        """The live session of ``token``: not expired, of an account not disabled."""
        row = await self._database.pool.fetchrow(
            """SELECT a.account_id, a.role, a.unit_id, s.csrf_token FROM console_sessions s
               JOIN console_accounts a USING (account_id)
               WHERE s.token_sha256 = $1 AND s.expires_at > $2 AND a.disabled_at IS NULL""",
            _digest(token), self._clock(),
        )  # fmt: skip
        if row is None:
            return None
        return Session(Account(row["account_id"], row["role"], row["unit_id"]), row["csrf_token"])

    async def end(self, token: str) -> None:
        await self._database.pool.execute(
            "DELETE FROM console_sessions WHERE token_sha256 = $1", _digest(token)
        )

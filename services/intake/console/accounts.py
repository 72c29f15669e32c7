"""Console accounts (docs/console.md): argon2 password hashes, roles of docs/contract.md §HTTP, the lock
after repeated failed sign-ins, counted in PostgreSQL so that every replica shares the count; names that are
no account lock alike, counted by a keyed digest of the name.

An account's id is the ``actor.id`` of every event it causes, so accounts are disabled, never deleted.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Literal

import asyncpg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.intake.console.lockout import after_failure, is_locked
from shared.eventstore import HasPool
from shared.eventstore.store import Connection
from shared.privacy import KeyedDigest
from shared.service.clock import Clock

Role = Literal["unit", "working_group", "ops"]
ROLES: tuple[Role, ...] = ("unit", "working_group", "ops")
ACCOUNT_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
MIN_PASSWORD = 10
# argon2id with the library's defaults (RFC 9106's second recommended profile: 64 MiB, 3 passes).
_HASHER = PasswordHasher()
# Verified when the account does not exist, so that a wrong name costs the same time as a wrong password.
_NOBODY = _HASHER.hash("not the password of anyone")
# Hashes at once in one process: each takes 64 MiB and a core, so more than the cores only queue in threads
# while holding their memory (docs/console.md §Security rules).
HASHING_SLOTS = os.cpu_count() or 1
UNKNOWN_NAME = "console-sign-in"  # the keyed digest's purpose for names that are no account
_COLUMNS = "account_id, role, unit_id, disabled_at IS NOT NULL AS disabled, locked_until"


class AccountError(ValueError):
    """An account cannot be made or changed as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class Account:
    account_id: str
    role: Role
    unit_id: str | None
    disabled: bool = False
    locked_until: datetime | None = None


class SignIn(Enum):
    WRONG = "wrong"  # no such account, a disabled one, or a wrong password: the same answer for all three
    LOCKED = "locked"


def account_problem(account_id: str, role: str, unit_id: str | None) -> str | None:
    """Why these fields cannot make an account, or None."""
    if not ACCOUNT_ID.fullmatch(account_id):
        return "an account id is 2 to 63 characters: lower-case letters, digits, '.', '_' or '-'"
    if role not in ROLES:
        return f"the role is one of {', '.join(ROLES)}"
    if (role == "unit") != (unit_id is not None):
        return "a unit account needs --unit, and only a unit account has one"
    return None


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"a password has at least {MIN_PASSWORD} characters"
    return None


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class Accounts:
    """The ``console_accounts`` table (``sql/0007_console_accounts.sql``)."""

    def __init__(self, database: HasPool, clock: Clock, digest: KeyedDigest) -> None:
        self._database = database
        self._clock = clock
        self._digest = digest
        self._hashing = asyncio.Semaphore(HASHING_SLOTS)

    async def _hashed(self, password: str) -> str:
        async with self._hashing:
            return await asyncio.to_thread(hash_password, password)

    async def add(self, account_id: str, role: str, unit_id: str | None, password: str) -> Account:
        problem = account_problem(account_id, role, unit_id) or password_problem(password)
        if problem:
            raise AccountError(problem)
        hashed = await self._hashed(password)
        try:
            row = await self._database.pool.fetchrow(
                f"""INSERT INTO console_accounts (account_id, role, unit_id, password_hash)
                    VALUES ($1, $2, $3, $4) RETURNING {_COLUMNS}""",
                account_id, role, unit_id, hashed,
            )  # fmt: skip
        except asyncpg.UniqueViolationError:
            raise AccountError(f"an account {account_id!r} exists already") from None
        assert row is not None
        return _account(row)

    async def list(self) -> list[Account]:
        rows = await self._database.pool.fetch(f"SELECT {_COLUMNS} FROM console_accounts ORDER BY account_id")
        return [_account(row) for row in rows]

    async def disable(self, account_id: str) -> bool:
        """Disable the account and end its sessions; False when there is no such account."""
        async with self._database.pool.acquire() as connection, connection.transaction():
            done = await connection.execute(
                "UPDATE console_accounts SET disabled_at = coalesce(disabled_at, $2) WHERE account_id = $1",
                account_id, self._clock(),
            )  # fmt: skip
            await connection.execute("DELETE FROM console_sessions WHERE account_id = $1", account_id)
        return bool(done == "UPDATE 1")

    async def reset_password(self, account_id: str, password: str) -> bool:
        """A new password, the lock lifted, every session ended; False when there is no such account."""
        problem = password_problem(password)
        if problem:
            raise AccountError(problem)
        hashed = await self._hashed(password)
        async with self._database.pool.acquire() as connection, connection.transaction():
            done = await connection.execute(
                """UPDATE console_accounts SET password_hash = $2, failed_sign_ins = 0, locked_until = NULL
                   WHERE account_id = $1""",
                account_id, hashed,
            )  # fmt: skip
            await connection.execute("DELETE FROM console_sessions WHERE account_id = $1", account_id)
        return bool(done == "UPDATE 1")

    async def sign_in(self, account_id: str, password: str) -> Account | SignIn:
        """The account when the password is its own; else why not. A locked account is not checked at
        all (a right password does not open it early); a failure counts towards the lock. A name that is no
        account, or a disabled one, fails and locks the same way, so the answers do not tell them apart.

        The whole attempt holds a hashing slot, so sign-ins waiting for one hold no connection of the pool."""
        async with self._hashing:
            now = self._clock()
            async with self._database.pool.acquire() as connection, connection.transaction():
                row = await connection.fetchrow(
                    f"""SELECT {_COLUMNS}, password_hash, failed_sign_ins FROM console_accounts
                        WHERE account_id = $1 FOR UPDATE""",
                    account_id,
                )
                if row is None or row["disabled"]:
                    return await self._no_account(connection, account_id, password, now)
                if is_locked(row["locked_until"], now):
                    return SignIn.LOCKED
                if await asyncio.to_thread(_verify, row["password_hash"], password):
                    await connection.execute(
                        """UPDATE console_accounts SET failed_sign_ins = 0, locked_until = NULL
                           WHERE account_id = $1""",
                        account_id,
                    )
                    return _account(row)
                failed = after_failure(row["failed_sign_ins"], now)
                await connection.execute(
                    """UPDATE console_accounts
                       SET failed_sign_ins = $2, locked_until = coalesce($3, locked_until)
                       WHERE account_id = $1""",
                    account_id, failed.failures, failed.locked_until,
                )  # fmt: skip
                return SignIn.LOCKED if failed.locked_until else SignIn.WRONG

    async def _no_account(
        self, connection: Connection, account_id: str, password: str, now: datetime
    ) -> SignIn:
        """A failed sign-in under a name that opens nothing, counted and locked like an account's."""
        name = self._digest(UNKNOWN_NAME, account_id)
        await connection.execute(
            "INSERT INTO console_sign_in_failures (name_digest) VALUES ($1) ON CONFLICT DO NOTHING", name
        )
        row = await connection.fetchrow(
            """SELECT failed_sign_ins, locked_until FROM console_sign_in_failures
               WHERE name_digest = $1 FOR UPDATE""",
            name,
        )
        assert row is not None
        if is_locked(row["locked_until"], now):
            return SignIn.LOCKED
        # A wrong name costs the same time as a wrong password.
        await asyncio.to_thread(_verify, _NOBODY, password)
        failed = after_failure(row["failed_sign_ins"], now)
        await connection.execute(
            """UPDATE console_sign_in_failures
               SET failed_sign_ins = $2, locked_until = coalesce($3, locked_until)
               WHERE name_digest = $1""",
            name, failed.failures, failed.locked_until,
        )  # fmt: skip
        return SignIn.LOCKED if failed.locked_until else SignIn.WRONG


def _account(row: asyncpg.Record) -> Account:
    return Account(row["account_id"], row["role"], row["unit_id"], row["disabled"], row["locked_until"])

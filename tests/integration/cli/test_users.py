"""`python -m cli users list|disable|reset-password` as an operator runs them, on a real PostgreSQL: the list
shows each account's state, disabling ends its sessions, a new password replaces the hash and lifts a lock."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.intake.console.accounts import Accounts, SignIn
from services.intake.console.lockout import MAX_FAILURES
from services.intake.console.sessions import Sessions
from shared.localstack.kafka import PROJECT_ROOT
from shared.privacy import KeyedDigest
from shared.service.clock import system_clock
from shared.service.database import create_pool

pytestmark = pytest.mark.integration
DIGEST = KeyedDigest.of("a key of the cli tests")
PASSWORD = "the first long password"
NEW_PASSWORD = "a second long password"


async def cli(database_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """``python -m cli users ARGS`` at ``database_url``, run to its end."""
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "cli", "users", *args], input=stdin, capture_output=True, text=True,
        env={**os.environ, "DATABASE_URL": database_url}, cwd=PROJECT_ROOT, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
async def accounts_at(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """Two accounts made by the command, and a pool on their database."""
    for args in (
        ("sokha", "--role", "unit", "--unit", "police:1203"),
        ("chan.wg", "--role", "working_group"),
    ):
        made = await cli(database_url, "add", *args, "--password-stdin", stdin=f"{PASSWORD}\n")
        assert made.returncode == 0, made.stderr
    async with create_pool(database_url, min_size=1, max_size=4) as pool:
        yield pool


class _Database:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool


async def test_list_shows_every_account_with_its_role_unit_and_state(
    database_url: str, accounts_at: asyncpg.Pool
) -> None:
    listed = await cli(database_url, "list")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()]
    assert ["chan.wg", "working_group", "active"] in rows
    assert ["sokha", "unit", "police:1203", "active"] in rows
    assert PASSWORD not in listed.stdout
    assert "argon2" not in listed.stdout


async def test_disable_ends_the_accounts_sessions_and_keeps_it_listed_as_disabled(
    database_url: str, accounts_at: asyncpg.Pool
) -> None:
    database = _Database(accounts_at)
    accounts, sessions = Accounts(database, system_clock, DIGEST), Sessions(database, system_clock)
    signed_in = await accounts.sign_in("sokha", PASSWORD)
    assert not isinstance(signed_in, SignIn)
    token, _ = await sessions.start(signed_in)
    other_token, _ = await sessions.start(signed_in)  # a second browser
    assert await sessions.find(token) is not None

    disabled = await cli(database_url, "disable", "sokha")
    assert disabled.returncode == 0, disabled.stderr
    assert "sokha: disabled; its sessions ended" in disabled.stdout
    assert await sessions.find(token) is None
    assert await sessions.find(other_token) is None
    assert await accounts_at.fetchval("SELECT count(*) FROM console_sessions WHERE account_id = 'sokha'") == 0
    assert await accounts.sign_in("sokha", PASSWORD) is SignIn.WRONG
    rows = [line.split() for line in (await cli(database_url, "list")).stdout.splitlines()]
    assert ["sokha", "unit", "police:1203", "disabled"] in rows
    assert ["chan.wg", "working_group", "active"] in rows  # the other account goes on


async def test_reset_password_changes_the_hash_unlocks_and_ends_the_sessions(
    database_url: str, accounts_at: asyncpg.Pool
) -> None:
    database = _Database(accounts_at)
    accounts, sessions = Accounts(database, system_clock, DIGEST), Sessions(database, system_clock)
    signed_in = await accounts.sign_in("sokha", PASSWORD)
    assert not isinstance(signed_in, SignIn)
    token, _ = await sessions.start(signed_in)
    for _ in range(MAX_FAILURES):
        await accounts.sign_in("sokha", "a wrong password")
    assert await accounts.sign_in("sokha", PASSWORD) is SignIn.LOCKED
    listed = await cli(database_url, "list")
    assert any(
        line.split()[:4] == ["sokha", "unit", "police:1203", "locked"] for line in listed.stdout.splitlines()
    )
    hash_before = await accounts_at.fetchval(
        "SELECT password_hash FROM console_accounts WHERE account_id = 'sokha'"
    )

    reset = await cli(database_url, "reset-password", "sokha", "--password-stdin", stdin=f"{NEW_PASSWORD}\n")
    assert reset.returncode == 0, reset.stderr
    assert "sokha: password reset; its sessions ended" in reset.stdout
    row = await accounts_at.fetchrow(
        "SELECT password_hash, failed_sign_ins, locked_until FROM console_accounts WHERE account_id = 'sokha'"
    )
    assert row is not None
    assert row["password_hash"] != hash_before
    assert row["password_hash"].startswith("$argon2id$")
    assert NEW_PASSWORD not in row["password_hash"]
    assert (row["failed_sign_ins"], row["locked_until"]) == (0, None)
    assert await sessions.find(token) is None
    assert await accounts.sign_in("sokha", PASSWORD) is SignIn.WRONG
    assert not isinstance(await accounts.sign_in("sokha", NEW_PASSWORD), SignIn)


async def test_the_commands_refuse_an_unknown_account_and_a_short_password(
    database_url: str, accounts_at: asyncpg.Pool
) -> None:
    disabled = await cli(database_url, "disable", "nobody")
    reset = await cli(database_url, "reset-password", "nobody", "--password-stdin", stdin=f"{NEW_PASSWORD}\n")
    for answer in (disabled, reset):
        assert (answer.returncode, answer.stderr.strip()) == (1, "error: no account 'nobody'")
    short = await cli(database_url, "reset-password", "sokha", "--password-stdin", stdin="short\n")
    assert short.returncode == 1
    assert "at least 10 characters" in short.stderr
    assert not isinstance(
        await Accounts(_Database(accounts_at), system_clock, DIGEST).sign_in("sokha", PASSWORD), SignIn
    )

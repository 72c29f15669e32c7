"""`python -m cli users add|list|disable|reset-password`: the console's accounts (docs/console.md).

Works on the database at ``DATABASE_URL``; the event store's and intake's tables are made first when intake
has not started yet (the migrations intake applies, in its order, under the same advisory lock). Passwords
are read from the terminal (twice), or from standard input with ``--password-stdin`` for scripts; never from
the command line, where other users of the machine would see them.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import uvloop

from cli.case_store import open_pool
from cli.settings import settings_of
from cli.table import render
from services.intake.bootstrap import MIGRATIONS
from services.intake.console.accounts import ROLES, Account, AccountError, Accounts
from services.intake.console.lockout import is_locked
from services.intake.settings import IntakeSettings
from shared.eventstore import EVENT_STORE, migrate
from shared.places.gazetteer import load_gazetteer
from shared.places.units_file import load_units
from shared.service.clock import system_clock


@dataclass(frozen=True)
class _Opened:
    pool: asyncpg.Pool


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("users", help="the console's accounts (at DATABASE_URL)")
    actions = parser.add_subparsers(required=True, dest="action")
    add = actions.add_parser("add", help="make an account")
    add.add_argument("account", help="the account's id, e.g. sokha.police1203 (it signs every action)")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--unit", help="the unit id of a unit account, e.g. police:1203 (UNITS_FILE's units)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(run=lambda args: uvloop.run(_accounts_do(args, "add")))
    listing = actions.add_parser("list", help="every account, its role, unit and state")
    listing.set_defaults(run=lambda args: uvloop.run(_accounts_do(args, "list")))
    disable = actions.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("account")
    disable.set_defaults(run=lambda args: uvloop.run(_accounts_do(args, "disable")))
    reset = actions.add_parser("reset-password", help="a new password; lifts a lock, ends the sessions")
    reset.add_argument("account")
    reset.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    reset.set_defaults(run=lambda args: uvloop.run(_accounts_do(args, "reset-password")))


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise AccountError("the two passwords differ")
    return first


async def _accounts_do(args: argparse.Namespace, action: str) -> int:
    async with open_pool(settings_of(args).database_url) as pool:
        async with pool.acquire() as connection:
            await migrate(connection, [EVENT_STORE, MIGRATIONS])
        accounts = Accounts(_Opened(pool), system_clock, IntakeSettings().digest)
        try:
            return await _do(accounts, args, action)
        except AccountError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1


async def _do(accounts: Accounts, args: argparse.Namespace, action: str) -> int:
    if action == "list":
        rows = [
            [a.account_id, a.role, a.unit_id or "", _state(a, system_clock())] for a in await accounts.list()
        ]
        print(render(["account", "role", "unit", "state"], rows))
        return 0
    if action == "add":
        if args.unit is not None and args.unit not in load_units(
            IntakeSettings().units_file, load_gazetteer()
        ):
            raise AccountError(f"no unit has the id {args.unit!r} (see UNITS_FILE and docs/contract.md)")
        account = await accounts.add(args.account, args.role, args.unit, _password(args.password_stdin))
        of_unit = f" of {account.unit_id}" if account.unit_id else ""
        print(f"added {account.account_id} ({account.role}{of_unit})")
        return 0
    done = (
        await accounts.disable(args.account)
        if action == "disable"
        else await accounts.reset_password(args.account, _password(args.password_stdin))
    )
    if not done:
        print(f"error: no account {args.account!r}", file=sys.stderr)
        return 1
    print(f"{args.account}: {'disabled' if action == 'disable' else 'password reset'}; its sessions ended")
    return 0


def _state(account: Account, now: datetime) -> str:
    if account.disabled:
        return "disabled"
    if is_locked(account.locked_until, now):
        return f"locked until {account.locked_until:%Y-%m-%d %H:%M} UTC"
    return "active"

"""What sign-ins cost and tell (docs/console.md §Security rules), over HTTP against intake on the real
PostgreSQL: password hashing is bounded per process, one client address has an hourly budget of tries, and
a name that is no account locks exactly as a real one does, so the answers do not reveal who has an
account."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import httpx
import pytest

from services.intake.console import accounts
from services.intake.console.lockout import MAX_FAILURES
from services.intake.console.sign_in_budget import PER_IP
from tests.integration.intake.console.browser import PASSWORD, add_account, new_client, sign_in
from tests.integration.intake.harness import Running, running_intake

pytestmark = pytest.mark.integration


@pytest.fixture
async def few_tries(service_env: dict[str, str]) -> AsyncIterator[Running]:
    async with running_intake(service_env, console_sign_ins_per_ip_per_hour=3) as running:
        yield running


def client_at(intake: Running, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=intake.app, client=(address, 4000))
    client = httpx.AsyncClient(transport=transport, base_url="http://intake")
    client.cookies.set("console_lang", "en")
    return client


async def test_an_unknown_name_locks_as_a_real_account_does(intake: Running) -> None:
    await add_account(intake, "sokha", "unit", "police:1203")
    await add_account(intake, "gone", "unit", "police:1203")
    await intake.pool.execute("UPDATE console_accounts SET disabled_at = now() WHERE account_id = 'gone'")
    answers: dict[str, list[int]] = {}
    async with new_client(intake) as client:
        for name in ("sokha", "nobody", "gone"):
            answers[name] = [(await sign_in(client, name, "wrong password")).status_code for _ in range(6)]
        locked = {name: await sign_in(client, name, PASSWORD) for name in answers}
    expected = [401] * (MAX_FAILURES - 1) + [429, 429]
    assert answers == {"sokha": expected, "nobody": expected, "gone": expected}
    shown = {name: (a.status_code, "locked" in a.text) for name, a in locked.items()}
    assert shown == dict.fromkeys(answers, (429, True))
    # The unknown name is kept only as a keyed digest.
    names = await intake.pool.fetch("SELECT name_digest FROM console_sign_in_failures")
    digests = {row["name_digest"] for row in names}
    assert digests == {intake.infra.settings.digest(accounts.UNKNOWN_NAME, n) for n in ("nobody", "gone")}


async def test_one_address_past_its_hour_is_refused_before_any_hashing(few_tries: Running) -> None:
    async with client_at(few_tries, "198.51.100.7") as client:
        codes = [(await sign_in(client, "nobody", "wrong password")).status_code for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        refused = await sign_in(client, "nobody", "wrong password")
        assert refused.status_code == 429
        assert "Too many sign-ins from this network" in refused.text
        assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert few_tries.metric("console_sign_ins_limited_total") == 2
    # The refused tries counted nothing towards the name's lock: they never reached it.
    assert await few_tries.pool.fetchval("SELECT failed_sign_ins FROM console_sign_in_failures") == 3
    counter = await few_tries.pool.fetchrow(
        "SELECT subject, used FROM budget_counters WHERE budget = $1", PER_IP
    )
    assert counter is not None
    assert counter["used"] == 3
    assert "198.51.100.7" not in counter["subject"]
    # Another address has its own budget; another address of one IPv6 /64 does not.
    async with client_at(few_tries, "203.0.113.9") as other:
        assert (await sign_in(other, "nobody", "wrong password")).status_code == 401
    v6 = [f"2001:db8:5:6::{n}" for n in range(1, 5)]
    codes = []
    for address in v6:
        async with client_at(few_tries, address) as client:
            codes.append((await sign_in(client, f"nobody-{address}", "wrong password")).status_code)
    assert codes == [401, 401, 401, 429]


async def test_password_hashing_is_bounded_whatever_the_number_of_sign_ins(
    intake: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside, most = 0, 0
    lock = threading.Lock()
    real_verify = accounts._verify

    def counted_verify(password_hash: str, password: str) -> bool:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        try:
            return real_verify(password_hash, password)
        finally:
            with lock:
                inside -= 1

    monkeypatch.setattr(accounts, "_verify", counted_verify)
    await add_account(intake, "sokha", "unit", "police:1203")
    tries = accounts.HASHING_SLOTS * 4
    async with new_client(intake) as client:
        answers = await asyncio.gather(
            *(sign_in(client, "sokha" if n % 2 else f"nobody-{n}", f"wrong {n}") for n in range(tries))
        )
    assert sorted({answer.status_code for answer in answers}) <= [401, 429]
    assert 1 <= most <= accounts.HASHING_SLOTS

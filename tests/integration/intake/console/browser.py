"""A signed-in console user over HTTP, for the console's integration tests: cookies kept by the client,
the CSRF token read from the page the way a browser's form would send it."""

from __future__ import annotations

import re
import uuid

import httpx

from services.intake.console.accounts import Accounts
from shared.service.clock import system_clock
from tests.integration.intake.harness import Running

PASSWORD = "correct horse battery"
_HIDDEN = re.compile(r'name="(csrf|form_id|seen_version)" value="([^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    """The first value of each hidden field the console's forms carry."""
    found: dict[str, str] = {}
    for name, value in _HIDDEN.findall(html):
        found.setdefault(name, value)
    return found


async def add_account(intake: Running, account_id: str, role: str, unit_id: str | None = None) -> None:
    await Accounts(intake.infra.database, system_clock, intake.infra.settings.digest).add(
        account_id, role, unit_id, PASSWORD
    )


def new_client(intake: Running) -> httpx.AsyncClient:
    """A client of its own (its own cookies), reading English pages."""
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=intake.app), base_url="http://intake")
    client.cookies.set("console_lang", "en")
    return client


async def sign_in(client: httpx.AsyncClient, account_id: str, password: str = PASSWORD) -> httpx.Response:
    form = await client.get("/console/sign-in")
    token = hidden_fields(form.text)["csrf"]
    return await client.post(
        "/console/sign-in", data={"csrf": token, "account": account_id, "password": password, "next": ""}
    )


async def act(
    client: httpx.AsyncClient, case_id: uuid.UUID, action: str, page: str | None = None, **fields: str
) -> httpx.Response:
    """Post ``action`` with the hidden fields of ``page`` (the case page as loaded now, when not given)."""
    html = page if page is not None else (await client.get(f"/console/cases/{case_id}")).text
    return await client.post(f"/console/cases/{case_id}/{action}", data={**hidden_fields(html), **fields})

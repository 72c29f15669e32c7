"""Intake's HTTP API (docs/contract.md §HTTP) as the tool uses it.

File a complaint, act on a case as a responder.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx

from services.devsms.citizen import text_as_citizen

DEV_TOKEN_PREFIX = "dev-"
WORKING_GROUP = "moi-working-group"


class ApiRefusedError(Exception):
    """Intake answered something other than success: its status, ``detail`` and every field problem."""

    def __init__(self, status: int, body: Any) -> None:
        detail = body.get("detail", "") if isinstance(body, dict) else str(body)
        problems = body.get("errors", []) if isinstance(body, dict) else []
        listed = "; ".join(f"{p.get('field') or '(body)'}: {p.get('message')}" for p in problems)
        super().__init__(f"{status} {detail}" + (f" ({listed})" if listed else ""))
        self.status = status


@dataclass(frozen=True, slots=True)
class Filed:
    case_id: UUID
    reference: str


def dev_token(unit_id: str) -> str:
    """The plain dev token of a unit in deploy/dev-tokens.yaml: ``dev-`` and the id with ``:`` as ``-``.

    The working group's unit (``moi-working-group``) answers with the working group's token.
    """
    name = "working-group" if unit_id == WORKING_GROUP else unit_id.replace(":", "-")
    return DEV_TOKEN_PREFIX + name


class IntakeApi:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    @classmethod
    @asynccontextmanager
    async def connect(cls, base_url: str) -> AsyncIterator[IntakeApi]:
        async with httpx.AsyncClient(base_url=base_url, timeout=30.0) as client:
            yield cls(client)

    async def file(self, body: Mapping[str, Any], idempotency_key: str | None = None) -> Filed:
        """``POST /v1/complaints``: the case id and reference of the filed (or already filed) complaint."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        answer = _ok(await self._client.post("/v1/complaints", json=dict(body), headers=headers))
        return Filed(UUID(answer["case_id"]), answer["reference"])

    async def command(
        self, case_id: UUID, name: str, token: str, body: Mapping[str, Any], idempotency_key: str
    ) -> dict[str, Any]:
        """``POST /v1/cases/{case_id}/{name}`` as the principal of ``token``: what the command stored."""
        answer = await self._client.post(
            f"/v1/cases/{case_id}/{name}",
            json=dict(body),
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": idempotency_key},
        )
        return _ok(answer)

    async def text(self, sender: str, body: str, auth_token: str) -> str:
        """Text ``body`` from ``sender`` to ``POST /webhooks/sms`` as the provider would (signed with
        ``auth_token`` when there is one); the words intake answered."""
        url = f"{str(self._client.base_url).rstrip('/')}/webhooks/sms"
        exchange = await text_as_citizen(self._client, url, auth_token, sender, body)
        if exchange.status != 200:
            raise ApiRefusedError(exchange.status, exchange.answer)
        return exchange.answer

    async def public_status(self, reference: str) -> dict[str, Any] | None:
        """``GET /v1/cases/{reference}``, or None while the case is unknown."""
        answer = await self._client.get(f"/v1/cases/{reference}")
        return None if answer.status_code == 404 else _ok(answer)


def _ok(answer: httpx.Response) -> dict[str, Any]:
    if answer.is_success:
        body: dict[str, Any] = answer.json()
        return body
    try:
        detail: Any = answer.json()
    except ValueError:
        detail = answer.text
    raise ApiRefusedError(answer.status_code, detail)

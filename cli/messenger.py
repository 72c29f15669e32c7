"""The dev Messenger gateway as the tool uses it (docs/contract.md §The dev Messenger gateway (port 8026)).

Write to the page as a citizen (the gateway signs it and posts it to intake's webhook, as Meta would),
and read what the page sent each citizen.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import httpx

from cli.intake_api import ApiRefusedError


class MessengerGateway:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    @classmethod
    @asynccontextmanager
    async def connect(cls, base_url: str) -> AsyncIterator[MessengerGateway]:
        async with httpx.AsyncClient(base_url=base_url, timeout=30.0) as client:
            yield cls(client)

    async def write(self, psid: str, text: str, mid: str | None = None) -> str:
        """``text`` from ``psid`` to the page; the message's ``mid`` once intake has taken it.

        The same ``mid`` again is Meta's retry, so a write that failed may be sent again as it was.
        """
        body: dict[str, Any] = {"text": text} | ({"mid": mid} if mid else {})
        answer = await self._client.post(f"/citizens/{psid}/messages", json=body)
        if not answer.is_success:
            raise ApiRefusedError(answer.status_code, answer.text[:200])
        relayed: dict[str, Any] = answer.json()
        # The gateway answers 200 whatever intake said: intake's status is in the body (None: unreachable).
        if relayed.get("status") != 200:
            raise ApiRefusedError(relayed.get("status") or 0, relayed.get("detail", ""))
        return str(relayed["mid"])

    async def received(self, psids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """What the page sent each of ``psids`` (``text``, ``at``, ``detail``: the messaging type), oldest
        first."""
        sent: dict[str, list[dict[str, Any]]] = {}
        for psid in psids:
            answer = await self._client.get("/messages", params={"psid": psid})
            answer.raise_for_status()
            sent[psid] = answer.json()
        return sent

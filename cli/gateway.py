"""The dev SMS gateway's record of what it was asked to send.

Read from ``GET /messages`` (docs/contract.md §SMS out).
"""

from __future__ import annotations

from typing import Any

import httpx


async def messages_to(base_url: str, phones: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Every message the gateway accepted for each of ``phones`` (E.164), oldest first."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30.0) as client:
        answer = await client.get("/messages")
        answer.raise_for_status()
    listed: list[dict[str, Any]] = answer.json()
    received: dict[str, list[dict[str, Any]]] = {phone: [] for phone in phones}
    for message in listed:
        if message.get("to") in received:
            received[message["to"]].append(message)
    return received

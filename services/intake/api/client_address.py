"""Who is asking, for the per-address complaint budget (docs/contract.md §Privacy budgets)."""

from __future__ import annotations

from fastapi import Request


def client_address(request: Request) -> str | None:
    """The socket peer's address. Behind a proxy that is the proxy's, unless ``FORWARDED_ALLOW_IPS`` names
    it: then uvicorn puts the client its X-Forwarded-For names here instead."""
    return request.client.host if request.client else None

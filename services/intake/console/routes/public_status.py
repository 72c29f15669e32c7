"""The citizens' status page by reference: mobile-first, no personal data, no complaint text (the view
behind ``GET /v1/cases/{reference}``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

if TYPE_CHECKING:
    from services.intake.console.app import Console


def router(console: Console) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    pages = console.pages

    @routes.get("/status/")
    @routes.get("/status")
    async def lookup(request: Request, reference: str = "") -> Response:
        wanted = "".join(reference.split()).upper()
        if wanted.isalnum() and len(wanted) <= 20:
            return RedirectResponse(f"/status/{wanted}", status_code=303)
        return pages.render(request, "status_lookup.html", not_found=False)

    @routes.get("/status/{reference}")
    async def status(request: Request, reference: str) -> Response:
        found = await console.intake.queries.public_status(reference) if len(reference) <= 20 else None
        if found is None:
            return pages.render(request, "status_lookup.html", status=404, not_found=True)
        return pages.render(request, "status.html", case=found)

    return routes

"""A unit's inbox: its open cases, most urgent first; the rows are also a fragment the page polls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.intake.console.access import inbox_unit
from services.intake.console.guard import ForbiddenError

if TYPE_CHECKING:
    from services.intake.console.app import Console

REFRESH_MS = 5000  # how often the page asks for its rows again


def router(console: Console) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    pages, guard = console.pages, console.guard

    async def inbox(request: Request, template: str, *, fragment: bool) -> Response:
        session = await guard.session(request, fragment=fragment)
        unit_id = inbox_unit(session.account)
        if unit_id is None:
            raise ForbiddenError(f"a {session.account.role} account has no inbox")
        cases = await console.inbox.cases(unit_id)
        return pages.render(
            request, template, session=session, cases=cases, unit_id=unit_id, refresh_ms=REFRESH_MS
        )

    @routes.get("/console/inbox")
    async def page(request: Request) -> Response:
        return await inbox(request, "inbox.html", fragment=False)

    @routes.get("/console/inbox/rows")
    async def rows(request: Request) -> Response:
        return await inbox(request, "_inbox_rows.html", fragment=True)

    return routes

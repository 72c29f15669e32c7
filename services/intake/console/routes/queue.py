"""The working group's queue: triage and level 2, oldest first, filtered by province, category and age."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.intake.console.guard import ForbiddenError
from services.intake.console.queue_filters import AGES, CATEGORIES, read_filter

if TYPE_CHECKING:
    from services.intake.console.app import Console


def router(console: Console) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    pages, guard = console.pages, console.guard
    provinces = [province.iso for province in console.gazetteer.provinces()]

    @routes.get("/console/queue")
    async def queue(request: Request) -> Response:
        session = await guard.session(request)
        if session.account.role != "working_group":
            raise ForbiddenError("only the working group has the queue")
        chosen = read_filter(request.query_params, set(provinces))
        cases = await console.queue.cases(chosen, console.clock())
        return pages.render(
            request, "queue.html", session=session, cases=cases, chosen=chosen, provinces=provinces,
            categories=CATEGORIES, ages=AGES,
        )  # fmt: skip

    return routes

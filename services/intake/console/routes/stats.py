"""The working group's statistics page: open cases, answer times by unit and breaches by level."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.intake.console.guard import ForbiddenError
from services.intake.console.statistics import CLOCKS, SMALL
from services.intake.console.stats_page import Labels, figures

if TYPE_CHECKING:
    from services.intake.console.app import Console

ROLES = ("working_group", "ops")


def router(console: Console) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    pages, guard = console.pages, console.guard

    @routes.get("/console/stats")
    async def stats(request: Request) -> Response:
        session = await guard.session(request)
        if session.account.role not in ROLES:
            raise ForbiddenError("the statistics are the working group's and ops'")
        read = await console.stats.read(console.clock())
        context = pages.context(request, session)
        labels = Labels(context["t"], context["number"], context["place_name"], context["unit_name"])
        return pages.render(
            request, "stats.html", session=session, stats=read, figures=figures(read, labels),
            median=labels.median, clocks=CLOCKS, small=SMALL,
        )  # fmt: skip

    return routes

"""The console inside intake's app: what its pages need, built once by intake's bootstrap, and the
routes, static files and error pages installed on the app (docs/architecture.md §Layout)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from services.intake.console.accounts import Accounts
from services.intake.console.catalogue import Catalogue
from services.intake.console.guard import (
    ForbiddenError,
    Guard,
    NotFoundError,
    SignInNeededError,
    StaleFormError,
    sign_in_path,
)
from services.intake.console.pages import Pages
from services.intake.console.queries.case import CaseQuery
from services.intake.console.queries.inbox import InboxQuery
from services.intake.console.queries.queue import QueueQuery
from services.intake.console.queries.stats import StatsQuery
from services.intake.console.routes import case, inbox, public_status, queue, signin, stats
from services.intake.console.sessions import Sessions
from services.intake.console.sign_in_budget import SignInBudget
from services.intake.console.unit_search import UnitFinder
from services.intake.service import Intake
from services.intake.sla_deadlines import SlaDeadlines
from shared.eventstore import HasPool, PostgresEventStore
from shared.places.gazetteer import Gazetteer
from shared.privacy import KeyedDigest
from shared.service.clock import Clock

STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True)
class Console:
    """Everything a console route uses, handed to each route module."""

    intake: Intake
    pages: Pages
    guard: Guard
    accounts: Accounts
    sign_in_budget: SignInBudget
    inbox: InboxQuery
    case: CaseQuery
    queue: QueueQuery
    stats: StatsQuery
    finder: UnitFinder
    gazetteer: Gazetteer
    clock: Clock

    @classmethod
    def build(
        cls, intake: Intake, database: HasPool, clock: Clock, *, digest: KeyedDigest, sign_ins_per_ip: int
    ) -> Console:
        deadlines = SlaDeadlines(database)
        return cls(
            intake=intake,
            pages=Pages(Catalogue.load(), intake.gazetteer, intake.units, clock),
            guard=Guard(Sessions(database, clock)),
            accounts=Accounts(database, clock, digest),
            sign_in_budget=SignInBudget(
                database, digest, intake.metrics.sign_ins_limited, clock, per_ip=sign_ins_per_ip
            ),
            inbox=InboxQuery(database, deadlines),
            case=CaseQuery(PostgresEventStore(database), database, deadlines),
            queue=QueueQuery(database, deadlines),
            stats=StatsQuery(database),
            finder=UnitFinder(intake.units),
            gazetteer=intake.gazetteer,
            clock=clock,
        )


def install(app: FastAPI, console: Console) -> None:
    """The console's and the status page's routes, ``/console/static/``, and its error pages."""
    for module in (signin, inbox, case, queue, stats, public_status):
        app.include_router(module.router(console))
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")

    async def sign_in_needed(request: Request, error: Exception) -> Response:
        assert isinstance(error, SignInNeededError)
        if error.fragment:
            return Response(status_code=401)
        return RedirectResponse(sign_in_path(error.back_to), status_code=303)

    def error_page(status: int, key: str) -> Callable[[Request, Exception], Awaitable[Response]]:
        async def page(request: Request, _: Exception) -> Response:
            return console.pages.render(request, "error.html", status=status, message_key=key)

        return page

    app.add_exception_handler(SignInNeededError, sign_in_needed)
    app.add_exception_handler(ForbiddenError, error_page(403, "error.403"))
    app.add_exception_handler(NotFoundError, error_page(404, "error.404"))
    app.add_exception_handler(StaleFormError, error_page(403, "error.csrf"))

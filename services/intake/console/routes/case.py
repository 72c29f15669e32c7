"""The case page and its actions, each one of intake's commands with the account as the actor; and the
unit picker's search, a fragment of the assign form."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.intake.case_commands import ContendedError, KeyReusedError
from services.intake.console.access import may_view, responder_of
from services.intake.console.actions import allowed
from services.intake.console.case_forms import ACTIONS, VERDICTS, FormProblemError, command_of
from services.intake.console.guard import ForbiddenError, NotFoundError
from services.intake.console.sessions import Session, new_token
from services.intake.console.timeline import conversation, entries
from services.intake.console.urgency import Words
from services.intake.domain.case import CaseState
from services.intake.domain.commands import NotNowError, NotYoursError
from shared.events import Envelope

if TYPE_CHECKING:
    from services.intake.console.app import Console


def router(console: Console) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    pages, guard = console.pages, console.guard

    async def viewable(case_id: UUID, session: Session) -> tuple[CaseState, list[Envelope]]:
        found = await console.case.state(case_id)
        if found is None:
            raise NotFoundError(str(case_id))
        if not may_view(session.account, found[0]):
            raise ForbiddenError(f"case {case_id} is not for {session.account.account_id}")
        return found

    async def case_page(
        request: Request,
        session: Session,
        state: CaseState,
        events: list[Envelope],
        *,
        status: int = 200,
        message: tuple[str, str] | None = None,
    ) -> Response:
        record = await console.case.record(state, events)
        query = request.query_params.get("unit_q", "").strip()
        return pages.render(
            request, "case.html", session=session, status=status, record=record, case=state,
            timeline=entries(events), said=conversation(events),
            actions=allowed(state, responder_of(session.account)), verdicts=VERDICTS,
            unit_q=query, units_found=console.finder.find(query), form_id=new_token(), message=message,
        )  # fmt: skip

    @routes.get("/console/cases/{case_id}")
    async def show(request: Request, case_id: UUID) -> Response:
        session = await guard.session(request)
        state, events = await viewable(case_id, session)
        done = request.query_params.get("done")
        message = ("done", pages.words(request)(f"done.{done}")) if done in ACTIONS else None
        return await case_page(request, session, state, events, message=message)

    @routes.post("/console/cases/{case_id}/{action}")
    async def act(request: Request, case_id: UUID, action: str) -> Response:
        if action not in ACTIONS:
            raise NotFoundError(action)
        session = await guard.session(request)
        form = {key: str(value) for key, value in (await guard.form(request, session)).items()}
        state, events = await viewable(case_id, session)
        try:
            command = command_of(action, form, console.intake.assignment)
        except FormProblemError as problem:
            message = ("error", pages.words(request)(problem.key))
            return await case_page(request, session, state, events, status=422, message=message)
        form_id = form.get("form_id") or new_token()
        try:
            await console.intake.commands.handle(
                case_id, command, responder_of(session.account), f"console:{form_id}"
            )
        except (NotNowError, NotYoursError, KeyReusedError) as refused:
            state, events = await viewable(case_id, session)  # the case as it is now, if still theirs
            seen = int(form["seen_version"]) if form.get("seen_version", "").isdigit() else state.version
            message = _refusal(pages.words(request), action, state, events, seen=seen, refused=refused)
            return await case_page(request, session, state, events, status=409, message=message)
        except ContendedError:
            message = ("error", pages.words(request)("refused.busy"))
            return await case_page(request, session, state, events, status=503, message=message)
        return RedirectResponse(f"/console/cases/{case_id}?done={action}", status_code=303)

    @routes.get("/console/units")
    async def units(request: Request, q: str = "") -> Response:
        session = await guard.session(request, fragment=True)
        if session.account.role != "working_group":
            raise ForbiddenError("only the working group assigns cases")
        return pages.render(
            request, "_unit_choices.html", session=session, units_found=console.finder.find(q)
        )

    return routes


def _refusal(
    words: Words, action: str, state: CaseState, events: list[Envelope], *, seen: int, refused: Exception
) -> tuple[str, str]:
    """The message for a refused action: someone else acted since the page was shown, or the case is
    not the account's now, or the lifecycle forbids the action."""
    later = [e for e in events if e.version > seen and e.actor.kind in ("unit", "working_group", "citizen")]
    if later:
        last = later[-1]
        who = words("actor.citizen") if last.actor.kind == "citizen" else last.actor.id
        what = f"{words(f'event.{last.type}')} ({words('by', actor=who)})"
        return ("error", words("refused.conflict", what=what))
    if isinstance(refused, NotYoursError):
        return ("error", words("refused.not_yours"))
    status, doing = words(f"status.{state.status}"), words(f"action.{action}")
    return ("error", words("refused.not_now", status=status, action=doing))

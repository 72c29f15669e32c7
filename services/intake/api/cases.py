"""Responder and working-group endpoints (docs/contract.md §HTTP).

Commands on a case, a unit's inbox, the escalations queue.
"""

# No `from __future__ import annotations`: FastAPI must see the route-local `Caller` type at runtime.

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query
from pydantic import BaseModel, ConfigDict, Field

from services.intake.api.auth import authenticator, responder_of
from services.intake.api.errors import ApiError, responses
from services.intake.case_commands import CaseNotFoundError, ContendedError, KeyReusedError
from services.intake.domain.commands import (
    Acknowledge,
    Command,
    NotNowError,
    NotYoursError,
    RecordVerdict,
    Refuse,
    RequestInfo,
    Resolve,
)
from services.intake.domain.problems import Problem
from services.intake.service import Intake, UnknownUnitError
from services.intake.tokens import Principal, TokenBook
from services.intake.views import CommandDone, InboxCase, QueueCase
from shared.events.types import Verdict
from shared.places.units import WORKING_GROUP

IdempotencyKey = Annotated[
    str | None,
    Header(max_length=200, description="Names the command: a retry with the same key changes nothing"),
]
Limit = Annotated[int, Query(ge=1, le=500, description="At most this many cases, oldest first")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Note(_Body):
    note: str = Field(default="", max_length=2000)


class Question(_Body):
    question: str = Field(min_length=1, max_length=160, description="Sent to the citizen by SMS")


class VerdictBody(_Body):
    verdict: Verdict
    note: str = Field(default="", max_length=2000)


class AssignBody(_Body):
    unit_id: str = Field(
        min_length=1, max_length=100, description="e.g. police:1203 or provincial-hall:KH-12"
    )
    reason: str = Field(default="Assigned by the working group", min_length=1, max_length=500)


_COMMAND = responses(400, 401, 403, 404, 409, 413, 422, 503)


def cases_router(intake: Intake, tokens: TokenBook) -> APIRouter:
    router = APIRouter(tags=["responders"])
    Caller = Annotated[Principal, Depends(authenticator(tokens))]  # noqa: N806 (a type alias)

    async def run(case_id: UUID, command: Command, caller: Principal, key: str | None) -> CommandDone:
        try:
            done = await intake.commands.handle(case_id, command, responder_of(caller), key)
        except CaseNotFoundError as error:
            raise ApiError(404, str(error)) from None
        except NotYoursError as error:
            raise ApiError(403, str(error)) from None
        except (NotNowError, KeyReusedError) as error:
            raise ApiError(409, str(error)) from None
        except ContendedError as error:
            raise ApiError(503, str(error), headers={"Retry-After": "1"}) from None
        event = done.event
        return CommandDone(
            case_id=event.case_id,
            event_id=event.event_id,
            type=event.type,
            version=event.version,
            status=done.status,
            replayed=done.replayed,
        )

    @router.post(
        "/v1/cases/{case_id}/acknowledge",
        summary="The unit holding the case acknowledges it",
        response_model=CommandDone,
        responses=_COMMAND,
    )
    async def acknowledge(
        case_id: UUID, caller: Caller, body: Note | None = None, idempotency_key: IdempotencyKey = None
    ) -> CommandDone:
        return await run(case_id, Acknowledge(note=(body or Note()).note), caller, idempotency_key)

    @router.post(
        "/v1/cases/{case_id}/resolve",
        summary="The unit holding the case resolves it",
        response_model=CommandDone,
        responses=_COMMAND,
    )
    async def resolve(
        case_id: UUID, caller: Caller, body: Note | None = None, idempotency_key: IdempotencyKey = None
    ) -> CommandDone:
        return await run(case_id, Resolve(note=(body or Note()).note), caller, idempotency_key)

    @router.post(
        "/v1/cases/{case_id}/refuse",
        summary="The unit holding the case refuses it (it escalates)",
        response_model=CommandDone,
        responses=_COMMAND,
    )
    async def refuse(
        case_id: UUID, caller: Caller, body: Note | None = None, idempotency_key: IdempotencyKey = None
    ) -> CommandDone:
        return await run(case_id, Refuse(note=(body or Note()).note), caller, idempotency_key)

    @router.post(
        "/v1/cases/{case_id}/request-info",
        summary="Ask the citizen for more (pauses the SLA)",
        response_model=CommandDone,
        responses=_COMMAND,
    )
    async def request_info(
        case_id: UUID, caller: Caller, body: Question, idempotency_key: IdempotencyKey = None
    ) -> CommandDone:
        return await run(case_id, RequestInfo(question=body.question), caller, idempotency_key)

    @router.post(
        "/v1/cases/{case_id}/verdict",
        summary="The working group records whether the report is true",
        response_model=CommandDone,
        responses=_COMMAND,
        tags=["working group"],
    )
    async def verdict(
        case_id: UUID, caller: Caller, body: VerdictBody, idempotency_key: IdempotencyKey = None
    ) -> CommandDone:
        return await run(
            case_id, RecordVerdict(verdict=body.verdict, note=body.note), caller, idempotency_key
        )

    @router.post(
        "/v1/cases/{case_id}/assign",
        summary="The working group assigns a case at any level, or in triage, to a unit",
        response_model=CommandDone,
        responses=_COMMAND,
        tags=["working group"],
    )
    async def assign(
        case_id: UUID, caller: Caller, body: AssignBody, idempotency_key: IdempotencyKey = None
    ) -> CommandDone:
        try:
            command = intake.assignment(body.unit_id, body.reason)
        except UnknownUnitError as error:
            raise ApiError(
                422, "the unit is not known", [Problem("unit_id", str(error), "invalid_field")]
            ) from None
        return await run(case_id, command, caller, idempotency_key)

    @router.get(
        "/v1/inbox",
        summary="The caller unit's open cases, with the citizens' contacts",
        response_model=list[InboxCase],
        responses=responses(401, 403),
    )
    async def inbox(caller: Caller, limit: Limit = 100) -> list[InboxCase]:
        unit_id = WORKING_GROUP if caller.role == "working_group" else caller.unit_id
        if unit_id is None:
            raise ApiError(403, f"a {caller.role} token has no inbox")
        return await intake.queries.inbox(unit_id, limit)

    @router.get(
        "/v1/escalations",
        summary="The working group's queue: triage and level 2, oldest first",
        response_model=list[QueueCase],
        responses=responses(401, 403),
        tags=["working group"],
    )
    async def escalations(caller: Caller, limit: Limit = 100) -> list[QueueCase]:
        if caller.role != "working_group":
            raise ApiError(403, "only the working group sees the escalations queue")
        return await intake.queries.escalations(limit)

    return router

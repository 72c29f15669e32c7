"""``POST /v1/complaints`` (the web form) and ``GET /v1/cases/{reference}`` (public status): no token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from services.intake.api.client_address import client_address
from services.intake.api.errors import ApiError, responses
from services.intake.batcher import StoppingError
from services.intake.domain.problems import Problem
from services.intake.domain.submission import SubmissionError, WebSubmission
from services.intake.service import Intake
from services.intake.submissions import LimitedError
from services.intake.views import Accepted, PublicStatus
from shared.service.body_limit import BodyTooLargeError
from shared.service.retry import is_transient

IdempotencyKey = Annotated[
    str | None,
    Header(
        max_length=200,
        description="Names the submission (its channel_message_id when the body has none): a retry "
        "with the same key files nothing new and answers the same case",
    ),
]


def complaints_router(intake: Intake) -> APIRouter:
    router = APIRouter(tags=["complaints"])

    @router.post(
        "/v1/complaints",
        status_code=202,
        summary="File a complaint from the web form",
        description="A ChannelSubmission (docs/contract.md §Submissions) without `channel`: it is `web`. "
        "Every field problem is listed in one 422 answer. Filing the same `channel_message_id` "
        "(or Idempotency-Key) again answers the case filed the first time.",
        response_model=Accepted,
        responses=responses(400, 413, 422, 429, 503),
        openapi_extra={
            "requestBody": {"required": True, "content": {"application/json": {"schema": _schema()}}}
        },
    )
    async def file_complaint(request: Request, idempotency_key: IdempotencyKey = None) -> JSONResponse:
        try:
            body = await request.body()
        except BodyTooLargeError as error:
            raise _too_large(intake, error) from None
        try:
            filed = await intake.submissions.file_web(body, idempotency_key, client_address(request))
        except SubmissionError as rejected:
            not_json = rejected.problems[0].reason == "not_json"
            status, detail = (400, "the body is not JSON") if not_json else (422, "the complaint is invalid")
            raise ApiError(status, detail, rejected.problems) from None
        except LimitedError as limited:
            raise ApiError(
                429, "too many complaints from this phone or address this hour; retry later",
                headers={"Retry-After": limited.retry_after},
            ) from None  # fmt: skip
        except Exception as error:
            if isinstance(error, StoppingError) or is_transient(error):
                raise ApiError(
                    503, "intake cannot file right now; retry", headers={"Retry-After": "1"}
                ) from None
            raise
        accepted = Accepted(case_id=filed.case_id, reference=filed.reference)
        return JSONResponse(accepted.model_dump(mode="json"), status_code=202)

    @router.get(
        "/v1/cases/{reference}",
        summary="A case's public status",
        description="No personal data and no complaint text; for a confidential case `assigned_unit` is "
        "null and only `escalation_level` shows how far it went. New cases appear within moments of "
        "their filing.",
        response_model=PublicStatus,
        responses=responses(404),
    )
    async def case_status(reference: str) -> PublicStatus:
        status = await intake.queries.public_status(reference)
        if status is None:
            raise ApiError(404, "no case has this reference")
        return status

    return router


def _too_large(intake: Intake, error: BodyTooLargeError) -> ApiError:
    problem = Problem(None, error.detail, "too_large")
    intake.submissions.refuse_web(problem)
    return ApiError(413, problem.message, [problem])


def _schema() -> dict[str, Any]:
    """The JSON schema of the body with its definitions inlined (OpenAPI has no ``$defs``)."""
    schema = WebSubmission.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(definitions[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    inlined: dict[str, Any] = inline(schema)
    return inlined

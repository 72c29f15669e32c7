"""One error body for every 4xx and 5xx intake answers, and the OpenAPI description of each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.intake.domain.problems import Problem


class FieldProblem(BaseModel):
    field: str | None
    message: str


class ErrorBody(BaseModel):
    """``detail`` says what went wrong; ``errors`` lists every field problem (422) or the JSON error (400)."""

    detail: str
    errors: list[FieldProblem] = []


class ApiError(Exception):
    """An answer other than success, raised from a route."""

    def __init__(
        self,
        status: int,
        detail: str,
        problems: Sequence[Problem] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.problems = problems
        self.headers = headers

    def response(self) -> JSONResponse:
        body = ErrorBody(
            detail=self.detail, errors=[FieldProblem(field=p.field, message=p.message) for p in self.problems]
        )
        return JSONResponse(body.model_dump(), status_code=self.status, headers=self.headers)


_MEANING = {
    400: "The body is not JSON",
    401: "No bearer token, or one that is not known",
    403: "The token's principal may not do this (another unit's case, or another role)",
    404: "No such case",
    409: "The case's status forbids this now, or the Idempotency-Key names another command",
    413: "The body is larger than 64 KiB",
    422: "Fields are missing or invalid: every one is listed",
    503: "Intake cannot reach its database right now; retry with the same Idempotency-Key",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of a route answering ``statuses`` besides success."""
    return {status: {"model": ErrorBody, "description": _MEANING[status]} for status in statuses}


def install(app: FastAPI) -> None:
    """Answer ApiError and FastAPI's own validation errors with :class:`ErrorBody`."""

    async def api_error(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ApiError)
        return error.response()

    async def invalid(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        details = list(error.errors())
        if any(detail.get("type") == "json_invalid" for detail in details):
            return ApiError(
                400, "the body is not JSON", [Problem(None, "not valid JSON", "not_json")]
            ).response()
        problems = [
            Problem(".".join(str(p) for p in detail.get("loc", ()) if p != "body") or None,
                    str(detail.get("msg", "invalid")), "invalid_field")
            for detail in details
        ]  # fmt: skip
        return ApiError(422, "the request is invalid", problems).response()

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, invalid)

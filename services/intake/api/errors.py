"""One error body for every 4xx and 5xx intake answers, and the OpenAPI description of each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.intake.domain.problems import Problem
from shared.service.body_limit import BodyTooLargeError


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
    413: "The body is larger than HTTP_MAX_BODY_BYTES (64 KiB unless set)",
    422: "Fields are missing or invalid: every one is listed",
    429: "Too many new complaints from this phone or client address this hour; Retry-After says when to "
    "retry",
    503: "Intake cannot reach its database right now; retry with the same Idempotency-Key",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of a route answering ``statuses`` besides success."""
    return {status: {"model": ErrorBody, "description": _MEANING[status]} for status in statuses}


def install(app: FastAPI) -> None:
    """Answer ApiError, FastAPI's own validation errors and bodies over the limit with :class:`ErrorBody`,
    and document FastAPI's 422 answers as what they are."""

    async def api_error(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ApiError)
        return error.response()

    async def too_large(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, BodyTooLargeError)
        return ApiError(413, error.detail, [Problem(None, error.detail, "too_large")]).response()

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
    app.add_exception_handler(BodyTooLargeError, too_large)
    _document_validation_errors(app)


def _document_validation_errors(app: FastAPI) -> None:
    """FastAPI documents every 422 as its own ``HTTPValidationError``; intake answers them with
    :class:`ErrorBody` (``invalid`` above), so the OpenAPI says so."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name in ("ErrorBody", "FieldProblem"):
            components.setdefault(name, _ERROR_SCHEMAS[name])
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                answer = operation.get("responses", {}).get("422")
                if answer is not None and "HTTPValidationError" in str(answer):
                    operation["responses"]["422"] = {
                        "description": _MEANING[422],
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}
                        },
                    }
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


_ERROR_SCHEMAS = {
    "ErrorBody": ErrorBody.model_json_schema(
        ref_template="#/components/schemas/{model}", mode="serialization"
    ),
    "FieldProblem": FieldProblem.model_json_schema(mode="serialization"),
}
_ERROR_SCHEMAS["ErrorBody"].pop("$defs", None)

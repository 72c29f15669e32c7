"""The Open311 GeoReport v2 endpoints (docs/open311.md): each in XML and JSON, errors in the standard's
shape in the format asked for (XML when the format is not one of the two).

Query parameters and form fields are read as plain strings and checked by the domain, so that every
problem is answered as an Open311 error rather than as FastAPI's validation error.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from services.intake.api.client_address import client_address
from services.intake.api.open311 import views
from services.intake.api.open311.errors import Open311Error
from services.intake.api.open311.form import RequestForm, read_form
from services.intake.api.open311.render import FORMATS, Format, respond
from services.intake.batcher import StoppingError
from services.intake.domain.open311_filters import FilterError, request_filter
from services.intake.domain.open311_request import CHANNEL, parse_request
from services.intake.domain.open311_services import BY_CODE, attributes
from services.intake.domain.point_location import PointLocator
from services.intake.domain.problems import Problem
from services.intake.domain.submission import SubmissionError
from services.intake.landmarks import load_landmarks
from services.intake.open311_queries import Open311Queries
from services.intake.service import Intake
from services.intake.submissions import LimitedError
from services.intake.tokens import Principal, TokenBook
from shared.eventstore import HasPool
from shared.service.clock import Clock
from shared.service.retry import is_transient

PREFIX = "/open311/v2"
MAX_KEY = 100
_FORMAT = "`xml` (the standard's required format) or `json`"
_ERROR_LIST = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "required": ["code", "description"],
    },
}
_MEANING = {
    400: "A parameter or form field is invalid: one error each",
    403: "api_key is not a channel key",
    404: "No such item, or the format is neither xml nor json",
    413: "The body is larger than HTTP_MAX_BODY_BYTES",
    429: "Too many new requests from this phone or client address this hour (Retry-After)",
    503: "Intake cannot reach its database right now; retry",
}
Fmt = Annotated[str, Path(description=f"Format: {_FORMAT}", json_schema_extra={"enum": ["xml", "json"]})]


def _responses(*errors: int, success: tuple[int, ...] = (200,)) -> dict[int | str, dict[str, Any]]:
    """Each answer in both formats; errors in the standard's shape (in XML ``<errors><error>``)."""
    answers: dict[int | str, dict[str, Any]] = {
        status: {"content": {"text/xml": {}, "application/json": {}}} for status in success
    }
    for status in (404, 503, *errors):
        answers[status] = {
            "description": _MEANING[status],
            "content": {"text/xml": {}, "application/json": {"schema": _ERROR_LIST}},
        }
    return answers


def open311_router(intake: Intake, tokens: TokenBook, database: HasPool, clock: Clock) -> APIRouter:
    """The routes, over intake's filing use case and the case status projection."""
    router = APIRouter(prefix=PREFIX, tags=["open311"])
    locator = PointLocator(load_landmarks(intake.gazetteer))
    definition = attributes(intake.gazetteer)
    queries = Open311Queries(database)

    @router.get(
        "/services.{fmt}",
        summary="The services: one per complaint category, in English and Khmer",
        response_class=Response,
        responses=_responses(),
    )
    async def services(fmt: Fmt) -> Response:
        async def work(form: Format) -> Response:
            return respond(form, "services", views.services())

        return await _answer(fmt, work)

    @router.get(
        "/services/{service_code}.{fmt}",
        summary="A service's definition: the attributes it takes (place, subject, language)",
        response_class=Response,
        responses=_responses(),
    )
    async def service_definition(service_code: str, fmt: Fmt) -> Response:
        async def work(form: Format) -> Response:
            if service_code not in BY_CODE:
                raise Open311Error.of(404, "service_code: no service has this code")
            return respond(form, "service_definition", views.definition(service_code, definition))

        return await _answer(fmt, work)

    @router.post(
        "/requests.{fmt}",
        status_code=201,
        summary="File a complaint (form-encoded; api_key a channel token)",
        description="Fields: `api_key`, `service_code`, a location (`lat`+`long`, `address_string`, or "
        "`attribute[province]`, `attribute[district]`, `attribute[commune]`), `description` (the complaint, "
        "at most 4,000 characters), optional `phone`, `first_name`, `last_name` (kept in the personal-data "
        "vault only), `attribute[...]` of the service definition. 201 with the new request; 200 with the "
        "same request when the `Idempotency-Key` header repeats one already filed.",
        response_class=Response,
        responses=_responses(400, 403, 413, 429, success=(201, 200)),
    )
    async def create_request(request: Request, fmt: Fmt) -> Response:
        async def work(form: Format) -> Response:
            sent = await read_form(request)
            principal = _channel_of(sent, tokens, intake)
            key = _key(request)
            message_id = f"{principal.name}:{key}" if key else str(uuid.uuid4())
            try:
                submission = parse_request(
                    sent.fields, sent.attributes, gazetteer=intake.gazetteer, locator=locator,
                    message_id=message_id, received_at=clock(),
                )  # fmt: skip
            except SubmissionError as rejected:
                intake.submissions.refuse(rejected)
                raise Open311Error(400, rejected.problems) from None
            try:
                filed = await intake.submissions.file_submission(submission, client_address(request))
            except LimitedError as limited:
                raise Open311Error.of(
                    429, "too many requests from this phone or address this hour; retry later",
                    {"Retry-After": limited.retry_after},
                ) from None  # fmt: skip
            body = views.created(filed.reference, str(filed.case_id))
            return respond(form, "service_requests", body, 200 if filed.duplicate else 201)

        return await _answer(fmt, work)

    @router.get(
        "/requests.{fmt}",
        summary="Requests filed in a date range (at most 90 days), or by id",
        description="Filters: `service_request_id` (comma-separated; overrides the others), `service_code`, "
        "`start_date`, `end_date` (W3C datetimes; the last 90 days when left out), `status` (open, closed). "
        "At most 1,000 requests, newest first.",
        response_class=Response,
        responses=_responses(400),
    )
    async def list_requests(request: Request, fmt: Fmt) -> Response:
        async def work(form: Format) -> Response:
            try:
                query = request_filter(dict(request.query_params), clock())
            except FilterError as error:
                raise Open311Error(400, error.problems) from None
            found = await queries.requests(query)
            return respond(
                form, "service_requests", [views.request(c, intake.gazetteer, intake.units) for c in found]
            )

        return await _answer(fmt, work)

    @router.get(
        "/requests/{service_request_id}.{fmt}",
        summary="One request (a one-element list), by its id: the case reference",
        response_class=Response,
        responses=_responses(),
    )
    async def one_request(service_request_id: str, fmt: Fmt) -> Response:
        async def work(form: Format) -> Response:
            found = await queries.request(service_request_id)
            if found is None:
                raise Open311Error.of(404, "service_request_id: no request has this id")
            return respond(form, "service_requests", [views.request(found, intake.gazetteer, intake.units)])

        return await _answer(fmt, work)

    @router.get(
        "/tokens/{token}.{fmt}",
        summary="The request id of a token that POST requests answered",
        response_class=Response,
        responses=_responses(),
    )
    async def token(token: str, fmt: Fmt) -> Response:
        async def work(form: Format) -> Response:
            try:
                case_id = uuid.UUID(token)
            except ValueError:
                case_id = None
            reference = None if case_id is None else await queries.reference_of(case_id)
            if reference is None:
                raise Open311Error.of(404, "token: no request has this token")
            return respond(form, "service_requests", views.token(reference, token))

        return await _answer(fmt, work)

    return router


async def _answer(fmt: str, work: Callable[[Format], Awaitable[Response]]) -> Response:
    form: Format | None = next((f for f in FORMATS if f == fmt), None)
    if form is None:
        return Open311Error.of(404, "the format must be xml or json").response("xml")
    try:
        return await work(form)
    except Open311Error as error:
        return error.response(form)
    except Exception as error:
        if isinstance(error, StoppingError) or is_transient(error):
            retry = Open311Error.of(503, "intake cannot answer right now; retry", {"Retry-After": "1"})
            return retry.response(form)
        raise


def _channel_of(sent: RequestForm, tokens: TokenBook, intake: Intake) -> Principal:
    principal = tokens.principal(sent.api_key or "")
    if principal is None or principal.role != "channel":
        problem = Problem("api_key", "is not a channel key of this service", "bad_api_key")
        intake.submissions.refuse(SubmissionError((problem,), CHANNEL))
        raise Open311Error(403, [problem])
    return principal


def _key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key", "").strip()
    if len(key) > MAX_KEY or "\x00" in key:
        raise Open311Error(
            400, [Problem("Idempotency-Key", f"must be at most {MAX_KEY} characters", "invalid_field")]
        )
    return key or None

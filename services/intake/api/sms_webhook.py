"""``POST /webhooks/sms``: texts from citizens, as Twilio posts them (docs/contract.md §Conversations).

The form (``From``, ``Body``, ``MessageSid``, more) must carry a valid ``X-Twilio-Signature`` over
``SMS_INBOUND_URL`` with ``SMS_AUTH_TOKEN`` (403 and nothing recorded otherwise); with no token, only a
dev-mode process (``COMPLAINTS_DEV=1``) takes unsigned messages. The message goes to the conversation use
case, which has acted on it durably when it returns; the answer goes back as TwiML, in the same exchange.

Why TwiML and not an outbound text: the answer to a keyword or a reply is about nothing the event log
holds, needs no provider credentials in intake, and reaches the citizen as fast as the provider relays it.
The receipt of a complaint filed by text is the exception: notify sends it as for every filing (the
``filed`` notice of the ``ComplaintFiled``), once, retried and counted there, so the TwiML answer is empty.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request, Response

from services.intake.api.errors import ApiError
from services.intake.conversations import Conversations
from services.intake.domain.answers import AnswerName, answer_text
from services.intake.domain.conversation import Answer, Inbound, script_language
from services.intake.domain.phone import e164
from services.intake.domain.problems import Problem
from services.intake.metrics import IntakeMetrics
from shared.service.clock import Clock
from shared.service.retry import is_transient
from shared.sms.signature import signature_matches

log = logging.getLogger(__name__)
MAX_FORM = 64 * 1024  # bytes: Twilio's form is a few hundred; a 1,600-character body is at most ~15 KiB
MAX_BODY = 1600  # characters: Twilio's limit on one concatenated message
_TWIML = "application/xml"


def twiml(text: str = "") -> str:
    """A TwiML answer: one ``<Message>``, or none when ``text`` is empty."""
    if not text:
        return '<?xml version="1.0" encoding="UTF-8"?><Response/>'
    return f'<?xml version="1.0" encoding="UTF-8"?><Response><Message>{escape(text)}</Message></Response>'


class SmsDoor:
    """Checks, reads and answers one inbound SMS; the route calls :meth:`handle`."""

    def __init__(
        self,
        conversations: Conversations,
        metrics: IntakeMetrics,
        clock: Clock,
        *,
        auth_token: str,
        inbound_url: str,
        dev: bool,
    ) -> None:
        self._conversations = conversations
        self._metrics = metrics
        self._clock = clock
        self._token = auth_token
        self._url = inbound_url
        self._dev = dev

    def announce(self) -> None:
        """Say at start-up, loudly, when messages are not checked or not taken at all."""
        if self._token:
            return
        if self._dev:
            log.warning(
                "DEV MODE: the SMS webhook takes UNSIGNED messages (COMPLAINTS_DEV=1 and no SMS_AUTH_TOKEN);"
                " never run like this in production"
            )
        else:
            log.error(
                "the SMS webhook refuses every message: SMS_AUTH_TOKEN is empty and this is no dev mode"
            )

    async def handle(self, request: Request) -> Response:
        params = _form(await _read(request))
        if not self._signed(request, params):
            return self._refused(403, "refused an inbound SMS with a missing or wrong X-Twilio-Signature")
        fields = dict(params)
        sender, message_id, body = fields.get("From", ""), fields.get("MessageSid", ""), fields.get("Body")
        problems = []
        if not message_id.strip() or len(message_id) > 200:
            problems.append(Problem("MessageSid", "required, at most 200 characters", "missing"))
        phone = e164(sender) if sender.strip() else None
        if phone is None:
            message = "required" if not sender.strip() else "not a phone number"
            problems.append(Problem("From", message, "invalid_phone"))
        if problems:
            self._metrics.sms_inbound.labels(kind="rejected").inc()
            log.info("refused an inbound SMS: %s", ", ".join(f"{p.field}: {p.message}" for p in problems))
            raise ApiError(422, "the message is invalid", problems)
        assert phone is not None
        text = (body or "").strip()
        if not text:
            return self._polite("empty", text)
        if len(text) > MAX_BODY:
            return self._polite("too_long", text)
        inbound = Inbound("sms", message_id.strip(), phone, text, self._clock())
        try:
            answer = await self._conversations.receive(inbound)
        except Exception as error:
            if is_transient(error):
                raise ApiError(
                    503, "intake cannot take messages right now", headers={"Retry-After": "1"}
                ) from None
            raise
        return self._answer(answer)

    def _signed(self, request: Request, params: list[tuple[str, str]]) -> bool:
        if not self._token:
            return self._dev
        urls = {self._url, str(request.url)}
        return signature_matches(self._token, urls, params, request.headers.get("X-Twilio-Signature"))

    def _refused(self, status: int, why: str) -> Response:
        self._metrics.sms_inbound.labels(kind="rejected").inc()
        log.warning(why)
        return Response(status_code=status)

    def _polite(self, name: AnswerName, text: str) -> Response:
        self._metrics.sms_inbound.labels(kind="rejected").inc()
        log.info("answered an inbound SMS that cannot be read: %s", name)
        return Response(twiml(answer_text(name, script_language(text))), media_type=_TWIML)

    def _answer(self, answer: Answer | None) -> Response:
        if answer is None:
            self._metrics.sms_inbound.labels(kind="duplicate").inc()
            return Response(twiml(), media_type=_TWIML)
        self._metrics.sms_inbound.labels(kind=answer.kind).inc()
        # A complaint's receipt is notify's text (see the module's docstring).
        text = "" if answer.kind == "complaint" else answer.text
        return Response(twiml(text), media_type=_TWIML)


async def _read(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > MAX_FORM:
        raise ApiError(413, f"the form is larger than {MAX_FORM} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            raise ApiError(413, f"the form is larger than {MAX_FORM} bytes")
    return bytes(body)


def _form(raw: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(raw.decode(), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "the body is not a UTF-8 form") from None


def sms_webhook_router(door: SmsDoor) -> APIRouter:
    router = APIRouter(tags=["citizens"])

    @router.post(
        "/webhooks/sms",
        summary="A text from a citizen (Twilio's inbound webhook); answered with TwiML",
        description="Form fields `From`, `Body`, `MessageSid` (Twilio's, more may come), signed with "
        "`X-Twilio-Signature`. Read as a keyword (STATUS, STOP, START, HELP, in English or Khmer), a reply "
        "to the unit's question, an update to an open case, or a new complaint (docs/conversation.md). "
        "The same `MessageSid` again changes nothing.",
        response_class=Response,
        responses={
            200: {"content": {_TWIML: {}}, "description": "TwiML: the answer, or an empty <Response/>"},
            400: {"description": "The body is not a UTF-8 form"},
            403: {"description": "Missing or wrong X-Twilio-Signature: nothing recorded"},
            413: {"description": "The form is larger than 64 KiB"},
            422: {"description": "From or MessageSid missing, or From not a phone number"},
            503: {"description": "Intake cannot reach its database; the provider may retry"},
        },
    )
    async def sms_in(request: Request) -> Response:
        return await door.handle(request)

    return router

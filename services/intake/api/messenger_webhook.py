"""``GET`` and ``POST /webhooks/facebook``: the Messenger door (docs/contract.md §Messenger in).

``GET`` is Meta's subscription handshake. ``POST`` takes a signed delivery: nothing is read before the
signature over the raw bytes checks (403 otherwise); every message of every entry is handed to the
conversation, each citizen's messages in the order Meta sent them and different citizens' side by side;
when all of them are durable (and the citizens' last-message times kept for notify's 24-hour rule), the
answer is 200. Answers to the citizens go out through the Send API after that, so that a slow Send API
never holds Meta's delivery past its 2 seconds. A database that cannot be reached answers 503: Meta sends
the delivery again, and the conversation recognises the messages it already has by their ``mid``.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Annotated, Protocol

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import Counter
from starlette.background import BackgroundTask

from services.intake.api.errors import ApiError, responses
from services.intake.batcher import StoppingError
from services.intake.domain.conversation import Answer, Inbound
from services.intake.domain.messenger_events import NotADeliveryError, Received, parse_delivery
from services.intake.messenger_answers import MessengerAnswers
from services.intake.metrics import IntakeMetrics
from services.intake.vault import PersonalDataVault
from shared.eventstore import HasPool
from shared.messenger.signature import signature_matches
from shared.privacy import KeyedDigest
from shared.service.clock import Clock
from shared.service.retry import is_transient

log = logging.getLogger(__name__)
# Meta escapes every non-ASCII character as \uXXXX (six bytes): a batch of a few 2,000-character Khmer
# messages passes HTTP_MAX_BODY_BYTES, and a 413 is retried for 36 hours and then unsubscribes the app. The
# bootstrap gives this path its own limit in the one body limit (shared/service/body_limit.py).
MAX_BODY = 1024 * 1024
PATH = "/webhooks/facebook"


class Receiver(Protocol):
    """The conversation: durable when it returns; the same ``(channel, message_id)`` twice acts once."""

    async def receive(self, inbound: Inbound) -> Answer | None: ...


def messenger_router(
    receiver: Receiver,
    answers: MessengerAnswers,
    database: HasPool,
    metrics: IntakeMetrics,
    clock: Clock,
    *,
    app_secret: str,
    verify_token: str,
    page_id: str | None,
    digest: KeyedDigest,
) -> APIRouter:
    router = APIRouter(tags=["messenger"])
    events = metrics.messenger_events

    @router.get(
        PATH,
        summary="Meta's webhook verification handshake",
        description="Answers `hub.challenge` as plain text when `hub.mode` is `subscribe` and "
        "`hub.verify_token` is FACEBOOK_VERIFY_TOKEN; 403 otherwise.",
        # Response, not PlainTextResponse: FastAPI would document the JSON 403 as text/plain too.
        response_class=Response,
        responses={
            200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "The challenge"},
            **responses(403),
        },
    )
    async def verify(
        mode: Annotated[str, Query(alias="hub.mode")] = "",
        token: Annotated[str, Query(alias="hub.verify_token")] = "",
        challenge: Annotated[str, Query(alias="hub.challenge", max_length=1000)] = "",
    ) -> PlainTextResponse:
        if mode != "subscribe" or not hmac.compare_digest(token.encode(), verify_token.encode()):
            raise ApiError(403, "the verify token does not match")
        return PlainTextResponse(challenge)

    @router.post(
        PATH,
        summary="Messenger deliveries from Meta",
        description="A webhook delivery signed with `X-Hub-Signature-256` (the app secret over the raw "
        "body). 200 once every message in it is durable; 403 for a missing or wrong signature (nothing is "
        "read); 400 for a body that is no delivery; 503 while intake cannot store (Meta sends it again).",
        responses=responses(400, 403, 503),
    )
    async def deliver(request: Request) -> JSONResponse:
        body = await request.body()
        if not signature_matches(app_secret, body, request.headers.get("X-Hub-Signature-256")):
            events.labels(kind="bad_signature").inc()
            raise ApiError(403, "X-Hub-Signature-256 does not sign this body with the app secret")
        try:
            parsed = parse_delivery(body, page_id, clock(), digest)
        except NotADeliveryError as bad:
            events.labels(kind=bad.problems[0].reason).inc()
            raise ApiError(400, "the body is not a Messenger webhook delivery", bad.problems) from None
        for kind in parsed.skipped:
            events.labels(kind=kind).inc()
        try:
            said = await _receive_all(receiver, PersonalDataVault(database.pool), parsed.received, events)
        except Exception as error:
            if isinstance(error, StoppingError) or is_transient(error):
                log.warning("a Messenger delivery waits for Meta's retry: %s", type(error).__name__)
                raise ApiError(503, "intake cannot store right now", headers={"Retry-After": "1"}) from None
            raise
        task = BackgroundTask(answers.send_all, said) if said else None
        counts = {"received": len(parsed.received), "skipped": len(parsed.skipped)}
        return JSONResponse(counts, background=task)

    return router


async def _receive_all(
    receiver: Receiver, vault: PersonalDataVault, received: Sequence[Received], events: Counter
) -> list[tuple[str, Answer]]:
    """Hand every message to the conversation; the answers to send, with each citizen's PSID."""
    if not received:
        return []
    written = [(r.inbound.sender, r.inbound.received_at) for r in received]
    # Before: a known citizen's window is open before anything about this message reaches notify.
    await vault.messenger_wrote(written)
    by_sender: dict[str, list[Received]] = defaultdict(list)
    for item in received:
        by_sender[item.inbound.sender].append(item)
    results = await asyncio.gather(
        *(_receive_in_order(receiver, items, events) for items in by_sender.values()), return_exceptions=True
    )
    failed = [r for r in results if isinstance(r, BaseException)]
    if failed:
        raise failed[0]
    # After: a citizen this delivery made has a vault row only now.
    await vault.messenger_wrote(written)
    return [answer for result in results if not isinstance(result, BaseException) for answer in result]


async def _receive_in_order(
    receiver: Receiver, items: list[Received], events: Counter
) -> list[tuple[str, Answer]]:
    said: list[tuple[str, Answer]] = []
    for item in items:
        try:
            answer = await receiver.receive(item.inbound)
        except Exception as error:
            if isinstance(error, StoppingError) or is_transient(error):
                raise
            # One message that can never be stored must not hold back the others for Meta's 36 hours.
            log.error("a Messenger message cannot be stored: %s", type(error).__name__)
            events.labels(kind="unfileable").inc()
            continue
        events.labels(kind=item.kind).inc()
        if answer is not None:
            said.append((item.inbound.sender, answer))
    return said

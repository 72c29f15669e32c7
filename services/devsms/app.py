"""The dev gateway's ASGI app: Twilio's ``Messages.json``, recording instead of sending
(docs/contract.md §SMS out).

- ``POST /2010-04-01/Accounts/{sid}/Messages.json`` (form ``To``, ``From``, ``Body``, ``StatusCallback``)
  answers 201 with the Message resource (``sid``, ``status`` ``queued``, ``num_segments``), or Twilio's
  error JSON; then posts delivery receipts to ``StatusCallback``.
- ``GET /2010-04-01/Accounts/{sid}/Messages.json`` (``To``, ``From``, ``PageSize``): the newest messages;
  ``GET /2010-04-01/Accounts/{sid}/Messages/{message sid}.json``: one message.
- ``GET /messages`` (optionally ``?to=``) and ``GET /``: what was received, as JSON and as a page;
  ``DELETE /messages`` forgets it.
- ``GET /control`` / ``POST /control``: the fault plan (see :mod:`faults`); ``GET /stats``: answer counts.
- ``POST /citizen`` (form ``From``, ``Body``): text as a citizen, posted signed to intake's SMS webhook
  (see :mod:`citizen`); ``GET /citizen``: those texts and their answers as JSON.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import random
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from services.devsms.citizen import Exchange, text_as_citizen
from services.devsms.faults import Fail, FaultPlan, Hang, verdict
from services.devsms.inbox import Inbox
from services.devsms.page import render_page
from services.devsms.receipts import ReceiptPoster
from services.devsms.settings import DevSmsSettings

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
MAX_BODY = 1600  # Twilio's limit on a concatenated message


class Gateway:
    """The gateway's state: the inbox, the fault plan and its random draws, the receipt poster."""

    def __init__(self, settings: DevSmsSettings) -> None:
        self.settings = settings
        self.inbox = Inbox()
        self.plan = FaultPlan()
        self.draw = random.Random()
        self.receipts = ReceiptPoster(settings.sms_auth_token)
        self.exchanges: list[Exchange] = []

    def set_plan(self, plan: FaultPlan) -> None:
        self.plan = plan
        self.draw = random.Random(plan.seed)

    def authenticated(self, request: Request, account_sid: str) -> bool:
        token = self.settings.sms_auth_token
        if not token:
            return True
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        try:
            given = base64.b64decode(encoded, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        return scheme.lower() == "basic" and hmac.compare_digest(
            given.encode(), f"{account_sid}:{token}".encode()
        )

    async def send(self, request: Request, account_sid: str) -> Response:
        if not self.authenticated(request, account_sid):
            return _error(Fail(401, 20003, "Authenticate"))
        form = await request.form()
        fields = {name: value for name, value in form.items() if isinstance(value, str)}
        problem = _invalid(fields)
        if problem is not None:
            self.inbox.answers[f"refused:{problem.code}"] += 1
            return _error(problem)
        plan = self.plan
        if plan.latency_seconds:
            await asyncio.sleep(plan.latency_seconds)
        outcome = verdict(plan, fields["To"], self.draw)
        if isinstance(outcome, Hang):
            self.inbox.answers["timeout"] += 1
            await asyncio.sleep(outcome.seconds)
            return _error(Fail(504, 20504, "Gateway timeout (dev gateway fault)"))
        if isinstance(outcome, Fail):
            self.inbox.answers["5xx" if outcome.status >= 500 else f"refused:{outcome.code}"] += 1
            return _error(outcome)
        callback = fields.get("StatusCallback") or None
        message = self.inbox.accept(account_sid, fields["To"], fields["From"], fields["Body"], callback)
        final = "undelivered" if outcome.undeliverable else "delivered"
        statuses = {"all": ("sent", final), "final": (final,), "none": ()}[plan.receipts]
        self.receipts.schedule(message, statuses, plan.receipt_delay_seconds)
        if outcome.hang_seconds:
            self.inbox.answers["accepted_timeout"] += 1
            await asyncio.sleep(outcome.hang_seconds)
        return JSONResponse(message.resource(), status_code=201)

    def listing(self, account_sid: str, query: Mapping[str, str]) -> dict[str, object]:
        """Twilio's message list: newest first, filtered by ``To`` and ``From``, one page of ``PageSize``."""
        given = query.get("PageSize", "50")
        size = min(max(int(given), 1), 1000) if given.isdigit() else 50
        to, from_ = query.get("To"), query.get("From")
        found = [
            m.resource()
            for m in reversed(self.inbox.messages)
            if m.account_sid == account_sid and to in (None, m.to) and from_ in (None, m.from_)
        ][:size]
        uri = f"/2010-04-01/Accounts/{account_sid}/Messages.json"
        return {
            "messages": found, "page": 0, "page_size": size, "start": 0, "end": max(len(found) - 1, 0),
            "uri": uri, "first_page_uri": uri, "next_page_uri": None, "previous_page_uri": None,
        }  # fmt: skip


def _invalid(fields: dict[str, str]) -> Fail | None:
    to, body = fields.get("To", ""), fields.get("Body", "")
    if not to:
        return Fail(400, 21604, "A 'To' phone number is required.")
    if not _E164.fullmatch(to):
        return Fail(400, 21211, f"The 'To' number {to} is not a valid phone number.")
    if not fields.get("From"):
        return Fail(400, 21603, "A 'From' phone number is required.")
    if not body:
        return Fail(400, 21602, "Message body is required.")
    if len(body) > MAX_BODY:
        return Fail(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
    return None


def _error(fail: Fail) -> JSONResponse:
    return JSONResponse(fail.json(), status_code=fail.status)


def create_app(settings: DevSmsSettings | None = None) -> FastAPI:
    gateway = Gateway(settings or DevSmsSettings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await gateway.receipts.start()
        try:
            yield
        finally:
            await gateway.receipts.stop()

    app = FastAPI(title="dev SMS gateway", lifespan=lifespan)
    app.state.gateway = gateway

    @app.post("/2010-04-01/Accounts/{account_sid}/Messages.json", status_code=201)
    async def send(account_sid: str, request: Request) -> Response:
        return await gateway.send(request, account_sid)

    @app.get("/2010-04-01/Accounts/{account_sid}/Messages.json")
    async def listing(account_sid: str, request: Request) -> Response:
        if not gateway.authenticated(request, account_sid):
            return _error(Fail(401, 20003, "Authenticate"))
        return JSONResponse(gateway.listing(account_sid, request.query_params))

    @app.get("/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json")
    async def fetch(account_sid: str, sid: str, request: Request) -> Response:
        if not gateway.authenticated(request, account_sid):
            return _error(Fail(401, 20003, "Authenticate"))
        message = gateway.inbox.by_sid.get(sid)
        if message is None or message.account_sid != account_sid:
            return _error(Fail(404, 20404, f"The requested resource {request.url.path} was not found"))
        return JSONResponse(message.resource())

    @app.get("/messages")
    async def messages(to: str | None = None) -> list[dict[str, object]]:
        return [m.record() for m in gateway.inbox.messages if to is None or m.to == to]

    @app.delete("/messages", status_code=204)
    async def forget() -> None:
        gateway.inbox.clear()
        gateway.receipts.counts.clear()

    @app.get("/control")
    async def control() -> dict[str, Any]:
        return gateway.plan.model_dump()

    @app.post("/control")
    async def set_control(plan: FaultPlan) -> dict[str, Any]:
        gateway.set_plan(plan)
        return plan.model_dump()

    @app.get("/stats")
    async def stats() -> dict[str, object]:
        return {
            "received": len(gateway.inbox.messages),
            "answers": dict(gateway.inbox.answers),
            "receipts": dict(gateway.receipts.counts),
        }

    @app.post("/citizen")
    async def citizen(request: Request) -> Response:
        form = await request.form()
        sender, body = str(form.get("From", "")).strip(), str(form.get("Body", ""))
        async with httpx.AsyncClient(timeout=10) as client:
            exchange = await text_as_citizen(
                client, gateway.settings.sms_inbound_url, gateway.settings.sms_auth_token, sender, body
            )
        gateway.exchanges.append(exchange)
        del gateway.exchanges[:-500]
        return RedirectResponse("/", status_code=303)

    @app.get("/citizen")
    async def citizen_texts() -> list[dict[str, object]]:
        return [
            {"at": e.at.isoformat(), "from": e.sender, "body": e.body, "status": e.status, "answer": e.answer}
            for e in gateway.exchanges
        ]

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": "devsms"}

    @app.get("/", response_class=HTMLResponse)
    async def page() -> HTMLResponse:
        return HTMLResponse(
            render_page(gateway.inbox.messages, gateway.inbox.answers, exchanges=gateway.exchanges)
        )

    return app

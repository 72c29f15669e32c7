"""The dev Messenger gateway's ASGI app (docs/contract.md §The dev Messenger gateway).

- ``POST /{version}/me/messages?access_token=``: Meta's Send API, recording instead of sending: answers
  ``{recipient_id, message_id}`` or Graph's error JSON (a wrong token, a missing recipient, a text over
  2,000 characters, or what the fault plan says).
- ``POST /citizens/{psid}/messages`` (JSON ``{text, mid?, attachments?: [{type, url}]}``) and
  ``POST /citizens/write`` (the page's form): a citizen's message, made into a delivery as Meta makes it,
  signed with the app secret and posted to intake's webhook.
- ``GET /messages`` (``?psid=``), ``GET /conversations``, ``DELETE /messages``, ``GET /`` (the page),
  ``GET``/``POST /control`` (the fault plan), ``GET /stats``, ``GET /healthz``.
"""

from __future__ import annotations

import asyncio
import hmac
import random
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from services.devmessenger.conversations import Conversations, Line, delivery, now, signed
from services.devmessenger.faults import INVALID_TOKEN, GraphError, Hang, MessengerFaultPlan, verdict
from services.devmessenger.page import render_page
from services.devmessenger.settings import DevMessengerSettings
from shared.messenger.send_api import MAX_TEXT


class AttachmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(pattern="^(image|audio|video|file)$")
    url: str = Field(min_length=1, max_length=2000)


class CitizenMessage(BaseModel):
    """A message to write as the citizen; ``mid`` may be given to send the same message again."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(default="", max_length=20000)
    mid: str | None = Field(default=None, min_length=1, max_length=200)
    attachments: list[AttachmentIn] = []


class Gateway:
    def __init__(self, settings: DevMessengerSettings) -> None:
        self.settings = settings
        self.conversations = Conversations()
        self.plan = MessengerFaultPlan()
        self.draw = random.Random()
        self.client: httpx.AsyncClient | None = None

    def set_plan(self, plan: MessengerFaultPlan) -> None:
        self.plan = plan
        self.draw = random.Random(plan.seed)

    async def send(self, request: Request) -> Response:
        token = request.query_params.get("access_token", "")
        if not hmac.compare_digest(token.encode(), self.settings.facebook_page_access_token.encode()):
            return self._error(INVALID_TOKEN)
        try:
            body: Any = await request.json()
        except ValueError:
            return self._error(GraphError(400, 100, "(#100) The parameter recipient is required"))
        problem = _invalid(body)
        if problem is not None:
            return self._error(problem)
        psid, text = body["recipient"]["id"], body["message"]["text"]
        if self.plan.latency_seconds:
            await asyncio.sleep(self.plan.latency_seconds)
        outcome = verdict(self.plan, psid, self.draw)
        if isinstance(outcome, Hang):
            self.conversations.answers["timeout"] += 1
            await asyncio.sleep(outcome.seconds)
            return self._error(GraphError(504, 2, "Gateway timeout (dev gateway fault)"))
        if outcome is not None:
            return self._error(outcome)
        line = self.conversations.sent(psid, text, body.get("messaging_type", "RESPONSE"), now())
        return JSONResponse({"recipient_id": psid, "message_id": line.mid})

    def _error(self, error: GraphError) -> JSONResponse:
        self.conversations.answers[f"error:{error.code}"] += 1
        return JSONResponse(error.json(), status_code=error.status)

    async def write(self, psid: str, message: CitizenMessage) -> dict[str, object]:
        """Post the citizen's message to intake's webhook, signed; what intake answered."""
        assert self.client is not None
        mid = message.mid or f"m_{uuid.uuid4().hex}"
        at = now()
        attachments = tuple({"type": a.type, "url": a.url} for a in message.attachments)
        payload = delivery(
            self.settings.facebook_page_id, psid, mid, message.text, at, attachments=attachments
        )
        body, headers = signed(self.settings.facebook_app_secret, payload)
        try:
            answer = await self.client.post(self.settings.webhook_url, content=body, headers=headers)
            status: int | None = answer.status_code
            detail = f"intake answered {answer.status_code}"
        except httpx.HTTPError as error:
            status, detail = None, f"intake unreachable ({type(error).__name__})"
        self.conversations.wrote(Line("in", psid, message.text, mid, at, detail, attachments))
        return {"mid": mid, "status": status, "detail": detail}


def _invalid(body: Any) -> GraphError | None:
    recipient = body.get("recipient") if isinstance(body, dict) else None
    if not isinstance(recipient, dict) or not isinstance(recipient.get("id"), str) or not recipient["id"]:
        return GraphError(400, 100, "(#100) The parameter recipient is required")
    message = body.get("message")
    text = message.get("text") if isinstance(message, dict) else None
    if not isinstance(text, str) or not text:
        return GraphError(400, 100, "(#100) The parameter message[text] is required")
    if len(text) > MAX_TEXT:
        return GraphError(400, 100, f"(#100) Length of param message[text] must be at most {MAX_TEXT}")
    if body.get("messaging_type", "RESPONSE") not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
        return GraphError(
            400, 100, "(#100) Param messaging_type must be one of RESPONSE, UPDATE, MESSAGE_TAG"
        )
    return None


def create_app(settings: DevMessengerSettings | None = None) -> FastAPI:
    gateway = Gateway(settings or DevMessengerSettings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        gateway.client = httpx.AsyncClient(timeout=10)
        try:
            yield
        finally:
            await gateway.client.aclose()

    app = FastAPI(title="dev Messenger gateway", lifespan=lifespan)
    app.state.gateway = gateway

    @app.post("/{version}/me/messages")
    async def send(version: str, request: Request) -> Response:
        return await gateway.send(request)

    @app.post("/citizens/{psid}/messages")
    async def write(psid: str, message: CitizenMessage) -> dict[str, object]:
        return await gateway.write(psid, message)

    @app.post("/citizens/write")
    async def write_form(request: Request) -> Response:
        form = await request.form()
        psid, text, image = (str(form.get(name) or "").strip() for name in ("psid", "text", "image_url"))
        attachments = [AttachmentIn(type="image", url=image)] if image else []
        if psid and (text or attachments):
            await gateway.write(psid[:100], CitizenMessage(text=text, attachments=attachments))
        return RedirectResponse("/", status_code=303)

    @app.get("/messages")
    async def messages(psid: str | None = None) -> list[dict[str, object]]:
        return [line.record() for line in gateway.conversations.outgoing(psid)]

    @app.get("/conversations")
    async def conversations() -> dict[str, list[dict[str, object]]]:
        grouped = gateway.conversations.by_psid()
        return {psid: [line.record() for line in lines] for psid, lines in grouped.items()}

    @app.delete("/messages", status_code=204)
    async def forget() -> None:
        gateway.conversations.clear()

    @app.get("/control")
    async def control() -> dict[str, Any]:
        return gateway.plan.model_dump()

    @app.post("/control")
    async def set_control(plan: MessengerFaultPlan) -> dict[str, Any]:
        gateway.set_plan(plan)
        return plan.model_dump()

    @app.get("/stats")
    async def stats() -> dict[str, object]:
        return {"sent": len(gateway.conversations.outgoing()), "answers": dict(gateway.conversations.answers)}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": "devmessenger"}

    @app.get("/", response_class=HTMLResponse)
    async def page() -> HTMLResponse:
        return HTMLResponse(render_page(gateway.conversations.by_psid(), gateway.conversations.answers))

    return app

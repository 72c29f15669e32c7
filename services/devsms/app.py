"""The dev gateway's ASGI app: a Twilio-compatible ``Messages.json`` that records instead of sending."""

from __future__ import annotations

import html
import itertools
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from fastapi import FastAPI, Form, Response
from fastapi.responses import HTMLResponse


@dataclass
class ReceivedMessage:
    sid: str
    account_sid: str
    to: str
    from_: str
    body: str
    status_callback: str | None
    status: str
    date_created: str


@dataclass
class Inbox:
    """Every message the gateway accepted, in order of arrival."""

    messages: list[ReceivedMessage] = field(default_factory=list)
    _counter: itertools.count[int] = field(default_factory=itertools.count)

    def accept(
        self, account_sid: str, to: str, from_: str, body: str, callback: str | None
    ) -> ReceivedMessage:
        message = ReceivedMessage(
            sid=f"SM{next(self._counter):08d}{secrets.token_hex(12)}",
            account_sid=account_sid,
            to=to,
            from_=from_,
            body=body,
            status_callback=callback,
            status="queued",
            date_created=datetime.now(UTC).isoformat(),
        )
        self.messages.append(message)
        return message


def create_app() -> FastAPI:
    app = FastAPI(title="dev SMS gateway")
    inbox = Inbox()

    @app.post("/2010-04-01/Accounts/{account_sid}/Messages.json", status_code=201)
    async def send(
        account_sid: str,
        to: Annotated[str, Form(alias="To")],
        from_: Annotated[str, Form(alias="From")],
        body: Annotated[str, Form(alias="Body")],
        status_callback: Annotated[str | None, Form(alias="StatusCallback")] = None,
    ) -> dict[str, object]:
        message = inbox.accept(account_sid, to, from_, body, status_callback)
        return {
            "sid": message.sid,
            "account_sid": account_sid,
            "to": to,
            "from": from_,
            "body": body,
            "status": message.status,
            "date_created": message.date_created,
        }

    @app.get("/messages")
    async def messages() -> list[dict[str, object]]:
        return [asdict(message) for message in inbox.messages]

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", response_class=HTMLResponse)
    async def page() -> Response:
        rows = "".join(
            f"<tr><td>{html.escape(m.date_created)}</td><td>{html.escape(m.to)}</td>"
            f"<td>{html.escape(m.status)}</td><td>{html.escape(m.body)}</td></tr>"
            for m in reversed(inbox.messages)
        )
        return HTMLResponse(
            "<!doctype html><meta charset=utf-8><title>dev SMS gateway</title>"
            "<h1>Messages received</h1><table border=1 cellpadding=4>"
            f"<tr><th>at</th><th>to</th><th>status</th><th>body</th></tr>{rows}</table>"
        )

    return app

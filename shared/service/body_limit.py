"""One limit on request bodies for every service's app (docs/contract.md §HTTP 413 and 429).

The limit is enforced where the body is read, whatever reads it (FastAPI's body parameters, a form, a
route's own stream): the ASGI ``receive`` of the request raises :class:`BodyTooLargeError` once the declared
length or the bytes received pass the limit, so nothing past it is buffered. It is an ``HTTPException``
(FastAPI lets those through its body parsing): an app answers it 413 in its own error format, or with
FastAPI's ``{"detail"}`` when it has none. A route whose senders need more (a provider's webhook batching
many messages) is given its own limit by path, so it is not read twice against two limits.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY = 64 * 1024


class BodyTooLargeError(HTTPException):
    """The request's body is larger than the service accepts."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body is larger than {limit} bytes")
        self.limit = limit


class BodyLimit:
    """ASGI middleware refusing request bodies over ``limit`` bytes as they are read; ``paths`` maps an
    exact path to its own limit in place of ``limit``."""

    def __init__(
        self, app: ASGIApp, limit: int = DEFAULT_MAX_BODY, paths: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.limit = limit
        self.paths = dict(paths or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.paths.get(scope["path"], self.limit)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        over = declared.isdigit() and int(declared) > limit
        received = 0

        async def limited() -> Message:
            nonlocal received
            if over:
                raise BodyTooLargeError(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        await self.app(scope, limited, send)

"""The console's doors: the session cookie, the CSRF token of every form, and the errors that become
pages (sign in, 403, 404, a stale form). docs/console.md §Security rules."""

from __future__ import annotations

import hmac
from urllib.parse import quote

from fastapi import Request
from starlette.datastructures import FormData
from starlette.responses import Response

from services.intake.console.sessions import Session, Sessions

SESSION_COOKIE = "console_session"
SIGN_IN_COOKIE = "console_signin"  # the sign-in form's own CSRF token, before there is a session


class SignInNeededError(Exception):
    """No live session: pages send the browser to sign in, fragments answer 401."""

    def __init__(self, back_to: str, fragment: bool = False) -> None:
        super().__init__("sign in first")
        self.back_to = back_to
        self.fragment = fragment


class ForbiddenError(Exception):
    """The account may not see this (another unit's case, another role's page): a 403 page."""


class NotFoundError(Exception):
    """No such case: a 404 page."""


class StaleFormError(Exception):
    """A form without the session's CSRF token (forged, or from a session that ended): a 403 page."""


def same_token(given: str | None, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(str(given).encode(), expected.encode())


def set_cookie(
    response: Response, request: Request, name: str, value: str, max_age: int | None = None
) -> None:
    """HttpOnly and SameSite=Lax always; Secure whenever the request came over HTTPS (behind a proxy, as
    uvicorn's proxy headers tell), so that a plain-HTTP local run still works."""
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="lax", secure=request.url.scheme == "https",
        path="/",
    )  # fmt: skip


class Guard:
    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    async def session(self, request: Request, *, fragment: bool = False) -> Session:
        token = request.cookies.get(SESSION_COOKIE)
        session = await self.sessions.find(token) if token else None
        if session is None:
            back_to = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInNeededError(back_to, fragment)
        return session

    async def form(self, request: Request, session: Session) -> FormData:
        """The posted form, once its CSRF token is the session's."""
        form = await request.form()
        given = form.get("csrf")
        if not isinstance(given, str) or not same_token(given, session.csrf_token):
            raise StaleFormError("the form's CSRF token is missing or not this session's")
        return form


def sign_in_path(back_to: str) -> str:
    return f"/console/sign-in?next={quote(back_to, safe='')}"


def safe_next(value: str | None) -> str | None:
    """A path of this site to go back to after signing in, never another site (``//host``, ``/\\host``)."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return None

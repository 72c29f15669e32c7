"""Signing in and out, the console's front door, the ops home and the language switch."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.intake.api.client_address import client_address
from services.intake.console.access import home_of
from services.intake.console.accounts import SignIn
from services.intake.console.catalogue import language_of
from services.intake.console.guard import SESSION_COOKIE, SIGN_IN_COOKIE, safe_next, same_token, set_cookie
from services.intake.console.pages import LANGUAGE_COOKIE
from services.intake.console.sessions import SESSION_FOR, new_token

if TYPE_CHECKING:
    from services.intake.console.app import Console

_YEAR = 365 * 24 * 3600


def router(console: Console) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    pages, guard = console.pages, console.guard

    def sign_in_page(request: Request, *, status: int = 200, message: str | None = None) -> Response:
        # A fresh token for the sign-in form, kept in its own cookie: the double-submit pattern, since
        # there is no session to hold it yet.
        token = new_token()
        response = pages.render(
            request, "signin.html", status=status, sign_in_token=token, message_key=message,
            next_path=safe_next(request.query_params.get("next")) or "",
        )  # fmt: skip
        set_cookie(response, request, SIGN_IN_COOKIE, token)
        return response

    @routes.get("/console/sign-in")
    async def sign_in_form(request: Request) -> Response:
        return sign_in_page(request, message="signin.signed_out" if "out" in request.query_params else None)

    @routes.post("/console/sign-in")
    async def sign_in(request: Request) -> Response:
        form = await request.form()
        token = request.cookies.get(SIGN_IN_COOKIE, "")
        if not token or not same_token(str(form.get("csrf", "")), token):
            return pages.render(request, "error.html", status=403, message_key="error.csrf")
        allowance = await console.sign_in_budget.allow(client_address(request))
        if not allowance.allowed:
            refused = sign_in_page(request, status=429, message="signin.too_many")
            refused.headers["Retry-After"] = str(max(1, math.ceil(allowance.retry_after.total_seconds())))
            return refused
        account_id, password = str(form.get("account", "")).strip(), str(form.get("password", ""))
        outcome = await console.accounts.sign_in(account_id, password)
        if outcome is SignIn.WRONG:
            return sign_in_page(request, status=401, message="signin.wrong")
        if outcome is SignIn.LOCKED:
            return sign_in_page(request, status=429, message="signin.locked")
        session_token, _ = await guard.sessions.start(outcome)
        back_to = safe_next(str(form.get("next", ""))) or home_of(outcome)
        response = RedirectResponse(back_to, status_code=303)
        set_cookie(response, request, SESSION_COOKIE, session_token, max_age=int(SESSION_FOR.total_seconds()))
        response.delete_cookie(SIGN_IN_COOKIE, path="/")
        return response

    @routes.post("/console/sign-out")
    async def sign_out(request: Request) -> Response:
        session = await guard.session(request)
        await guard.form(request, session)
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await guard.sessions.end(token)
        response = RedirectResponse("/console/sign-in?out=1", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @routes.get("/console/")
    @routes.get("/console")
    async def front(request: Request) -> Response:
        session = await guard.session(request)
        return RedirectResponse(home_of(session.account), status_code=303)

    @routes.get("/console/home")
    async def home(request: Request) -> Response:
        session = await guard.session(request)
        return pages.render(request, "home.html", session=session)

    @routes.get("/console/language")
    async def language(request: Request, to: str = "km", back: str = "/console/") -> Response:
        response = RedirectResponse(safe_next(back) or "/console/", status_code=303)
        set_cookie(response, request, LANGUAGE_COOKIE, language_of(to), max_age=_YEAR)
        return response

    return routes

"""Bearer authentication: the principal of the request's token, or 401."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.intake.api.errors import ApiError
from services.intake.domain.commands import Responder
from services.intake.tokens import Principal, TokenBook

_bearer = HTTPBearer(
    auto_error=False,
    description="A token of API_TOKENS_FILE (roles unit, working_group, channel, ops)",
)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def authenticator(tokens: TokenBook) -> Callable[..., Awaitable[Principal]]:
    """A FastAPI dependency answering the principal of the bearer token."""

    async def principal(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None:
            raise ApiError(401, "a bearer token is required", headers=_CHALLENGE)
        found = tokens.principal(credentials.credentials)
        if found is None:
            raise ApiError(401, "the bearer token is not known", headers=_CHALLENGE)
        return found

    return principal


def responder_of(principal: Principal) -> Responder:
    """A principal as the case lifecycle sees it: a unit, the working group, or neither (no case is
    theirs)."""
    if principal.role == "working_group":
        return Responder(unit_id=None, working_group=True)
    return Responder(unit_id=principal.unit_id if principal.role == "unit" else None)

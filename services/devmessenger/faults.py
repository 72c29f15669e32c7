"""What the dev Messenger gateway can be told to answer instead of accepting a send (``POST /control``).

Per PSID: the person is unavailable (551), the 24-hour window is closed (10/2018278), a rate limit (613),
Meta's own failure (HTTP 500, code 2), or a hang (a timeout for the client). ``token_invalid`` answers every
send with the invalid-token error (190). For every other PSID, ``fail_rate`` of the sends fail at random in
``mode``; ``seed`` makes the draws repeatable. The answers are Graph's error JSON.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Behaviour = Literal["unavailable", "outside_window", "rate_limited", "5xx", "timeout"]


class MessengerFaultPlan(BaseModel):
    """The body of ``POST /control``; every field is optional and the whole plan is replaced."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fail_rate: float = Field(default=0.0, ge=0, le=1)
    mode: Literal["5xx", "rate_limited", "timeout"] = "5xx"
    hang_seconds: float = Field(default=30.0, ge=0, le=600)
    latency_seconds: float = Field(default=0.0, ge=0, le=60)
    recipients: dict[str, Behaviour] = {}
    token_invalid: bool = False
    seed: int | None = None


@dataclass(frozen=True, slots=True)
class GraphError:
    """Graph's error answer: HTTP ``status`` with ``{"error": {message, type, code, error_subcode,
    fbtrace_id}}``."""

    status: int
    code: int
    message: str
    subcode: int | None = None

    def json(self) -> dict[str, object]:
        error: dict[str, object] = {"message": self.message, "type": "OAuthException", "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        error["fbtrace_id"] = uuid.uuid4().hex[:11]
        return {"error": error}


@dataclass(frozen=True, slots=True)
class Hang:
    seconds: float


INVALID_TOKEN = GraphError(400, 190, "Invalid OAuth access token - Cannot parse access token")
_ERRORS: dict[str, GraphError] = {
    "unavailable": GraphError(400, 551, "(#551) This person isn't available right now.", 1545041),
    "outside_window": GraphError(400, 10, "(#10) This message is sent outside of allowed window.", 2018278),
    "rate_limited": GraphError(400, 613, "(#613) Calls to this api have exceeded the rate limit."),
    "5xx": GraphError(500, 2, "An unexpected error has occurred. Please retry your request later."),
}


def verdict(plan: MessengerFaultPlan, psid: str, draw: random.Random) -> GraphError | Hang | None:
    """What the gateway does instead of accepting a send to ``psid`` (None: it accepts)."""
    if plan.token_invalid:
        return INVALID_TOKEN
    behaviour: str | None = plan.recipients.get(psid)
    if behaviour is None and plan.fail_rate > 0 and draw.random() < plan.fail_rate:
        behaviour = plan.mode
    if behaviour == "timeout":
        return Hang(plan.hang_seconds)
    return _ERRORS.get(behaviour) if behaviour else None

"""What the dev gateway can be told to do instead of accepting a message (``POST /control``), for tests.

Per number: always fail with a 5xx, hang (a timeout for the client), take the message and then hang (the
client times out on a message that was sent: ``accepted_timeout``), refuse as an invalid number (21211) or
as an opted-out recipient (21610), or accept and later report ``undelivered``. For every other
number, ``fail_rate`` of the requests fail at random in ``mode`` (5xx or timeout); ``seed`` makes the
draws repeatable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Behaviour = Literal["ok", "5xx", "timeout", "accepted_timeout", "invalid", "opted_out", "undelivered"]
INVALID_NUMBER = 21211
OPTED_OUT = 21610


class FaultPlan(BaseModel):
    """The body of ``POST /control``; every field is optional and the whole plan is replaced."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fail_rate: float = Field(default=0.0, ge=0, le=1)
    mode: Literal["5xx", "timeout", "accepted_timeout"] = "5xx"
    error_status: int = Field(default=503, ge=500, le=599)
    hang_seconds: float = Field(default=30.0, ge=0, le=600)
    latency_seconds: float = Field(default=0.0, ge=0, le=60)
    invalid_numbers: list[str] = []
    opted_out_numbers: list[str] = []
    failing_numbers: list[str] = []
    undeliverable_numbers: list[str] = []
    numbers: dict[str, Behaviour] = {}
    receipts: Literal["all", "final", "none"] = "all"
    receipt_delay_seconds: float = Field(default=0.05, ge=0, le=600)
    seed: int | None = None

    def behaviour_of(self, to: str) -> Behaviour | None:
        """The rule for ``to``, if it has one: ``numbers`` first, then the lists."""
        if to in self.numbers:
            return self.numbers[to]
        for listed, behaviour in (
            (self.invalid_numbers, "invalid"),
            (self.opted_out_numbers, "opted_out"),
            (self.failing_numbers, "5xx"),
            (self.undeliverable_numbers, "undelivered"),
        ):
            if to in listed:
                return behaviour  # type: ignore[return-value]
        return None


@dataclass(frozen=True, slots=True)
class Accept:
    undeliverable: bool = False
    hang_seconds: float = 0.0  # taken, then the answer held back this long (the client times out)


@dataclass(frozen=True, slots=True)
class Fail:
    """A Twilio error answer: HTTP ``status`` with ``{code, message, more_info, status}``."""

    status: int
    code: int
    message: str

    def json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class Hang:
    seconds: float


Verdict = Accept | Fail | Hang


def verdict(plan: FaultPlan, to: str, draw: random.Random) -> Verdict:
    """What the gateway does with a message to ``to`` under ``plan``."""
    behaviour = plan.behaviour_of(to)
    if behaviour is None and plan.fail_rate > 0 and draw.random() < plan.fail_rate:
        behaviour = plan.mode
    match behaviour:
        case "invalid":
            return Fail(400, INVALID_NUMBER, f"The 'To' number {to} is not a valid phone number.")
        case "opted_out":
            return Fail(400, OPTED_OUT, "Attempt to send to unsubscribed recipient")
        case "5xx":
            return Fail(
                plan.error_status, 20000 + plan.error_status, "Service unavailable (dev gateway fault)"
            )
        case "timeout":
            return Hang(plan.hang_seconds)
    return Accept(
        undeliverable=behaviour == "undelivered",
        hang_seconds=plan.hang_seconds if behaviour == "accepted_timeout" else 0.0,
    )

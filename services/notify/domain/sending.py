"""What the provider answered, and what follows from it: done, try again later, or give up for good.

Retries are for the provider being unavailable (5xx, 429, a timeout, no connection): exponential backoff
with jitter, bounded both in attempts and in time since the notice was recorded. A refusal (an invalid
number, a number that opted out, any other 4xx) is final at once. Failure reasons name the kind of
failure and the provider's error code, never the provider's message, which may quote the phone number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

OPTED_OUT = 21610  # Twilio: "Attempt to send to unsubscribed recipient"
INVALID_NUMBER = 21211  # Twilio: "Invalid 'To' phone number"
_KIND_OF_CODE = {OPTED_OUT: "opted_out", INVALID_NUMBER: "invalid_number", 21614: "not_a_mobile_number"}


@dataclass(frozen=True, slots=True)
class Accepted:
    """The provider took the message (it may still fail to deliver: receipts tell)."""

    message_id: str


@dataclass(frozen=True, slots=True)
class Refused:
    """The provider refused the message for good; ``code`` is its error code when it gave one.
    ``described``: the whole reason, when the channel names it itself (Messenger's Send API);
    ``window_closed``: Meta says the 24-hour window is closed (the text may still go by SMS)."""

    http_status: int
    code: int | None
    described: str | None = None
    window_closed: bool = False

    @property
    def reason(self) -> str:
        if self.described is not None:
            return self.described
        kind = _KIND_OF_CODE.get(self.code or 0, "refused")
        detail = f"provider error {self.code}" if self.code is not None else f"HTTP {self.http_status}"
        return f"{kind} ({detail})"

    @property
    def opted_out(self) -> bool:
        return self.code == OPTED_OUT


@dataclass(frozen=True, slots=True)
class Unavailable:
    """The provider could not be reached or did not take the message now: worth another try."""

    detail: str  # "HTTP 503", "timeout", "connection refused", ...
    # The request reached the provider and its answer was lost (a read timeout, a dropped connection): it
    # may have taken the message, so the next attempt asks it first (docs/contract.md §SMS out).
    maybe_taken: bool = False


SendResult = Accepted | Refused | Unavailable


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """At most ``max_attempts`` sends, none later than ``budget_seconds`` after the notice was recorded."""

    max_attempts: int = 8
    budget_seconds: float = 3600.0
    first_delay: float = 2.0
    max_delay: float = 300.0


@dataclass(frozen=True, slots=True)
class Sent:
    message_id: str


@dataclass(frozen=True, slots=True)
class RetryIn:
    seconds: float
    detail: str


@dataclass(frozen=True, slots=True)
class GiveUp:
    reason: str
    opted_out: bool = False


Decision = Sent | RetryIn | GiveUp


def decide(
    result: SendResult, attempts: int, age_seconds: float, policy: RetryPolicy, random: Callable[[], float]
) -> Decision:
    """What to do after attempt number ``attempts`` of a notice recorded ``age_seconds`` ago.

    ``random`` returns a number in [0, 1): the jitter, so that retries after an outage spread out.
    """
    match result:
        case Accepted(message_id=message_id):
            return Sent(message_id)
        case Refused():
            return GiveUp(result.reason, opted_out=result.opted_out)
    assert isinstance(result, Unavailable)
    given_up = GiveUp(f"unavailable ({result.detail}, {attempts} attempts)")
    if attempts >= policy.max_attempts:
        return given_up
    ceiling = min(policy.max_delay, policy.first_delay * 2 ** (attempts - 1))
    delay = ceiling / 2 + random() * ceiling / 2  # "equal jitter": spread out, yet never at once
    if age_seconds + delay > policy.budget_seconds:
        return given_up
    return RetryIn(delay, result.detail)

"""The Messenger Send API client, shared by intake (answers) and notify (receipts and updates)
(docs/contract.md §Messenger out).

``POST {FACEBOOK_GRAPH_API_BASE}/me/messages?access_token={FACEBOOK_PAGE_ACCESS_TOKEN}`` with
``{"recipient": {"id": PSID}, "messaging_type": "RESPONSE" | "UPDATE", "message": {"text": ...}}``,
answered ``{"recipient_id", "message_id"}`` or Graph's ``{"error": {"message", "type", "code",
"error_subcode", "fbtrace_id"}}``. Every answer is classified by :func:`classify` (a pure function): what
is worth another try (rate limits, Meta's own failures) and what is final. Neither the PSID nor the token
is ever logged: the URL holds the token, so an error is named by its type only.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from prometheus_client import CollectorRegistry, Counter, Histogram

log = logging.getLogger(__name__)
MAX_TEXT = 2000  # Meta's limit on a message's text, in characters
MessagingType = Literal["RESPONSE", "UPDATE"]
SendOutcome = Literal[
    "sent", "rate_limited", "unavailable", "recipient_unavailable", "outside_window", "token_error", "refused"
]
RATE_LIMIT_CODES = frozenset({4, 32, 613})  # application, page and calls-per-second limits
TRANSIENT_CODES = frozenset({1, 2})  # Graph's "unknown" and "temporarily unavailable, retry later"
PERSON_UNAVAILABLE = 551  # "This person isn't available right now"
OUTSIDE_WINDOW = (10, 2018278)  # code 10, subcode 2018278: "sent outside of allowed window"
TOKEN_ERROR = 190  # the page access token is invalid or expired: an operator must replace it
_REASON = {
    "rate_limited": "rate_limited", "unavailable": "unavailable", "refused": "refused",
    "recipient_unavailable": "person_unavailable", "outside_window": "outside_messaging_window",
    "token_error": "page_token_invalid",
}  # fmt: skip
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass(frozen=True, slots=True)
class SendAnswer:
    """What the Send API said to one send: ``sent`` with the ``message_id``, or why not."""

    outcome: SendOutcome
    message_id: str | None = None
    http_status: int | None = None
    code: int | None = None
    subcode: int | None = None
    detail: str | None = None  # "timeout", "ConnectError": when no answer came

    @property
    def retryable(self) -> bool:
        """Worth another try later: Meta's rate limits, its own failures, no answer at all."""
        return self.outcome in ("rate_limited", "unavailable")

    @property
    def reason(self) -> str:
        """A reason for a person and for ``CitizenNotificationFailed``: the kind and the code, never
        Graph's message (it may quote the recipient)."""
        if self.code is not None:
            code = f"{self.code}/{self.subcode}" if self.subcode else str(self.code)
            detail = f"Send API error {code}"
        elif self.http_status is not None:
            detail = f"HTTP {self.http_status}"
        else:
            detail = self.detail or "no answer"
        return f"{_REASON.get(self.outcome, self.outcome)} ({detail})"


def classify(status: int, body: Any) -> SendAnswer:
    """The meaning of an HTTP answer of the Send API (``body``: its parsed JSON, or None)."""
    if 200 <= status < 300:
        message_id = body.get("message_id") if isinstance(body, dict) else None
        if not isinstance(message_id, str) or not message_id:
            # Meta took it but said so oddly: sending again would send it twice.
            log.warning("the Send API accepted a message without a message_id (HTTP %s)", status)
            message_id = "unknown"
        return SendAnswer("sent", message_id=message_id, http_status=status)
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
    outcome: SendOutcome
    if code in RATE_LIMIT_CODES:
        outcome = "rate_limited"
    elif code == PERSON_UNAVAILABLE:
        outcome = "recipient_unavailable"
    elif (code, subcode) == OUTSIDE_WINDOW:
        outcome = "outside_window"
    elif code == TOKEN_ERROR:
        outcome = "token_error"
    elif status >= 500 or status == 429 or code in TRANSIENT_CODES:
        outcome = "unavailable"
    else:
        outcome = "refused"
    return SendAnswer(outcome, http_status=status, code=code, subcode=subcode)


def fit_text(text: str) -> str:
    """``text`` within Meta's limit: cut, and marked, only when longer."""
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3].rstrip() + "..."


class SendApiMetrics:
    """``messenger_sent_total{outcome}`` and ``messenger_send_latency_seconds{outcome}``: every Send API
    call of the process, by what its answer meant."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.sent = Counter(
            "messenger_sent",
            "Send API calls by outcome: sent, rate_limited, unavailable, recipient_unavailable, "
            "outside_window, token_error, refused",
            ["outcome"],
            registry=registry,
        )
        self.latency = Histogram(
            "messenger_send_latency_seconds", "Time the Send API took to answer, by outcome", ["outcome"],
            buckets=_LATENCY_BUCKETS, registry=registry,
        )  # fmt: skip


class SendApiClient:
    """Sends texts to PSIDs with at most ``max_connections`` requests at once; never raises for an answer
    or its absence: they are :class:`SendAnswer` s."""

    def __init__(
        self,
        graph_api_base: str,
        page_access_token: str,
        metrics: SendApiMetrics,
        *,
        timeout: float = 10.0,
        max_connections: int = 16,
    ) -> None:
        self.url = f"{graph_api_base.rstrip('/')}/me/messages"
        self._token = page_access_token
        self._metrics = metrics
        self._timeout = timeout
        self._max_connections = max_connections
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        limits = httpx.Limits(
            max_connections=self._max_connections, max_keepalive_connections=self._max_connections
        )
        self._client = httpx.AsyncClient(timeout=self._timeout, limits=limits)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def send_text(self, psid: str, text: str, messaging_type: MessagingType) -> SendAnswer:
        """Send ``text`` (cut to Meta's limit) to ``psid``."""
        if self._client is None:
            raise RuntimeError("SendApiClient.start() was not called")
        body = {
            "recipient": {"id": psid},
            "messaging_type": messaging_type,
            "message": {"text": fit_text(text)},
        }
        started = time.perf_counter()
        try:
            response = await self._client.post(self.url, params={"access_token": self._token}, json=body)
            try:
                parsed: Any = response.json()
            except ValueError:
                parsed = None
            answer = classify(response.status_code, parsed)
        except httpx.TimeoutException:
            answer = SendAnswer("unavailable", detail="timeout")
        except httpx.HTTPError as error:
            answer = SendAnswer("unavailable", detail=type(error).__name__)
        self._metrics.sent.labels(outcome=answer.outcome).inc()
        self._metrics.latency.labels(outcome=answer.outcome).observe(time.perf_counter() - started)
        if answer.outcome == "token_error":
            log.error(
                "the Send API refused the page access token (error %s): set FACEBOOK_PAGE_ACCESS_TOKEN to a "
                "valid token; Messenger texts fail until then", answer.code,
            )  # fmt: skip
        return answer


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdecimal():
        return int(value)
    return None

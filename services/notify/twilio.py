"""The Twilio Messages API adapter (docs/contract.md §SMS out), over httpx; the dev gateway speaks the
same API.

``POST {base}/2010-04-01/Accounts/{sid}/Messages.json`` with form fields ``To``, ``From``, ``Body`` and
``StatusCallback``, HTTP basic auth ``sid:token``. A 2xx answer carries the message ``sid``; an error
carries Twilio's JSON ``{code, message, more_info, status}``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx

from services.notify.domain.sending import Accepted, Refused, SendResult, Unavailable

log = logging.getLogger(__name__)
# Answers worth another try: the provider is overloaded or down, or it does not accept our credentials
# (a configuration fault an operator fixes; the retry budget bounds the wait).
_RETRYABLE_STATUS = frozenset({401, 403, 408, 409, 425, 429})
# Failures before the request left this process: the provider cannot have taken the message.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


class TwilioProvider:
    """Sends through a Twilio-compatible API with at most ``max_connections`` requests at once."""

    def __init__(
        self,
        api_base: str,
        account_sid: str,
        auth_token: str,
        sender: str,
        status_callback: str,
        *,
        timeout: float,
        max_connections: int,
    ) -> None:
        self.url = f"{api_base.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self._auth = (account_sid, auth_token)
        self._sender = sender
        self._callback = status_callback
        self._timeout = timeout
        self._max_connections = max_connections
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        limits = httpx.Limits(
            max_connections=self._max_connections, max_keepalive_connections=self._max_connections
        )
        self._client = httpx.AsyncClient(auth=self._auth, timeout=self._timeout, limits=limits)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def send(self, to: str, body: str) -> SendResult:
        if self._client is None:
            raise RuntimeError("TwilioProvider.start() was not called")
        form = {"To": to, "From": self._sender, "Body": body, "StatusCallback": self._callback}
        try:
            response = await self._client.post(self.url, data=form)
        except httpx.HTTPError as error:
            detail = "timeout" if isinstance(error, httpx.TimeoutException) else type(error).__name__
            return Unavailable(detail, maybe_taken=not isinstance(error, _NEVER_SENT))
        return read_answer(response)

    async def find_accepted(self, to: str, body: str, since: datetime) -> str | None:
        """Look through the newest messages to ``to`` (Twilio's list, filtered by ``To``) for ``body``."""
        if self._client is None:
            raise RuntimeError("TwilioProvider.start() was not called")
        try:
            response = await self._client.get(self.url, params={"To": to, "PageSize": "50"})
            response.raise_for_status()
            messages = response.json()["messages"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            # The error's text may hold the request URL, whose query holds the phone number: not logged.
            log.warning(
                "cannot ask the provider whether it took a message already (%s)", type(error).__name__
            )
            return None
        # Twilio's dates have whole seconds; a second of slack keeps a message taken in the same second.
        earliest = since.replace(microsecond=0) - timedelta(seconds=1)
        for message in messages:
            try:
                created = parsedate_to_datetime(message["date_created"])
                if message["body"] == body and created >= earliest:
                    return str(message["sid"])
            except (KeyError, TypeError, ValueError):
                continue
        return None


def read_answer(response: httpx.Response) -> SendResult:
    """What an answer to a send means: taken (with its sid), refused for good, or worth another try."""
    status = response.status_code
    if 200 <= status < 300:
        try:
            return Accepted(str(response.json()["sid"]))
        except (ValueError, KeyError, TypeError):
            # It took the message but said so in an unexpected way: sending again would duplicate it.
            log.warning("the provider accepted a message without a readable sid (HTTP %s)", status)
            return Accepted("unknown")
    if status >= 500 or status in _RETRYABLE_STATUS:
        return Unavailable(f"HTTP {status}")
    code: int | None = None
    try:
        raw = response.json().get("code")
        code = int(raw) if raw is not None else None
    except (ValueError, AttributeError, TypeError):
        pass
    return Refused(status, code)

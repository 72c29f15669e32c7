"""What the dev gateway received: accepted messages in order of arrival, and a count of every answer."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

from shared.sms.segments import segment


@dataclass
class ReceivedMessage:
    """One accepted message, as Twilio's Message resource describes it."""

    sid: str
    account_sid: str
    to: str
    from_: str
    body: str
    status_callback: str | None
    num_segments: int
    encoding: str
    date_created: datetime
    date_updated: datetime
    status: str = "queued"
    error_code: int | None = None

    def resource(self) -> dict[str, object]:
        """The JSON Twilio answers with (``num_segments`` is a string there too)."""
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{self.sid}.json"
        return {
            "sid": self.sid,
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "to": self.to,
            "from": self.from_,
            "body": self.body,
            "status": self.status,
            "direction": "outbound-api",
            "num_segments": str(self.num_segments),
            "num_media": "0",
            "price": None,
            "price_unit": "USD",
            "error_code": self.error_code,
            "error_message": None,
            "messaging_service_sid": None,
            "date_created": format_datetime(self.date_created),
            "date_updated": format_datetime(self.date_updated),
            "date_sent": None,
            "uri": uri,
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
        }

    def record(self) -> dict[str, object]:
        """The JSON of ``GET /messages``: what was received, and the encoding its segments were counted in."""
        return {
            "sid": self.sid,
            "to": self.to,
            "from": self.from_,
            "body": self.body,
            "status": self.status,
            "error_code": self.error_code,
            "num_segments": self.num_segments,
            "encoding": self.encoding,
            "status_callback": self.status_callback,
            "date_created": self.date_created.isoformat(),
            "date_updated": self.date_updated.isoformat(),
        }


@dataclass
class Inbox:
    """Every accepted message, by arrival and by sid, and how often each answer was given."""

    messages: list[ReceivedMessage] = field(default_factory=list)
    by_sid: dict[str, ReceivedMessage] = field(default_factory=dict)
    answers: Counter[str] = field(default_factory=Counter)

    def accept(
        self, account_sid: str, to: str, from_: str, body: str, callback: str | None
    ) -> ReceivedMessage:
        now = datetime.now(UTC)
        parts = segment(body)
        message = ReceivedMessage(
            sid=f"SM{uuid.uuid4().hex}",
            account_sid=account_sid,
            to=to,
            from_=from_,
            body=body,
            status_callback=callback,
            num_segments=parts.count,
            encoding=parts.encoding,
            date_created=now,
            date_updated=now,
        )
        self.messages.append(message)
        self.by_sid[message.sid] = message
        self.answers["accepted"] += 1
        return message

    def clear(self) -> None:
        self.messages.clear()
        self.by_sid.clear()
        self.answers.clear()

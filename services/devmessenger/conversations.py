"""What the dev Messenger gateway has seen: every citizen's messages to the page and the page's texts to
them, in order, by PSID; and how a citizen's message is made into a signed webhook delivery."""

from __future__ import annotations

import json
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from shared.messenger.signature import hub_signature


@dataclass(frozen=True, slots=True)
class Line:
    """One message of a conversation: ``in`` from the citizen (with what intake answered), ``out`` from
    the page (with its ``messaging_type``)."""

    direction: Literal["in", "out"]
    psid: str
    text: str
    mid: str
    at: datetime
    detail: str = ""  # in: intake's HTTP answer; out: RESPONSE or UPDATE
    attachments: tuple[dict[str, str], ...] = ()

    def record(self) -> dict[str, object]:
        return {
            "direction": self.direction, "psid": self.psid, "text": self.text, "mid": self.mid,
            "at": self.at.isoformat(), "detail": self.detail, "attachments": list(self.attachments),
        }  # fmt: skip


@dataclass
class Conversations:
    lines: list[Line] = field(default_factory=list)
    answers: Counter[str] = field(default_factory=Counter)  # sends by answer: sent, or the Graph code

    def sent(self, psid: str, text: str, messaging_type: str, now: datetime) -> Line:
        line = Line("out", psid, text, f"m_{uuid.uuid4().hex}", now, messaging_type)
        self.lines.append(line)
        self.answers["sent"] += 1
        return line

    def wrote(self, line: Line) -> None:
        self.lines.append(line)

    def by_psid(self) -> dict[str, list[Line]]:
        grouped: dict[str, list[Line]] = defaultdict(list)
        for line in self.lines:
            grouped[line.psid].append(line)
        return dict(grouped)

    def outgoing(self, psid: str | None = None) -> list[Line]:
        return [x for x in self.lines if x.direction == "out" and psid in (None, x.psid)]

    def clear(self) -> None:
        self.lines.clear()
        self.answers.clear()


def delivery(
    page_id: str,
    psid: str,
    mid: str,
    text: str,
    at: datetime,
    *,
    attachments: tuple[dict[str, str], ...] = (),
) -> dict[str, Any]:
    """A citizen's message as Meta delivers it: one entry, one messaging item."""
    millis = int(at.timestamp() * 1000)
    message: dict[str, Any] = {"mid": mid}
    if text:
        message["text"] = text
    if attachments:
        message["attachments"] = [{"type": a["type"], "payload": {"url": a["url"]}} for a in attachments]
    item = {"sender": {"id": psid}, "recipient": {"id": page_id}, "timestamp": millis, "message": message}
    return {"object": "page", "entry": [{"id": page_id, "time": millis, "messaging": [item]}]}


def signed(app_secret: str, payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """The body (UTF-8 JSON, Khmer as it is) and the headers Meta would send with it."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    return body, {"Content-Type": "application/json", "X-Hub-Signature-256": hub_signature(app_secret, body)}


def now() -> datetime:
    return datetime.now(UTC)

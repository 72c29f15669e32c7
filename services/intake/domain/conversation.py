"""How a message from a citizen is read, whatever channel brought it (docs/conversation.md).

SMS and Messenger read a message in one order (docs/contract.md §Conversations): a keyword (STATUS and a
reference, or the bare reference; STOP; START; HELP; in English or Khmer), then a reply to the citizen's
newest case that awaits them, then an update to their open case active within the conversation window,
else a new complaint. ``read`` is that order, pure: the door gives it the message, the sender's open
cases and whether a bare reference names a case, and acts on what it answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from shared.events.types import Language

InboundChannel = Literal["sms", "facebook"]
AnswerKind = Literal["keyword", "reply", "update", "complaint", "duplicate", "rejected", "limited"]
KeywordName = Literal["status", "stop", "start", "help"]

_STOP = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
_START = frozenset({"START", "YES", "UNSTOP"})
_HELP = frozenset({"HELP", "INFO"})
_STATUS = "STATUS"
_NEW = "NEW"
# Khmer keywords; "ចាប់ផ្ដើម" is written with either of two subscript letters (ដ or ត) in practice.
_KM_WORDS: dict[str, KeywordName] = {
    "ឈប់": "stop", "ចាប់ផ្ដើម": "start", "ចាប់ផ្តើម": "start", "ជំនួយ": "help", "ស្ថានភាព": "status",
}  # fmt: skip
_KM_STATUS = "ស្ថានភាព"
_KM_NEW = "ថ្មី"
# A reference: 8 letters of intake's alphabet (no 0/O, no 1/I): services/intake/domain/identity.py.
_REFERENCE = re.compile(r"^[A-HJ-NP-Z2-9]{8}$")
# What may stand for a reference after STATUS: one short word of letters and digits (answered even when
# no case has it: "no complaint has the reference ...").
_REFERENCE_LIKE = re.compile(r"^[A-Z0-9]{1,16}$")
_KHMER = re.compile(r"[\u1780-\u17FF]")
_EDGES = " \t\r\n.,!?;:'\"()[]"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message (Messenger fills these; SMS leaves them empty)."""

    kind: str
    url: str | None


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a citizen. ``sender`` is the channel address: an E.164 phone or a Messenger PSID;
    it never reaches a log (``repr`` leaves it and the text out)."""

    channel: InboundChannel
    message_id: str
    sender: str
    text: str
    received_at: datetime
    attachments: tuple[Attachment, ...] = ()

    def __repr__(self) -> str:
        return f"Inbound(channel={self.channel!r}, message_id={self.message_id!r}, <redacted>)"


@dataclass(frozen=True, slots=True)
class Answer:
    """What the door says back (an empty ``text``: nothing; the case is counted all the same)."""

    text: str
    language: Language
    kind: AnswerKind


@dataclass(frozen=True, slots=True)
class OpenCase:
    """A case not resolved of a citizen who has the sender's address, as the status projection has it."""

    case_id: UUID
    reference: str
    status: str
    language: Language
    citizen_id: UUID | None
    filed_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Keyword:
    word: KeywordName
    language: Language
    reference: str | None = None  # for STATUS: the reference asked about, if any


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer to the question of the unit holding ``case`` (it awaits the citizen)."""

    case: OpenCase


@dataclass(frozen=True, slots=True)
class Update:
    """More about ``case``, the citizen's open case active within the conversation window."""

    case: OpenCase


@dataclass(frozen=True, slots=True)
class NewComplaint:
    text: str
    language: Language


Reading = Keyword | Reply | Update | NewComplaint


def script_language(text: str) -> Language:
    """Khmer when the text has a Khmer letter, else English."""
    return "km" if _KHMER.search(text) else "en"


def keyword_of(text: str) -> Keyword | None:
    """The keyword ``text`` is, if any. STOP, START and HELP count only alone (so "stop the noise at
    night" is a complaint); STATUS alone or followed by one word, a reference. Case and spaces ignored."""
    words = text.strip(_EDGES).split()
    if not words:
        return None
    first, rest = words[0].strip(_EDGES), "".join(words[1:]).strip(_EDGES).upper()
    if first.startswith(_KM_STATUS) and first != _KM_STATUS:  # Khmer is often written without spaces
        first, rest = _KM_STATUS, (first.removeprefix(_KM_STATUS) + rest).strip(_EDGES).upper()
    language: Language
    if first in _KM_WORDS:
        word, language = _KM_WORDS[first], "km"
    else:
        upper = first.upper()
        found: dict[str, KeywordName] = {**dict.fromkeys(_STOP, "stop"), **dict.fromkeys(_START, "start")}
        found.update({**dict.fromkeys(_HELP, "help"), _STATUS: "status"})
        if upper not in found:
            return None
        word, language = found[upper], "en"
    if word != "status":
        return Keyword(word, language) if not rest else None
    if not rest:
        return Keyword("status", language)
    reference = rest.replace("-", "")
    return Keyword("status", language, reference) if _REFERENCE_LIKE.match(reference) else None


def bare_reference(text: str) -> str | None:
    """The reference ``text`` is, when it is nothing but something shaped like one."""
    candidate = "".join(text.strip(_EDGES).split()).replace("-", "").upper()
    return candidate if _REFERENCE.match(candidate) else None


def new_complaint_text(text: str) -> str | None:
    """The complaint of a message starting ``NEW`` / ``ថ្មី`` (the citizen asks for a new case)."""
    stripped = text.strip()
    for word in (_KM_NEW, _NEW):
        head = stripped[: len(word)]
        if head.upper() == word and len(stripped) > len(word):
            after = stripped[len(word) :]
            if after[0].isspace() or after[0] in ":,-":  # "ថ្មីៗនេះ" (recently) is no keyword
                return after.lstrip(" \t\r\n:,-") or None
    return None


def read(
    text: str,
    cases: Sequence[OpenCase],
    *,
    now: datetime,
    window: timedelta,
    known_reference: bool,
) -> Reading:
    """What the message ``text`` is, from a sender whose open cases are ``cases`` (docs/contract.md
    §Conversations): ``known_reference`` says whether the text, alone, is the reference of a case."""
    keyword = keyword_of(text)
    if keyword is not None:
        return keyword
    reference = bare_reference(text)
    if reference is not None and known_reference:
        return Keyword("status", script_language(text), reference)
    asked_new = new_complaint_text(text)
    if asked_new is not None:
        return NewComplaint(asked_new, script_language(asked_new))
    awaiting = [case for case in cases if case.status == "awaiting_citizen"]
    if awaiting:  # "newest": the latest filed (docs/contract.md §Conversations)
        return Reply(max(awaiting, key=lambda case: (case.filed_at, str(case.case_id))))
    active = [case for case in cases if case.status != "resolved" and now - case.updated_at <= window]
    if active:
        return Update(max(active, key=lambda case: (case.updated_at, str(case.case_id))))
    return NewComplaint(text.strip(), script_language(text))

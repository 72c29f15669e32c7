"""What upstream channels and the web form send (docs/contract.md §Submissions), validated with every
problem collected.

``parse_submission`` turns the bytes of a ``complaints.submissions`` message into a
:class:`ChannelSubmission` whose phone is E.164 and whose places are gazetteer codes, or raises
:class:`SubmissionError` listing every problem at once (field, message and a short reason code for metrics).
``parse_web_submission`` does the same for ``POST /v1/complaints``, whose body has no ``channel``.
Messages never repeat the values sent: they may be personal (a phone number) and end up in logs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from services.intake.domain.phone import e164
from services.intake.domain.places import resolve_commune, resolve_district, resolve_province
from services.intake.domain.problems import Problem, problems_of
from shared.events.types import Category, Channel, Language, SubjectKind
from shared.places.gazetteer import Gazetteer

# Messenger and SMS carry free text only: intake looks for the place in the text itself.
FREE_TEXT_CHANNELS: frozenset[str] = frozenset({"facebook", "sms"})
MAX_TEXT = 4000


class SubmissionError(ValueError):
    """A submission that cannot be filed; ``problems`` lists every reason, ``channel`` where it came from."""

    def __init__(self, problems: tuple[Problem, ...], channel: str = "unknown") -> None:
        super().__init__("; ".join(f"{p.field or '(body)'}: {p.reason}" for p in problems))
        self.problems = problems
        self.channel = channel


def text_problem(value: str, limit: int) -> PydanticCustomError | None:
    """The one rule for text a citizen or channel sends, whichever door it comes in by (the web form,
    Kafka submissions, Open311's form): no NUL (PostgreSQL text cannot hold U+0000: refused here rather than
    failing a whole batch later) and at most ``limit`` characters. Its message never repeats the value."""
    if "\x00" in value:
        return PydanticCustomError("nul_character", "must not contain the NUL character (U+0000)")
    if len(value) > limit:
        return PydanticCustomError("string_too_long", "must be at most {limit} characters", {"limit": limit})
    return None


def _at_most(limit: int) -> AfterValidator:
    """A text field of at most ``limit`` characters; None (left out, null, or blank) passes as None."""

    def check(value: str | None) -> str | None:
        problem = None if value is None else text_problem(value, limit)
        if problem is not None:
            raise problem
        return value

    return AfterValidator(check)


def _blank_is_none(value: Any) -> Any:
    # Forms and channels send "" for a field left empty.
    return None if isinstance(value, str) and not value.strip() else value


def _message_id(value: str) -> str:
    text = value.strip()
    if not 1 <= len(text) <= 200:
        raise PydanticCustomError("invalid_field", "must be 1 to 200 characters")
    return text


MAX_PLACE = 200  # a province, district or commune as sent: a code or a name
Clean = Annotated[str, _at_most(MAX_TEXT)]
MaybeText = Annotated[str | None, BeforeValidator(_blank_is_none)]
Name = Annotated[MaybeText, _at_most(300)]
Place = Annotated[MaybeText, _at_most(MAX_PLACE)]
MessageId = Annotated[Clean, AfterValidator(_message_id)]


class _Strict(BaseModel):
    # Strict: "yes" is no boolean and 12 no string; JSON strings still parse as datetimes.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Citizen(_Strict):
    """Who complains; reachable by phone or Messenger unless anonymous."""

    name: Name = None
    phone: Annotated[MaybeText, _at_most(100)] = None
    facebook_psid: Annotated[MaybeText, _at_most(100)] = None
    language: Language = "km"
    anonymous: bool = False

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        if value is None:
            return None
        number = e164(value)
        if number is None:
            raise PydanticCustomError(
                "invalid_phone", "not a valid phone number (Cambodian local like 012 345 678, or E.164)"
            )
        return number

    @model_validator(mode="after")
    def _reachable(self) -> Citizen:
        if not self.anonymous and self.phone is None and self.facebook_psid is None:
            raise PydanticCustomError(
                "unreachable_citizen", "a citizen who is not anonymous needs a phone or a facebook_psid"
            )
        return self


class Location(_Strict):
    """Where it happened; after validation ``province``, ``district`` and ``commune`` are codes."""

    province: Annotated[str, _at_most(MAX_PLACE)]
    district: Place = None
    commune: Place = None
    village: Place = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)

    @field_validator("province")
    @classmethod
    def _province(cls, value: str, info: ValidationInfo) -> str:
        return resolve_province(_gazetteer(info), value)

    @field_validator("district")
    @classmethod
    def _district(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else resolve_district(_gazetteer(info), value, info.data.get("province"))

    @field_validator("commune")
    @classmethod
    def _commune(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        return resolve_commune(_gazetteer(info), value, info.data.get("province"), info.data.get("district"))


class SubjectIn(_Strict):
    kind: SubjectKind | None = None
    name: Name = None


class AssistedBy(_Strict):
    official: Name = None
    office: Name = None


def _text(value: str) -> str:
    # Trimmed at both ends, otherwise kept exactly as sent (Khmer included).
    text = value.strip()
    problem = text_problem(text, MAX_TEXT)
    if problem is not None and problem.type == "nul_character":
        raise problem
    if problem is not None or not text:
        raise PydanticCustomError(
            "invalid_text",
            "must be 1 to {limit} characters once spaces at the ends are trimmed (it has {length})",
            {"limit": MAX_TEXT, "length": len(text)},
        )
    return text


class _Common(_Strict):
    citizen: Citizen
    text: Annotated[str, AfterValidator(_text)]
    category: Category | None = None
    subject: SubjectIn | None = None
    assisted_by: AssistedBy | None = None


class ChannelSubmission(_Common):
    """A ``complaints.submissions`` message (docs/contract.md §Submissions)."""

    channel: Channel
    channel_message_id: MessageId
    submitted_at: AwareDatetime
    location: Location | None = Field(default=None, validate_default=True)

    @field_validator("location")
    @classmethod
    def _location_needed(cls, value: Location | None, info: ValidationInfo) -> Location | None:
        channel = info.data.get("channel")
        if value is None and channel is not None and channel not in FREE_TEXT_CHANNELS:
            raise PydanticCustomError(
                "missing", "required for channel {channel} (only facebook and sms may leave it out)",
                {"channel": channel},
            )  # fmt: skip
        return value


_WEB_EXAMPLE: dict[str, JsonValue] = {
    "citizen": {"name": "Sok Dara", "phone": "012 345 678", "language": "km"},
    "text": "My motorbike was stolen at the market; the post would not take my complaint.",
    "category": "theft",
    "location": {"province": "Siem Reap", "district": "Puok"},
}


class WebSubmission(_Common):
    """The body of ``POST /v1/complaints``: a ChannelSubmission without ``channel`` (it is ``web``)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_WEB_EXAMPLE]})

    channel_message_id: MessageId | None = None
    submitted_at: AwareDatetime | None = None
    location: Location

    def as_channel_submission(self, message_id: str, received_at: datetime) -> ChannelSubmission:
        """The web submission as any channel's; already validated, so it is not validated again."""
        fields = {name: getattr(self, name) for name in _Common.model_fields}
        return ChannelSubmission.model_construct(
            channel="web",
            channel_message_id=self.channel_message_id or message_id,
            submitted_at=self.submitted_at or received_at,
            location=self.location,
            **fields,
        )


def parse_submission(raw: bytes, gazetteer: Gazetteer) -> ChannelSubmission:
    """Validate a ``complaints.submissions`` value; raises :class:`SubmissionError` with every problem."""
    try:
        return ChannelSubmission.model_validate_json(raw, context={"gazetteer": gazetteer})
    except ValidationError as error:
        raise SubmissionError(problems_of(error), _channel_of(raw)) from None


def parse_web_submission(
    raw: bytes, gazetteer: Gazetteer, message_id: str, received_at: datetime
) -> ChannelSubmission:
    """Validate a web form body; ``message_id`` (the Idempotency-Key or a fresh id) is used when the body
    has no ``channel_message_id``. Raises :class:`SubmissionError` with every problem."""
    try:
        web = WebSubmission.model_validate_json(raw, context={"gazetteer": gazetteer})
    except ValidationError as error:
        raise SubmissionError(problems_of(error), "web") from None
    return web.as_channel_submission(message_id, received_at)


def _gazetteer(info: ValidationInfo) -> Gazetteer:
    context = info.context or {}
    gazetteer = context.get("gazetteer")
    if not isinstance(gazetteer, Gazetteer):
        raise TypeError("validate submissions with context={'gazetteer': ...}")
    return gazetteer


def _channel_of(raw: bytes) -> str:
    """The channel of a rejected submission, for metrics: only the known names, else ``unknown``."""
    try:
        value = ChannelOnly.model_validate_json(raw).channel
    except ValidationError:
        return "unknown"
    return value


class ChannelOnly(BaseModel):
    model_config = ConfigDict(extra="ignore")

    channel: Channel

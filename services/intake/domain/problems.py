"""Why a submission is refused: one :class:`Problem` per field, from pydantic's errors.

``reason`` is a short code for the ``complaints_rejected_total{reason}`` label; ``field`` is the dotted
path of the field (None when the bytes are not JSON at all, or the JSON is no object).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import ErrorDetails

# Error types raised by intake's own validators double as reason codes.
_OWN = frozenset(
    {"invalid_phone", "unreachable_citizen", "unknown_province", "unknown_district", "unknown_commune",
     "invalid_text", "nul_character", "missing"}
)  # fmt: skip
_BY_FIELD = {"category": "unknown_category", "channel": "unknown_channel"}


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a submission is refused."""

    field: str | None
    message: str
    reason: str


def problems_of(error: ValidationError) -> tuple[Problem, ...]:
    """Every error of a failed validation, in the order pydantic found them."""
    return tuple(_problem(detail) for detail in error.errors(include_url=False, include_input=False))


def _problem(detail: ErrorDetails) -> Problem:
    kind = detail["type"]
    field = ".".join(str(part) for part in detail["loc"]) or None
    if kind == "json_invalid":
        return Problem(None, f"the body is not JSON: {detail['msg']}", "not_json")
    if field is None:
        return Problem(None, "the body must be a JSON object", "not_an_object")
    return Problem(field, detail["msg"], _reason(kind, field))


def _reason(kind: str, field: str) -> str:
    if kind == "missing":
        return "missing_field"
    if kind in _OWN:
        return kind
    if kind == "literal_error" and field in _BY_FIELD:
        return _BY_FIELD[field]
    if kind == "extra_forbidden":
        return "unknown_field"
    if kind.endswith("_type"):
        return "wrong_type"
    return "invalid_field"

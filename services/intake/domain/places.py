"""Provinces, districts and communes as sent (ISO or numeric code, English or Khmer name) to codes.

An unknown or ambiguous place is refused with the gazetteer's explanation. A district or commune that
lies in another province or district than the one given keeps its code: the gazetteer knows the place,
only the combination is doubtful, and routing sends such a case to triage rather than losing it.
"""

from __future__ import annotations

from pydantic_core import PydanticCustomError

from shared.places.gazetteer import Gazetteer, Outcome, Resolution


def resolve_province(gazetteer: Gazetteer, value: str) -> str:
    """The ISO code (``KH-12``) of the province named or coded by ``value``."""
    iso = gazetteer.resolve_province(value)
    if iso is None:
        raise PydanticCustomError(
            "unknown_province",
            "no province has this code or name: give KH-1..KH-25, the 2-digit code, or its English or "
            "Khmer name",
        )
    return iso


def resolve_district(gazetteer: Gazetteer, value: str, province: str | None) -> str:
    """The 4-digit code of the district named or coded by ``value`` (in ``province`` when known)."""
    return _code(gazetteer.resolve_district(value, province), "unknown_district")


def resolve_commune(gazetteer: Gazetteer, value: str, province: str | None, district: str | None) -> str:
    """The 6-digit code of the commune named or coded by ``value`` (in its parents when known)."""
    return _code(gazetteer.resolve_commune(value, province, district), "unknown_commune")


def _code(resolution: Resolution, kind: str) -> str:
    if resolution.found or (resolution.outcome is Outcome.CONTRADICTION and resolution.code is not None):
        assert resolution.code is not None
        return resolution.code
    raise PydanticCustomError(kind, "{detail}", {"detail": resolution.detail})

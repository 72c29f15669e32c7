"""Finding the province, district and commune named in free text (Messenger and SMS complaints).

English names match whole words only ("Kep" is not found in "keep"); spacing and hyphens may differ
("Siemreap", "Siem Reap"). Khmer is written without spaces, so Khmer names match as whole names at
syllable boundaries, longest first ("បន្ទាយមានជ័យ" is not also "មានជ័យ"). Many district and commune
names are everyday Khmer words ("ពួក" is Puok district and also "group"), so a Khmer district or commune
counts only after its level word (ស្រុក, ខណ្ឌ, ក្រុង, ឃុំ, សង្កាត់); English ones shorter than five
letters need theirs too ("Puok district", "khan Doun Penh"). A name that is both a province and its
capital town means the province unless the text says otherwise ("ក្រុងបាត់ដំបង", "Battambang town").
Communes are looked for only inside the province or district found, as their names repeat nationwide.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from shared.places.gazetteer import Gazetteer
from shared.places.records import (
    ENGLISH_MARKERS_AFTER,
    ENGLISH_MARKERS_BEFORE,
    KHMER_MARKERS,
    Level,
    iso_of,
    name_key,
    name_keys,
    unify_khmer,
)

_LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:['\u2019\u2018\-][A-Za-z0-9]+)*")
_KHMER = "\u1780-\u17ff\u19e0-\u19ff"
_KHMER_RUN = re.compile(f"[{_KHMER}][{_KHMER}\\s\u200b-\u200d\u2060\ufeff]*")
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_COENG = "\u17d2"
_MAX_WORDS = 6
_MIN_PLAIN = 5
_PREFIX = 3
# Province names that are also everyday words ("កណ្ដាល" is "middle"): they need ខេត្ត before them.
_EVERYDAY = frozenset({name_key("កណ្ដាល")})
_KHMER_MARKER_KEYS = {level: tuple(map(name_key, ms)) for level, ms in KHMER_MARKERS.items()}

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class TextMatch:
    """Places found in a text: codes, or None. ``other_provinces`` lists further provinces named."""

    province: str | None = None
    district: str | None = None
    commune: str | None = None
    other_provinces: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int  # offsets into the original text
    end: int
    key: str
    khmer: bool
    marker: Level | None  # the level word next to the name, if any

    @property
    def plain_ok(self) -> bool:
        """A district or commune name without its level word still counts."""
        return self.marker is None and not self.khmer and len(self.key) >= _MIN_PLAIN


def _continues_syllable(char: str) -> bool:
    # Dependent vowels, signs and the subscript mark belong to the consonant before them.
    return "\u17b4" <= char <= "\u17d3" or char == "\u17dd"


class _Text:
    """A text split for matching: English words, and Khmer runs with spaces removed."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.words = [(name_key(m.group()), m.start(), m.end()) for m in _LATIN_WORD.finditer(text)]
        self.runs: list[tuple[str, list[int]]] = []
        for run in _KHMER_RUN.finditer(text):
            kept = [
                (ch, run.start() + i)
                for i, ch in enumerate(run.group())
                if not (ch.isspace() or ch in _ZERO_WIDTH)
            ]
            self.runs.append((unify_khmer("".join(ch for ch, _ in kept)), [at for _, at in kept]))

    def hits(self, english: Collection[str], khmer: _KhmerKeys) -> list[_Hit]:
        """Every occurrence of the given name keys, overlapping ones included."""
        found: list[_Hit] = []
        for i in range(len(self.words)):
            for n in range(min(_MAX_WORDS, len(self.words) - i), 0, -1):
                key = "".join(w for w, _, _ in self.words[i : i + n])
                if key in english:
                    end = self.words[i + n - 1][2]
                    found.append(_Hit(self.words[i][1], end, key, False, self._english_marker(i, i + n)))
        for compact, offsets in self.runs:
            for key in khmer.in_run(compact):
                at = compact.find(key)
                while at >= 0:
                    end = at + len(key)
                    if (at == 0 or compact[at - 1] != _COENG) and not (
                        end < len(compact) and _continues_syllable(compact[end])
                    ):
                        found.append(
                            _Hit(offsets[at], offsets[end - 1] + 1, key, True, _khmer_marker(compact, at))
                        )
                    at = compact.find(key, at + 1)
        return found

    def _english_marker(self, first: int, stop: int) -> Level | None:
        # Only a level word joined to the name by spaces counts: in "Sangkat X, Khan Y", "Khan" is Y's.
        if first > 0 and self._adjacent(first - 1):
            for level, before in ENGLISH_MARKERS_BEFORE.items():
                if self.words[first - 1][0] in before:
                    return level
        if stop < len(self.words) and self._adjacent(stop - 1):
            for level, after in ENGLISH_MARKERS_AFTER.items():
                if self.words[stop][0] in after:
                    return level
        return None

    def _adjacent(self, left: int) -> bool:
        return not self.text[self.words[left][2] : self.words[left + 1][1]].strip()


def _khmer_marker(compact: str, at: int) -> Level | None:
    for level, markers in _KHMER_MARKER_KEYS.items():
        if any(compact.endswith(m, 0, at) for m in markers):
            return level
    return None


@dataclass(frozen=True, slots=True)
class _KhmerKeys:
    """Khmer name keys by their first three characters: a run is searched only for the keys that can start
    in it, a few of some hundreds (a Khmer run has no spaces to split words on)."""

    by_prefix: dict[str, tuple[str, ...]]
    short: tuple[str, ...]  # keys shorter than that, searched for in every run

    @classmethod
    def of(cls, keys: Collection[str]) -> _KhmerKeys:
        by_prefix: dict[str, list[str]] = {}
        for key in keys:
            if len(key) >= _PREFIX:
                by_prefix.setdefault(key[:_PREFIX], []).append(key)
        return cls(
            {prefix: tuple(found) for prefix, found in by_prefix.items()},
            tuple(key for key in keys if len(key) < _PREFIX),
        )

    def in_run(self, compact: str) -> list[str]:
        prefixes = {compact[i : i + _PREFIX] for i in range(len(compact) - _PREFIX + 1)}
        return [*self.short, *(key for prefix in prefixes for key in self.by_prefix.get(prefix, ()))]


def _split_keys(keys: Collection[str]) -> tuple[frozenset[str], _KhmerKeys]:
    return frozenset(keys), _KhmerKeys.of([k for k in keys if k and "\u1780" <= k[0] <= "\u19ff"])


@lru_cache(maxsize=4)
def _national_keys(gazetteer: Gazetteer) -> tuple[frozenset[str], _KhmerKeys]:
    return _split_keys(gazetteer.province_keys.keys() | gazetteer.district_keys.keys())


def _non_overlapping(hits: list[tuple[_Hit, T]]) -> list[tuple[_Hit, T]]:
    """Longest names first; a hit overlapping one already kept is dropped. Result in text order."""
    kept: list[tuple[_Hit, T]] = []
    for hit, value in sorted(hits, key=lambda h: (h[0].start - h[0].end, h[0].start)):
        if all(hit.end <= k.start or k.end <= hit.start for k, _ in kept):
            kept.append((hit, value))
    return sorted(kept, key=lambda h: h[0].start)


def _classify(gazetteer: Gazetteer, hit: _Hit) -> tuple[Level, tuple[str, ...]] | None:
    iso = gazetteer.province_keys.get(hit.key)
    districts = gazetteer.district_keys.get(hit.key, ())
    if hit.marker == "district":
        # "Siem Reap town" is the district the MEF list spells "Siem Reab": same Khmer name as the province.
        town = gazetteer.towns.get(iso) if iso else None
        if districts:
            return "district", districts
        if town:
            return "district", (town,)
    if iso and hit.marker != "commune" and (hit.marker == "province" or hit.key not in _EVERYDAY):
        return "province", (iso,)
    if districts and hit.plain_ok:
        return "district", districts
    return None


def find_places(gazetteer: Gazetteer, text: str) -> TextMatch:
    """The most specific place named in ``text``; see the module docstring for the matching rules."""
    view = _Text(text)
    hits = view.hits(*_national_keys(gazetteer))
    kept = _non_overlapping([(h, c) for h in hits if (c := _classify(gazetteer, h)) is not None])
    named = {codes[0] for (_, (level, codes)) in kept if level == "province"}
    # Each mention: (position, province, district or None). An ambiguous district name counts only
    # when exactly one of its namesakes lies in a province the text also names.
    mentions: list[tuple[int, str, str | None]] = []
    for hit, (level, codes) in kept:
        places = codes if level == "province" or len(codes) == 1 else [c for c in codes if iso_of(c) in named]
        if len(places) == 1:
            code = places[0]
            if level == "province":
                mentions.append((hit.start, code, None))
            else:
                mentions.append((hit.start, iso_of(code), code))
    if not mentions:
        return TextMatch()
    provinces = {iso for _, iso, _ in mentions}

    def rank(iso: str) -> tuple[bool, int, int]:
        own = [(at, district) for at, p, district in mentions if p == iso]
        return any(d for _, d in own), len(own), -min(at for at, _ in own)

    province = max(provinces, key=rank)
    district = next((d for _, p, d in mentions if p == province and d), None)
    commune = _find_commune(gazetteer, view, district or province, [h for h, _ in kept])
    others = tuple(iso for iso in dict.fromkeys(p for _, p, _ in mentions) if iso != province)
    if commune is not None and district is None:
        district = commune[:4]
    return TextMatch(province, district, commune, others)


@lru_cache(maxsize=512)
def _commune_keys(
    gazetteer: Gazetteer, scope: str
) -> tuple[dict[str, list[str]], tuple[frozenset[str], _KhmerKeys]]:
    """The communes within ``scope`` by name key, and those keys split for matching: built once a scope."""
    keys: dict[str, list[str]] = {}
    for commune in gazetteer.communes(scope):
        for key in name_keys(commune):
            keys.setdefault(key, []).append(commune.code)
    return keys, _split_keys(keys.keys())


def _find_commune(gazetteer: Gazetteer, view: _Text, scope: str, taken: list[_Hit]) -> str | None:
    keys, split = _commune_keys(gazetteer, scope)
    hits = [
        (h, keys[h.key])
        for h in view.hits(*split)
        if (h.marker == "commune" or h.plain_ok) and all(_clear_of(h, t) for t in taken)
    ]
    return next((codes[0] for _, codes in _non_overlapping(hits) if len(codes) == 1), None)


def _clear_of(hit: _Hit, taken: _Hit) -> bool:
    # A commune may hold a shorter name: "Boeng Keng Kang 1" holds district "Boeng Keng Kang".
    inside = (
        hit.start <= taken.start and taken.end <= hit.end and hit.end - hit.start > taken.end - taken.start
    )
    return inside or hit.end <= taken.start or taken.end <= hit.start

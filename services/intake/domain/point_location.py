"""A latitude and longitude to a Cambodian province (and district, near a district's seat), from landmarks.

The landmarks are named places with coordinates (towns, district seats, province centres) and the
country, province and district each lies in; no boundary polygons. So a point is placed by its nearest
landmarks, and the rules below were chosen on measurements (docs/open311.md §Locations):

- The province is a vote of the 3 nearest Cambodian landmarks, each weighing 1/d²: a point near a
  provincial border is less often given to the province of a single landmark just across it.
- The district is set only within 3 km of a landmark that names a district (its seat), in the province
  voted: further out the nearest seat is as often the neighbouring district's.
- A point is outside Cambodia when it lies outside the country's bounding box, or when its nearest foreign
  place is more than 30 km closer than its nearest Cambodian one. Thai and Vietnamese towns are denser than
  Cambodian ones, so "the nearest town is foreign" alone refused Cambodian border towns (Bavet, Paoy Paet
  and Trapeang Prasat once left out of the landmarks); with the margin no Cambodian town measured is
  refused, and foreign points within about 30 km of the border are filed to the nearest province instead:
  refusing a Cambodian citizen costs more than a case a unit passes on.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

CAMBODIA = "KH"
# The country's extent (Koh Poulo Wai to the Dangrek range, the Thai border to Ratanakiri), plus ~5 km.
SOUTH, NORTH, WEST, EAST = 9.85, 14.75, 102.28, 107.68
VOTERS = 3
DISTRICT_RADIUS_KM = 3.0
FOREIGN_MARGIN_KM = 30.0
_NEAR_KM = 0.5  # distances below this weigh as this: a landmark at the point itself does not outvote all
_EARTH_KM = 6371.0


@dataclass(frozen=True, slots=True)
class Landmark:
    """A named place; ``province`` (ISO code) and ``district`` (4 digits) are set for Cambodian ones."""

    name: str
    lat: float
    lon: float
    country: str
    province: str | None = None
    district: str | None = None


@dataclass(frozen=True, slots=True)
class PointPlace:
    """Where a point lies: a province's ISO code and, near a district seat, the district's code."""

    province: str
    district: str | None = None


class OutsideCambodiaError(ValueError):
    """The point is not in Cambodia."""


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(math.sqrt(h))


def in_bounds(lat: float, lon: float) -> bool:
    """Whether the point lies in Cambodia's bounding box."""
    return SOUTH <= lat <= NORTH and WEST <= lon <= EAST


class PointLocator:
    """Places points among ``landmarks``: Cambodian ones (with a province) and those of its neighbours."""

    def __init__(self, landmarks: Iterable[Landmark]) -> None:
        self._home = tuple(m for m in landmarks if m.country == CAMBODIA and m.province)
        self._foreign = tuple(m for m in landmarks if m.country != CAMBODIA)
        if not self._home:
            raise ValueError("no Cambodian landmark with a province")

    def __len__(self) -> int:
        return len(self._home) + len(self._foreign)

    def locate(self, lat: float, lon: float) -> PointPlace:
        """The province (and maybe district) of the point; raises :class:`OutsideCambodiaError`."""
        if not in_bounds(lat, lon):
            raise OutsideCambodiaError("the point lies outside Cambodia's bounds")
        home = sorted(((distance_km(lat, lon, m.lat, m.lon), m) for m in self._home), key=_first)
        nearest_foreign = min((distance_km(lat, lon, m.lat, m.lon) for m in self._foreign), default=math.inf)
        if home[0][0] - nearest_foreign > FOREIGN_MARGIN_KM:
            raise OutsideCambodiaError("the point is nearer a town of a neighbouring country")
        province = _vote(home[:VOTERS])
        return PointPlace(province, _district(home, province))


def _first(pair: tuple[float, Landmark]) -> float:
    return pair[0]


def _vote(nearest: list[tuple[float, Landmark]]) -> str:
    weights: dict[str, float] = defaultdict(float)
    for distance, landmark in nearest:
        assert landmark.province is not None
        weights[landmark.province] += 1 / max(distance, _NEAR_KM) ** 2
    return max(weights, key=lambda province: weights[province])


def _district(home: list[tuple[float, Landmark]], province: str) -> str | None:
    for distance, landmark in home:
        if distance > DISTRICT_RADIUS_KM:
            return None
        if landmark.district and landmark.province == province:
            return landmark.district
    return None

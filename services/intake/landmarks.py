"""The landmarks Open311 points are placed among, from the ``countrystatecity-countries`` package data.

Cambodia's towns and district seats (111 places, each with its province's ISO 3166-2 code, the form the
gazetteer uses) and the centres of its 25 provinces; the towns of Thailand, Laos and Vietnam near the
border, to tell a point across it. A town named like a district of its province (``Srŏk Âk Phnŭm``,
``Paoy Paet``) is that district's seat and carries the district's gazetteer code. Read once, offline, on
first use. Data: countries-states-cities-database, Open Database License (docs/open311.md §Locations).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from countrystatecity_countries import get_cities_of_country, get_states_of_country

from services.intake.domain.point_location import CAMBODIA, EAST, NORTH, SOUTH, WEST, Landmark
from shared.places.gazetteer import Gazetteer

NEIGHBOURS = ("TH", "LA", "VN")
_REACH = 1.0  # degrees around Cambodia's box whose foreign towns count (~110 km)
_PREFIXES = ("phumi ",)  # "Phumĭ Véal Srê": a village; srok/khan/krong are stripped by the gazetteer


@lru_cache(maxsize=1)
def load_landmarks(gazetteer: Gazetteer) -> tuple[Landmark, ...]:
    """Cambodian landmarks (with province and, for district seats, district) and nearby foreign towns."""
    provinces = {state.state_code: state.iso3166_2 for state in get_states_of_country(CAMBODIA)}
    found: list[Landmark] = []
    for state in get_states_of_country(CAMBODIA):
        if state.latitude and state.longitude and gazetteer.province(state.iso3166_2 or ""):
            found.append(
                Landmark(state.name, float(state.latitude), float(state.longitude), CAMBODIA, state.iso3166_2)
            )
    for city in get_cities_of_country(CAMBODIA):
        province = provinces.get(city.state_code)
        if province is None or gazetteer.province(province) is None:
            continue
        name = _plain(city.name)
        seat = gazetteer.resolve_district(name, province)
        district = seat.code if seat.found else None
        if district is None and gazetteer.resolve_province(name) == province:
            district = gazetteer.towns.get(province)  # the town named like its province: "Siem Reap"
        found.append(
            Landmark(city.name, float(city.latitude), float(city.longitude), CAMBODIA, province, district)
        )
    for country in NEIGHBOURS:
        for city in get_cities_of_country(country):
            lat, lon = float(city.latitude), float(city.longitude)
            if SOUTH - _REACH <= lat <= NORTH + _REACH and WEST - _REACH <= lon <= EAST + _REACH:
                found.append(Landmark(city.name, lat, lon, country))
    return tuple(found)


def _plain(name: str) -> str:
    """A romanised name without its diacritics and village prefix: ``Srŏk Âk Phnŭm`` -> ``Srok Ak Phnum``."""
    decomposed = unicodedata.normalize("NFKD", name.replace("\u2019", "'"))
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    for prefix in _PREFIXES:
        if text.casefold().startswith(prefix):
            text = text[len(prefix) :]
    return text

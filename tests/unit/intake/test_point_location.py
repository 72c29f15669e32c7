"""Placing a latitude and longitude in a province: the rules on made-up landmarks, then the accuracy on
the package's own district seats (the number docs/open311.md §Locations reports)."""

from __future__ import annotations

import pytest

from services.intake.domain.point_location import (
    Landmark,
    OutsideCambodiaError,
    PointLocator,
    PointPlace,
    distance_km,
)
from services.intake.landmarks import load_landmarks
from shared.places.gazetteer import load_gazetteer

pytestmark = pytest.mark.unit
LANDMARKS = load_landmarks(load_gazetteer())
KM = 1 / 111.2  # degrees of latitude in a kilometre


def test_the_distance_between_phnom_penh_and_siem_reap_is_about_230_km() -> None:
    assert distance_km(11.5625, 104.9160, 13.3618, 103.8606) == pytest.approx(230.6, abs=0.1)


def test_three_near_landmarks_outvote_the_single_nearest_one() -> None:
    locator = PointLocator([
        Landmark("across", 12.0 + 2 * KM, 105.0, "KH", "KH-3"),
        Landmark("home a", 12.0 - 2.5 * KM, 105.0, "KH", "KH-25"),
        Landmark("home b", 12.0 - 2.6 * KM, 105.0, "KH", "KH-25"),
    ])  # fmt: skip
    assert locator.locate(12.0, 105.0).province == "KH-25"


def test_the_district_is_set_only_near_a_seat_of_the_province_voted() -> None:
    locator = PointLocator([Landmark("seat", 12.0, 105.0, "KH", "KH-3", "0305")])
    assert locator.locate(12.0 + 2.9 * KM, 105.0) == PointPlace("KH-3", "0305")
    assert locator.locate(12.0 + 3.1 * KM, 105.0) == PointPlace("KH-3", None)


def test_a_point_much_nearer_a_foreign_town_is_outside_and_one_near_the_border_is_not() -> None:
    locator = PointLocator([
        Landmark("home", 12.0, 105.0, "KH", "KH-3"),
        Landmark("abroad", 12.0, 105.5, "VN"),
    ])  # fmt: skip
    # 54 km from home, 0 from abroad: outside; halfway, 27 km from each: inside.
    with pytest.raises(OutsideCambodiaError):
        locator.locate(12.0, 105.5)
    assert locator.locate(12.0, 105.25).province == "KH-3"


@pytest.mark.parametrize(
    ("lat", "lon", "province"),
    [
        (11.5564, 104.9282, "KH-12"),  # Phnom Penh, Independence Monument
        (13.4125, 103.8670, "KH-17"),  # Angkor Wat
        (10.6270, 103.5220, "KH-18"),  # Sihanoukville port
        (13.6580, 102.5640, "KH-1"),  # Poipet, at the Thai border
        (11.0790, 106.1300, "KH-20"),  # Bavet, at the Vietnamese border
        (13.7390, 106.9870, "KH-16"),  # Banlung
    ],
)
def test_known_places_are_in_their_province(lat: float, lon: float, province: str) -> None:
    assert PointLocator(LANDMARKS).locate(lat, lon).province == province


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (13.7563, 100.5018),  # Bangkok: outside the box
        (10.8231, 106.6297),  # Ho Chi Minh City: inside the box, near Vietnamese towns only
        (10.2270, 103.9670),  # Phu Quoc, a Vietnamese island off Kampot
        (0.0, 0.0),
    ],
)
def test_places_abroad_are_outside(lat: float, lon: float) -> None:
    with pytest.raises(OutsideCambodiaError):
        PointLocator(LANDMARKS).locate(lat, lon)


def test_each_district_seat_left_out_of_the_landmarks_is_placed_in_its_province() -> None:
    """Leave-one-out: each seat, removed, is placed by the others, as a point between landmarks is."""
    seats = [m for m in LANDMARKS if m.country == "KH" and m.district]
    placed = {}
    for seat in seats:
        placed[seat.name] = PointLocator([m for m in LANDMARKS if m is not seat]).locate(seat.lat, seat.lon)
    missed = sorted(name for name, place in placed.items() if place.province != _seat(name).province)
    assert len(seats) == 67
    assert missed == ["Kampong Cham", "Srae Ambel", "Srŏk Khsăch Kândal"]  # 64 of 67: 95.5 %


def _seat(name: str) -> Landmark:
    return next(m for m in LANDMARKS if m.name == name and m.district)

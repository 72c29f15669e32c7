"""The gazetteer: place counts, codes, names in both languages, resolution and its contradictions."""

from __future__ import annotations

import pytest

from shared.places.gazetteer import Outcome, Resolution, load_gazetteer

pytestmark = pytest.mark.unit

gazetteer = load_gazetteer()


def test_loads_the_mef_lists_once() -> None:
    assert load_gazetteer() is gazetteer
    assert len(gazetteer.provinces()) == 25
    assert len(gazetteer.districts()) == 210
    assert len(gazetteer.communes()) == 1661


def test_codes_nest_inside_their_parents() -> None:
    for district in gazetteer.districts():
        assert district.province == f"KH-{int(district.code[:2])}"
    for commune in gazetteer.communes():
        assert commune.code.startswith(commune.district)
        assert gazetteer.district(commune.district) is not None


def test_the_known_gap_in_the_commune_list() -> None:
    # DOMAIN.md: commune 120913 is missing from the MEF list.
    assert gazetteer.commune("120913") is None
    assert gazetteer.resolve_commune("120913").outcome is Outcome.UNKNOWN


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("KH-12", "KH-12"),
        ("kh-12", "KH-12"),
        ("KH-01", "KH-1"),
        ("12", "KH-12"),
        ("01", "KH-1"),
        ("1", "KH-1"),
        ("១២", "KH-12"),
        ("Phnom Penh", "KH-12"),
        ("phnom penh", "KH-12"),
        ("PHNOM-PENH", "KH-12"),
        ("Phnom Penh Capital", "KH-12"),
        ("រាជធានីភ្នំពេញ", "KH-12"),
        ("ភ្នំពេញ", "KH-12"),
        ("Siem Reap", "KH-17"),
        ("Siemreap", "KH-17"),
        ("សៀមរាប", "KH-17"),
        ("Battambang Province", "KH-2"),
        ("ខេត្តបាត់ដំបង", "KH-2"),
        ("Kompong Cham", "KH-3"),
        ("Ratanakiri", "KH-16"),
        ("Tboung Khmum", "KH-25"),
        ("ខេត្តកណ្តាល", "KH-8"),
        (" Kep ", "KH-23"),
    ],
)
def test_resolves_provinces(value: str, iso: str) -> None:
    assert gazetteer.resolve_province(value) == iso


@pytest.mark.parametrize("value", ["KH-26", "KH-0", "26", "0", "", "Atlantis", "Phnom", "Tuol Kouk"])
def test_unknown_provinces_resolve_to_none(value: str) -> None:
    assert gazetteer.resolve_province(value) is None


def test_names_in_english_and_khmer() -> None:
    assert gazetteer.name("KH-12") == "Phnom Penh"
    assert gazetteer.name("KH-12", "km") == "រាជធានីភ្នំពេញ"
    assert gazetteer.name("KH-2", "km") == "បាត់ដំបង"
    assert gazetteer.name("1204") == "Tuol Kouk"
    assert gazetteer.name("1204", "km") == "ទួលគោក"
    assert gazetteer.name("120101") == "Tonle Basak"
    assert gazetteer.name("120101", "km") == "ទន្លេបាសាក់"
    assert gazetteer.name("9999") is None
    assert gazetteer.name("KH-30") is None


@pytest.mark.parametrize(
    ("value", "province", "expected"),
    [
        ("1204", None, Resolution(Outcome.FOUND, "1204")),
        ("1204", "KH-12", Resolution(Outcome.FOUND, "1204")),
        ("203", "KH-2", Resolution(Outcome.FOUND, "0203")),
        ("Tuol Kouk", None, Resolution(Outcome.FOUND, "1204")),
        ("tuol-kouk", "KH-12", Resolution(Outcome.FOUND, "1204")),
        ("Khan Tuol Kouk", "KH-12", Resolution(Outcome.FOUND, "1204")),
        ("ខណ្ឌទួលគោក", "KH-12", Resolution(Outcome.FOUND, "1204")),
        ("ស្រុកបាណន់", "KH-2", Resolution(Outcome.FOUND, "0201")),
        ("Samraong", "KH-21", Resolution(Outcome.FOUND, "2107")),
        ("Samraong", "KH-22", Resolution(Outcome.FOUND, "2204")),
    ],
)
def test_resolves_districts(value: str, province: str | None, expected: Resolution) -> None:
    assert gazetteer.resolve_district(value, province) == expected


def test_a_district_code_outside_the_province_is_a_contradiction() -> None:
    found = gazetteer.resolve_district("0203", "KH-12")
    assert found.outcome is Outcome.CONTRADICTION
    assert found.code == "0203"
    assert "KH-2" in found.detail
    assert not found.found


def test_a_district_name_outside_the_province_is_a_contradiction() -> None:
    found = gazetteer.resolve_district("Tuol Kouk", "KH-2")
    assert (found.outcome, found.code) == (Outcome.CONTRADICTION, "1204")


def test_unknown_and_ambiguous_districts() -> None:
    assert gazetteer.resolve_district("9999").outcome is Outcome.UNKNOWN
    assert gazetteer.resolve_district("12345").outcome is Outcome.UNKNOWN
    assert gazetteer.resolve_district("Atlantis").outcome is Outcome.UNKNOWN
    ambiguous = gazetteer.resolve_district("Samraong")
    assert (ambiguous.outcome, ambiguous.code) == (Outcome.AMBIGUOUS, None)
    assert "2107" in ambiguous.detail
    assert "2204" in ambiguous.detail


def test_resolves_communes() -> None:
    assert gazetteer.resolve_commune("120101") == Resolution(Outcome.FOUND, "120101")
    assert gazetteer.resolve_commune("Tonle Basak", "KH-12") == Resolution(Outcome.FOUND, "120101")
    assert gazetteer.resolve_commune("Sangkat Tonle Basak", district="1201") == Resolution(
        Outcome.FOUND, "120101"
    )
    assert gazetteer.resolve_commune("សង្កាត់ទន្លេបាសាក់", "KH-12") == Resolution(Outcome.FOUND, "120101")
    assert gazetteer.resolve_commune("Boeng Keng Kang 1", "KH-12") == Resolution(Outcome.FOUND, "121301")
    assert gazetteer.resolve_commune("បឹងកេងកង១", "KH-12") == Resolution(Outcome.FOUND, "121301")
    assert gazetteer.resolve_commune("Baray", district="0601") == Resolution(Outcome.FOUND, "060103")


def test_commune_contradictions_and_ambiguity() -> None:
    outside_district = gazetteer.resolve_commune("120101", district="1204")
    assert (outside_district.outcome, outside_district.code) == (Outcome.CONTRADICTION, "120101")
    outside_province = gazetteer.resolve_commune("120101", province="KH-2")
    assert (outside_province.outcome, outside_province.code) == (Outcome.CONTRADICTION, "120101")
    by_name = gazetteer.resolve_commune("Tonle Basak", province="KH-2")
    assert (by_name.outcome, by_name.code) == (Outcome.CONTRADICTION, "120101")
    assert gazetteer.resolve_commune("Baray").outcome is Outcome.AMBIGUOUS
    assert gazetteer.resolve_commune("Kokir", district="2503").outcome is Outcome.AMBIGUOUS
    assert gazetteer.resolve_commune("Nowhere", "KH-12").outcome is Outcome.UNKNOWN

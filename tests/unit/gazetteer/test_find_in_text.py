"""Finding places named in free Khmer and English text (Messenger and SMS complaints)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.intake.domain.place_finder import TextMatch, find_places
from shared.places.gazetteer import load_gazetteer

pytestmark = pytest.mark.unit

gazetteer = load_gazetteer()


@pytest.mark.parametrize(
    ("text", "province", "district", "commune"),
    [
        ("Police in Battambang refused my complaint", "KH-2", None, None),
        ("នៅខេត្តបាត់ដំបង ប៉ូលីសមិនព្រមទទួលពាក្យបណ្ដឹង", "KH-2", None, None),
        ("បាត់ដំបង", "KH-2", None, None),
        ("Drug dealing in Tuol Kouk, Phnom Penh", "KH-12", "1204", None),
        ("ខណ្ឌទួលគោក រាជធានីភ្នំពេញ", "KH-12", "1204", None),
        ("Someone stole my phone in Tuol Kouk", "KH-12", "1204", None),
        ("I live in Siem Reap town", "KH-17", "1710", None),
        ("I live in Siem-Reap", "KH-17", None, None),
        ("ក្រុងសៀមរាប", "KH-17", "1710", None),
        ("Battambang town, Battambang province", "KH-2", "0203", None),
        ("ក្រុងព្រះសីហនុ", "KH-18", "1801", None),
        ("kompong cham", "KH-3", None, None),
        ("Sangkat Boeng Keng Kang Ti Muoy, Khan Boeng Keng Kang", "KH-12", "1213", "121301"),
        ("Boeng Keng Kang 1, Phnom Penh", "KH-12", "1213", "121301"),
        ("សង្កាត់បឹងកេងកង១ ខណ្ឌបឹងកេងកង", "KH-12", "1213", "121301"),
        ("សង្កាត់ទួលទំពូងទី ២ ភ្នំពេញ", "KH-12", "1201", "120109"),
        ("Theft in Sangkat Svay Dankum, Siem Reap", "KH-17", "1710", "171002"),
        ("ឃុំស្វាយដង្គំ ក្រុងសៀមរាប", "KH-17", "1710", "171002"),
        ("Land dispute in Samraong district, Takeo", "KH-21", "2107", None),
        ("Thieves took my cow in Puok district", "KH-17", "1707", None),
        ("ស្រុកពួក ខេត្តសៀមរាប", "KH-17", "1707", None),
        ("Someone stole my phone in Baray", "KH-6", "0601", None),
        ("Flooding in Banteay Meanchey again", "KH-1", None, None),
        ("ខេត្តកណ្តាល", "KH-8", None, None),
        ("Ratanakiri", "KH-16", None, None),
    ],
)
def test_finds_the_most_specific_place(
    text: str, province: str, district: str | None, commune: str | None
) -> None:
    found = find_places(gazetteer, text)
    assert (found.province, found.district, found.commune) == (province, district, commune)


@pytest.mark.parametrize(
    "text",
    [
        "I keep calling and nobody answers",  # "Kep" is a province, but not inside "keep"
        "Kepler street",
        "ពួកគេលួចម៉ូតូខ្ញុំ",  # "ពួក" (they) is also Puok district: a Khmer district needs its ស្រុក
        "នៅកណ្ដាលផ្លូវ",  # "កណ្ដាល" (middle of the road) is also Kandal province
        "សូមកែប្រែព័ត៌មាន",  # "កែប" (Kep) inside "កែប្រែ" (modify) is not a whole syllable
        "Violence in Samraong district",  # two districts have this name, and no province says which
        "Gang violence in Poipet",  # the MEF list spells it Paoy Paet
        "",
    ],
)
def test_finds_nothing_where_nothing_is_named(text: str) -> None:
    assert find_places(gazetteer, text) == TextMatch()


def test_a_district_decides_between_provinces() -> None:
    found = find_places(gazetteer, "I moved from Kampot to Phnom Penh; police in Tuol Kouk ignored me")
    assert (found.province, found.district) == ("KH-12", "1204")
    assert found.other_provinces == ("KH-7",)


def test_the_province_named_most_often_wins_and_others_are_listed() -> None:
    found = find_places(gazetteer, "I moved from Pursat to Kampot; a neighbour in Kampot threatens me")
    assert found == TextMatch("KH-7", None, None, ("KH-15",))


def test_a_longer_name_hides_the_shorter_one_inside_it() -> None:
    # "Banteay Meanchey" holds "Mean Chey", a district of Phnom Penh.
    assert find_places(gazetteer, "Banteay Meanchey").other_provinces == ()
    assert find_places(gazetteer, "ខេត្តបន្ទាយមានជ័យ") == TextMatch("KH-1")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("abcdeKkPphnomt -,.ខេត្តបាដំងភ្នំពេញស្រុកឃុំ"), max_size=80))
def test_whatever_is_found_is_consistent(text: str) -> None:
    found = find_places(gazetteer, text)
    if found.province is None:
        assert found == TextMatch()
        return
    assert gazetteer.province(found.province) is not None
    if found.district is not None:
        district = gazetteer.district(found.district)
        assert district is not None
        assert district.province == found.province
    if found.commune is not None:
        commune = gazetteer.commune(found.commune)
        assert commune is not None
        assert commune.district == found.district
    assert found.province not in found.other_provinces

"""Realistic complaints, in Khmer and English, from their words to the unit they are routed to.

Free text goes through the gazetteer's text search, structured locations through its resolvers, and
both through ``decide`` with the shipped rules. Expected units are written out by hand from the MEF
lists, not computed, so a change in matching or routing shows here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from services.intake.domain.place_finder import find_places
from services.routing.domain.decide import Assignment, Filing, decide
from services.routing.domain.rules import load_rules
from shared.places.gazetteer import load_gazetteer
from shared.places.units import build_registry

pytestmark = pytest.mark.unit

gazetteer = load_gazetteer()
registry = build_registry(gazetteer)
rules = load_rules(Path(__file__).resolve().parents[3] / "deploy" / "routing-rules.yaml")


@dataclass(frozen=True)
class Case:
    """A complaint: free ``text``, or a structured ``place`` (province, district, commune as sent)."""

    category: str | None
    unit: str | None  # the expected unit id; None for triage
    rule: str
    reason: str  # a phrase the reason must contain
    text: str = ""
    place: tuple[str, str | None, str | None] | None = None
    confidential: bool = False
    subject: str | None = None


CASES = {
    # Free text (Messenger, SMS)
    "en-drugs-district": Case(
        "drugs", "police:1204", "crime/district", "names district 1204",
        text="Someone is selling drugs near the market in Tuol Kouk, Phnom Penh",
    ),
    "km-theft-khan": Case(
        "theft", "police:1204", "crime/district", "Tuol Kouk District Police Inspectorate",
        text="ខ្ញុំរស់នៅខណ្ឌទួលគោក រាជធានីភ្នំពេញ មានគេលួចម៉ូតូខ្ញុំ",
    ),
    "en-police-refused": Case(
        "theft", "provincial-police:KH-2", "crime/confidential", "straight to the provincial level",
        text="Police in Battambang refused my complaint about a stolen motorbike",
        confidential=True, subject="police_station",
    ),
    "km-police-refused": Case(
        "police_misconduct", "provincial-police:KH-2", "crime/confidential", "confidential",
        text="នៅខេត្តបាត់ដំបង ប៉ូលីសមិនព្រមទទួលពាក្យបណ្ដឹងរបស់ខ្ញុំ", confidential=True,
    ),
    "en-land-sangkat": Case(
        "land_dispute", "commune:171002", "administrative/commune", "names commune 171002",
        text="Land dispute with my neighbour in Sangkat Svay Dankum, Siem Reap",
    ),
    "km-land-khum": Case(
        "land_dispute", "commune:171002", "administrative/commune", "Svay Dankum Commune Office",
        text="ជម្លោះដីធ្លីនៅឃុំស្វាយដង្គំ ក្រុងសៀមរាប",
    ),
    "en-flood-province": Case(
        "flood_relief", "provincial-hall:KH-14", "administrative/province", "names no commune",
        text="Our rice fields in Prey Veng are flooded and no relief has come",
    ),
    "en-noise-bkk1": Case(
        "nuisance", "commune:121301", "administrative/commune", "Boeng Keng Kang Ti Muoy Commune Office",
        text="Karaoke noise every night in Sangkat Boeng Keng Kang Ti Muoy, Khan Boeng Keng Kang",
    ),
    "en-noise-numbered": Case(
        "nuisance", "commune:121301", "administrative/commune", "names commune 121301",
        text="Construction noise all night at Boeng Keng Kang 1, Phnom Penh",
    ),
    "en-domestic-town": Case(
        "domestic_violence", "police:0305", "crime/district", "names district 0305",
        text="My husband beats me. I live in Kampong Cham town",
    ),
    "en-traffic-bribes": Case(
        "police_misconduct", "provincial-police:KH-5", "crime/confidential", "confidential",
        text="Traffic police take bribes on National Road 4 in Kampong Speu", confidential=True,
    ),
    "en-traffic-province-only": Case(
        "traffic", "provincial-police:KH-23", "crime/province", "names no district",
        text="Drunk drivers race on the beach road in Kep every night",
    ),
    "en-commune-chief-bribe": Case(
        "corruption", "provincial-hall:KH-8", "administrative/confidential", "Kandal Provincial Hall",
        text="The commune chief in Kandal asked me for money to sign my land title",
        confidential=True, subject="commune_office",
    ),
    "km-kandal-means-middle": Case(
        "traffic", None, "triage/no-province", "names no province",
        text="មានគ្រោះថ្នាក់ចរាចរណ៍នៅកណ្ដាលផ្លូវ",
    ),
    "en-water-krong": Case(
        "public_services", "provincial-hall:KH-18", "administrative/province", "names no commune",
        text="Water supply cut for two weeks in Krong Preah Sihanouk",
    ),
    "en-garbage-sangkat": Case(
        "public_services", "commune:120109", "administrative/commune", "names commune 120109",
        text="Phnom Penh: garbage not collected for a month in Sangkat Tuol Tumpung Ti Pir",
    ),
    "km-garbage-sangkat": Case(
        "public_services", "commune:120109", "administrative/commune", "Tuol Tumpung Ti Pir",
        text="សង្កាត់ទួលទំពូងទី ២ ភ្នំពេញ សំរាមមិនបានប្រមូលមួយខែហើយ",
    ),
    "en-poipet-unknown-spelling": Case(
        "violence", None, "triage/no-province", "names no province",
        text="Gang violence near the casinos in Poipet",
    ),
    "en-cow-puok": Case(
        "theft", "police:1707", "crime/district", "Puok District Police Inspectorate",
        text="Thieves stole my cow in Puok district, Siem Reap",
    ),
    "en-phone-baray": Case(
        "theft", "police:0601", "crime/district", "names district 0601",
        text="Someone stole my phone at the Baray market",
    ),
    "en-wedding-samraong": Case(
        "violence", "police:2107", "crime/district", "names district 2107",
        text="A fight at a wedding in Samraong district, Takeo, and nobody came",
    ),
    "en-samraong-ambiguous": Case(
        "violence", None, "triage/no-province", "names no province",
        text="A fight at a wedding in Samraong district and nobody came",
    ),
    "km-drugs-krong": Case(
        "drugs", "police:1801", "crime/district", "Preah Sihanouk District Police Inspectorate",
        text="ក្រុងព្រះសីហនុ មានការជួញដូរគ្រឿងញៀន",
    ),
    "en-town-police-ignored": Case(
        "theft", "provincial-police:KH-17", "crime/confidential", "Siemreap Provincial Police Commissariat",
        text="Siem Reap town police ignored my report of a theft",
        confidential=True, subject="police_station",
    ),
    "en-two-provinces": Case(
        "violence", "provincial-police:KH-7", "crime/province", "names no district",
        text="I moved from Pursat to Kampot; a neighbour in Kampot threatens me",
    ),
    "en-alias-ratanakiri": Case(
        "nuisance", "provincial-hall:KH-16", "administrative/province", "Ratanak Kiri Provincial Hall",
        text="Sand dredging noise day and night in Ratanakiri",
    ),
    "en-alias-oddar": Case(
        "flood_relief", "provincial-hall:KH-22", "administrative/province", "names no commune",
        text="Flood relief never reached our village in Oddar Meanchey",
    ),
    "en-other": Case(
        "other", None, "triage/no-rule", "category 'other'",
        text="I want to ask about the border market in Pailin",
    ),
    "en-no-category": Case(
        None, None, "triage/no-category", "no category",
        text="Please help me, Takeo",
    ),
    "km-police-bribe-banan": Case(
        "corruption", "provincial-police:KH-2", "corruption-by-police/confidential",
        "rule corruption-by-police",
        text="ប៉ូលីសស្រុកបាណន់ ខេត្តបាត់ដំបង ទារលុយពីខ្ញុំ",
        confidential=True, subject="police_station",
    ),
    "km-domestic-memut": Case(
        "domestic_violence", "police:2503", "crime/district", "names district 2503",
        text="ប្តីខ្ញុំវាយខ្ញុំរាល់យប់ នៅស្រុកមេមត់ ខេត្តត្បូងឃ្មុំ",
    ),
    "en-kompong-spelling": Case(
        "theft", "police:0603", "crime/district", "Stueng Saen District Police Inspectorate",
        text="Motorbike theft in Stueng Saen, Kompong Thom",
    ),
    "en-admin-district-only": Case(
        "public_services", "provincial-hall:KH-6", "administrative/province",
        "districts have no local-authority unit",
        text="Electricity cut for days in Stueng Saen, Kompong Thom",
    ),
    # Structured locations (web form, commune office)
    "form-names": Case(
        "land_dispute", "commune:120101", "administrative/commune", "names commune 120101",
        place=("Phnom Penh", "Chamkar Mon", "Tonle Basak"),
    ),
    "form-codes": Case(
        "drugs", "police:1203", "crime/district", "names district 1203", place=("KH-12", "1203", None),
    ),
    "form-commune-only": Case(
        "drugs", "police:1203", "crime/district", "names commune 120305 of district 1203",
        place=("12", None, "120305"),
    ),
    "form-district-contradicts": Case(
        "theft", None, "triage/district-outside-province", "District 0203 lies in KH-2, not in KH-12",
        place=("12", "0203", None),
    ),
    "form-commune-contradicts": Case(
        "land_dispute", None, "triage/commune-outside-province", "Commune 120109 lies in KH-12, not in KH-3",
        place=("Kampong Cham", None, "Tuol Tumpung Ti Pir"),
    ),
    "form-spelling-siem-reab": Case(
        "drugs", "police:1710", "crime/district", "Siem Reab District Police Inspectorate",
        place=("KH-17", "Siem Reab", None),
    ),
    "form-khmer-names": Case(
        "domestic_violence", "police:2109", "crime/district", "names district 2109",
        place=("ខេត្តតាកែវ", "ស្រុកត្រាំកក់", None),
    ),
    "form-unknown-province": Case(
        "theft", None, "triage/no-province", "names no province", place=("Atlantis", None, None),
    ),
    "form-confidential-district-office": Case(
        "corruption", "provincial-hall:KH-12", "administrative/confidential", "Phnom Penh Capital Hall",
        place=("Phnom Penh", "Tuol Kouk", None), confidential=True, subject="district_office",
    ),
}  # fmt: skip


def _filing(case: Case) -> Filing:
    if case.place is None:
        found = find_places(gazetteer, case.text)
        province, district, commune = found.province, found.district, found.commune
    else:
        province_name, district_name, commune_name = case.place
        province = gazetteer.resolve_province(province_name)
        # A contradicting code is kept: routing, not intake, sends it to triage with its reason.
        district = gazetteer.resolve_district(district_name, province).code if district_name else None
        commune = gazetteer.resolve_commune(commune_name, province, district).code if commune_name else None
    return Filing(
        category=case.category,
        province=province,
        district=district,
        commune=commune,
        confidential=case.confidential,
        subject_kind=case.subject,
    )


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_routes_the_complaint(case: Case) -> None:
    decision = decide(_filing(case), registry, rules)
    unit = decision.unit.id if isinstance(decision, Assignment) else None
    assert (unit, decision.rule) == (case.unit, case.rule)
    assert case.reason in decision.reason

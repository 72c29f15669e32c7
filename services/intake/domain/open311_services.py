"""The Open311 services: the complaint categories of the submission contract, in Khmer and English, and
the attributes every one of them takes (docs/open311.md §Services).

Each category is one service whose ``service_code`` is the category itself. Every service has the same
definition: where it happened (province, district, commune, village: codes or names, an alternative to
``lat``+``long`` and ``address_string``), whom it is about, and the language of the SMS updates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.events.types import Category, Language, SubjectKind
from shared.places.gazetteer import Gazetteer

Datatype = Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]


@dataclass(frozen=True, slots=True)
class Service:
    code: Category
    name_en: str
    name_km: str
    group: str
    description: str

    @property
    def name(self) -> str:
        """The ``service_name``: both languages, as one string (the standard has one name)."""
        return f"{self.name_en} / {self.name_km}"

    @property
    def keywords(self) -> str:
        return ", ".join((self.code.replace("_", " "), self.name_en.lower(), self.name_km))


SERVICES: tuple[Service, ...] = (
    Service("drugs", "Drugs", "គ្រឿងញៀន", "crime", "Drug dealing or drug use"),
    Service("theft", "Theft", "ចោរកម្ម", "crime", "Theft, robbery or burglary"),
    Service("violence", "Violence", "អំពើហិង្សា", "crime", "Assault, fights or threats"),
    Service(
        "domestic_violence",
        "Domestic violence",
        "អំពើហិង្សាក្នុងគ្រួសារ",
        "crime",
        "Violence within a family or household",
    ),
    Service("traffic", "Traffic", "ចរាចរណ៍", "police", "Traffic accidents, dangerous driving, road blocks"),
    Service(
        "police_misconduct",
        "Police misconduct",
        "ការប្រព្រឹត្តខុសរបស់នគរបាល",
        "police",
        "Wrongdoing by a police officer or station (always confidential)",
    ),
    Service(
        "corruption",
        "Corruption",
        "អំពើពុករលួយ",
        "governance",
        "Bribes or unofficial fees asked by an official (always confidential)",
    ),
    Service("land_dispute", "Land dispute", "វិវាទដីធ្លី", "governance", "Disputes over land or its boundaries"),
    Service(
        "public_services",
        "Public services",
        "សេវាសាធារណៈ",
        "governance",
        "Roads, water, electricity, waste and other public services",
    ),
    Service(
        "flood_relief",
        "Flood relief",
        "ជំនួយសង្គ្រោះទឹកជំនន់",
        "community",
        "Help needed after a flood, or relief not delivered",
    ),
    Service("nuisance", "Nuisance", "ការរំខាន", "community", "Noise, smoke and other nuisances"),
    Service("other", "Other", "ផ្សេងៗ", "other", "Anything else"),
)
BY_CODE: dict[str, Service] = {service.code: service for service in SERVICES}


@dataclass(frozen=True, slots=True)
class Attribute:
    """One attribute of a service definition; ``values`` as ``(key, name)`` for lists."""

    code: str
    datatype: Datatype
    description: str
    datatype_description: str = ""
    values: tuple[tuple[str, str], ...] = ()
    required: bool = False


SUBJECT_KINDS: tuple[tuple[SubjectKind, str], ...] = (
    ("police_station", "Police station / ប៉ុស្តិ៍នគរបាល"),
    ("commune_office", "Commune or sangkat office / សាលាឃុំ សង្កាត់"),
    ("district_office", "District office / សាលាស្រុក ខណ្ឌ"),
    ("provincial_office", "Provincial office / សាលាខេត្ត"),
    ("other", "Other / ផ្សេងៗ"),
)
LANGUAGES: tuple[tuple[Language, str], ...] = (("km", "ខ្មែរ (Khmer)"), ("en", "English"))


def attributes(gazetteer: Gazetteer) -> tuple[Attribute, ...]:
    """The attributes every service takes, in order; the province list comes from the gazetteer."""
    provinces = tuple((p.iso, f"{p.name_en} / {p.name_km}") for p in gazetteer.provinces())
    return (
        Attribute(
            "province", "singlevaluelist",
            "Province or capital where it happened (instead of lat/long or address_string)",
            "An ISO 3166-2 code; its 2-digit code or English or Khmer name is accepted too", provinces,
        ),
        Attribute("district", "string", "District, khan or krong", "Its 4-digit code, or its name"),
        Attribute("commune", "string", "Commune or sangkat", "Its 6-digit code, or its name"),
        Attribute("village", "string", "Village", "Its name, at most 200 characters"),
        Attribute("subject_kind", "singlevaluelist", "What the complaint is about", values=SUBJECT_KINDS),
        Attribute("subject_name", "string", "The name of the office or station", "At most 300 characters"),
        Attribute(
            "language", "singlevaluelist", "Language of the SMS updates (with a phone number)",
            "km unless given", LANGUAGES,
        ),
    )  # fmt: skip

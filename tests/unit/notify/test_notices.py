"""Who is texted about which event, in which language and words (docs/contract.md §SMS out)."""

import uuid

import pytest

from services.notify.domain.notices import CITIZEN, CaseFacts, Notice, holder_at, notices_for
from services.notify.domain.texts import Texts, load_texts
from services.notify.settings import TEMPLATES
from shared.events import (
    CaseAcknowledged,
    CaseAssigned,
    CaseEscalated,
    CaseInfoRequested,
    CaseNeedsTriage,
    CaseResolved,
    CitizenNotified,
    CitizenReplied,
    EventData,
    SlaBreached,
    VerdictRecorded,
)
from shared.events.types import Language
from shared.places.units import Unit, UnitRegistry
from shared.testing.events import AT
from tests.unit.cli.stream import stream
from tests.unit.notify.cases import filing

pytestmark = pytest.mark.unit

TEXTS: Texts = load_texts(TEMPLATES)
STATION = Unit(
    id="police:1203", kind="police", name_en="Tuol Kouk District Police Inspectorate",
    name_km="អធិការដ្ឋាននគរបាលខណ្ឌទួលគោក", province="KH-12", parent="provincial-police:KH-12",
    phone="+85512000111",
)  # fmt: skip
PROVINCE = Unit(
    id="provincial-police:KH-12", kind="provincial_police",
    name_en="Phnom Penh Municipal Police Commissariat", name_km="ស្នងការដ្ឋាននគរបាលរាជធានីភ្នំពេញ",
    province="KH-12", parent="moi-working-group",
)  # fmt: skip
UNITS = UnitRegistry([STATION, PROVINCE])
CITIZEN_ID = uuid.uuid4()
REFERENCE = "KH7F3K9Q"


def facts(language: Language = "en", *, confidential: bool = False, anonymous: bool = False) -> CaseFacts:
    citizen_id = None if anonymous else CITIZEN_ID
    return CaseFacts.of(filing(citizen_id, language=language, confidential=confidential, reference=REFERENCE))


def notices(data: EventData, case: CaseFacts) -> list[Notice]:
    return notices_for(data, case, TEXTS, UNITS, "km")


def assigned(unit: Unit, level: int = 0) -> CaseAssigned:
    return CaseAssigned(unit=unit.ref(), level=level, rule="crime/district", reason="the district's police")


def escalated() -> CaseEscalated:
    return CaseEscalated(from_unit=STATION.ref(), to_unit=PROVINCE.ref(), level=1, reason="unanswered")


def test_the_receipt_gives_the_reference_in_the_citizens_language() -> None:
    (km,) = notices(filing(CITIZEN_ID, language="km"), facts("km"))
    (en,) = notices(filing(CITIZEN_ID), facts("en"))
    assert (km.recipient, km.citizen_id, km.skip) == (CITIZEN, CITIZEN_ID, None)
    assert "KH7F3K9Q" in km.text.body
    assert km.text.language == "km"
    assert "យើងបានទទួលពាក្យបណ្ដឹង" in km.text.body
    assert en.text.body.startswith("We received your complaint. Reference: KH7F3K9Q.")


def test_an_assignment_names_the_unit_in_the_citizens_language_and_texts_a_unit_with_a_phone() -> None:
    citizen, unit = notices(assigned(STATION), facts("km"))
    assert STATION.name_km in citizen.text.body
    assert STATION.name_en not in citizen.text.body
    assert unit.recipient == "unit:police:1203"
    assert unit.citizen_id is None
    assert unit.text.template == "unit_assigned"
    assert unit.text.language == "km"  # units are texted in the unit language
    (english,) = [n for n in notices(assigned(STATION), facts("en")) if n.recipient == CITIZEN]
    assert "Tuol Kouk District Police Inspectorate" in english.text.body


def test_a_confidential_case_names_only_the_level() -> None:
    (citizen,) = notices(assigned(PROVINCE, level=1), facts("en", confidential=True))
    assert citizen.text.template == "assigned_confidential"
    assert "the provincial level" in citizen.text.body
    assert "Police" not in citizen.text.body
    (raised,) = [n for n in notices(escalated(), facts("km", confidential=True)) if n.recipient == CITIZEN]
    assert raised.text.template == "escalated_confidential"
    assert PROVINCE.name_km not in raised.text.body
    assert "ថ្នាក់ខេត្ត" in raised.text.body


def test_an_escalation_says_to_whom_and_why_and_a_unit_without_phone_is_not_texted() -> None:
    (citizen,) = notices(escalated(), facts("en"))  # the provincial police has no phone in UNITS
    assert citizen.text.body == (
        "Complaint KH7F3K9Q has been raised to Phnom Penh Municipal Police Commissariat "
        "because no one answered it in time."
    )


def test_a_question_resolution_and_verdict_reach_the_citizen() -> None:
    question = CaseInfoRequested(unit_id="police:1203", question="Which street was it?")
    (asked,) = notices(question, facts("en"))
    assert '"Which street was it?"' in asked.text.body
    (resolved,) = notices(CaseResolved(unit_id="police:1203", note="internal note"), facts("en"))
    assert "internal note" not in resolved.text.body  # a unit's note is not for the citizen
    (verdict,) = notices(VerdictRecorded(verdict="false_report", note="n"), facts("km"))
    assert "មិនពិត" in verdict.text.body


def test_an_anonymous_citizen_is_never_texted_but_the_skip_is_kept() -> None:
    (citizen,) = notices(filing(None), facts(anonymous=True))
    assert citizen.skip == "anonymous"
    citizen, unit = notices(assigned(STATION), facts(anonymous=True))
    assert citizen.skip == "anonymous"
    assert unit.skip is None  # the unit is texted all the same


@pytest.mark.parametrize(
    "data",
    [
        CaseNeedsTriage(reason="no province"),
        CaseAcknowledged(unit_id="police:1203"),
        SlaBreached(clock="acknowledgement", due_at=AT, unit_id="police:1203", level=0),
        CitizenNotified(about_event_id=uuid.uuid4(), channel="sms", provider_message_id="SM1"),
    ],
)
def test_other_events_text_nobody(data: EventData) -> None:
    assert notices(data, facts()) == []


def test_the_unit_holding_the_case_hears_that_the_citizen_answered_but_not_what() -> None:
    reply = CitizenReplied(text="Monday night, near the market", channel="sms")
    (unit,) = notices_for(reply, facts(), TEXTS, UNITS, "en", holder=STATION.ref())
    assert unit.recipient == "unit:police:1203"
    assert REFERENCE in unit.text.body
    assert "answered" in unit.text.body
    assert "Monday" not in unit.text.body
    assert notices_for(reply, facts(), TEXTS, UNITS, "en", holder=PROVINCE.ref()) == []  # no phone
    assert notices_for(reply, facts(), TEXTS, UNITS, "en") == []  # nobody holds it (triage)


def test_the_holder_is_the_unit_at_the_replys_version() -> None:
    events = stream(filing(CITIZEN_ID), assigned(STATION), escalated(), CaseNeedsTriage(reason="x"))
    assert holder_at(events, 1) is None
    assert holder_at(events, 2) == STATION.ref()
    assert holder_at(events, 3) == PROVINCE.ref()
    assert holder_at(events, 4) is None

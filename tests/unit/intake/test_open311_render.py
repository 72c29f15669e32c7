"""Open311 answers rendered in XML and JSON: the same values, the XML valid against the standard's
structure (tests/unit/intake/georeport.py), nothing personal shown."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import uuid4

import pytest
import xmlschema

from services.intake.api.open311 import views
from services.intake.api.open311.errors import Open311Error
from services.intake.api.open311.render import respond
from services.intake.domain.open311_services import SERVICES, attributes
from services.intake.domain.problems import Problem
from services.intake.open311_queries import CaseRecord
from shared.events.types import ResolvedLocation, UnitRef
from shared.places.gazetteer import load_gazetteer
from shared.places.units import Unit, UnitRegistry
from tests.unit.intake.georeport import validate

pytestmark = pytest.mark.unit
GAZETTEER = load_gazetteer()
UNITS = UnitRegistry([])
UNIT = UnitRef(id="police:1203", kind="police", name="Chamkar Mon district police", province="KH-12")


def case(**changes: object) -> CaseRecord:
    fields: dict[str, object] = {
        "case_id": uuid4(), "reference": "KH7F3K9Q", "status": "acknowledged", "category": "theft",
        "location": ResolvedLocation(province="KH-12", district="1201", lat=11.55, lon=104.92),
        "confidential": False, "level": 0, "unit": UNIT,
        "filed_at": datetime(2026, 11, 24, 3, 0, 0, 123456, tzinfo=UTC),
        "updated_at": datetime(2026, 11, 24, 4, 0, tzinfo=UTC),
        "expected_at": datetime(2026, 11, 26, 3, 0, tzinfo=UTC),
    }  # fmt: skip
    fields.update(changes)
    return CaseRecord(**fields)  # type: ignore[arg-type]


def test_services_list_every_category_in_english_and_khmer() -> None:
    answer = respond("xml", "services", views.services())
    validate("services", answer.body)
    listed = json.loads(bytes(respond("json", "services", views.services()).body))
    assert [s["service_code"] for s in listed] == [s.code for s in SERVICES]
    assert listed[1]["service_name"] == "Theft / ចោរកម្ម"
    assert "ចោរកម្ម".encode() in answer.body


def test_a_service_definition_lists_the_attributes_with_the_provinces() -> None:
    body = views.definition("theft", attributes(GAZETTEER))
    validate("service_definition", respond("xml", "service_definition", body).body)
    province = body["attributes"][0]
    assert (province["code"], province["datatype"], len(province["values"])) == (
        "province",
        "singlevaluelist",
        25,
    )
    assert province["values"][11] == {"key": "KH-12", "name": "Phnom Penh / រាជធានីភ្នំពេញ"}


def test_a_request_shows_status_unit_and_deadline_in_cambodian_time_but_no_text_or_point() -> None:
    shown = views.request(case(), GAZETTEER, UNITS)
    validate("requests", respond("xml", "service_requests", [shown]).body)
    assert shown["status"] == "open"
    assert shown["agency_responsible"] == UNIT.name
    assert shown["address"] == "Chamkar Mon, Phnom Penh / ចំការមន, រាជធានីភ្នំពេញ"
    assert (shown["description"], shown["lat"], shown["long"]) == (None, None, None)
    as_json = json.loads(bytes(respond("json", "service_requests", [shown]).body))[0]
    assert as_json["requested_datetime"] == "2026-11-24T10:00:00+07:00"
    assert as_json["expected_datetime"] == "2026-11-26T10:00:00+07:00"


def test_the_agency_is_named_in_english_and_khmer_when_the_unit_is_known() -> None:
    known = Unit(
        id=UNIT.id, kind="police", name_en="Chamkar Mon Police", name_km="នគរបាលខណ្ឌចំការមន", province="KH-12"
    )
    shown = views.request(case(), GAZETTEER, UnitRegistry([known]))
    assert shown["agency_responsible"] == "Chamkar Mon Police / នគរបាលខណ្ឌចំការមន"


def test_a_confidential_case_names_no_unit_and_only_its_province() -> None:
    shown = views.request(case(confidential=True, category="police_misconduct"), GAZETTEER, UNITS)
    assert (shown["agency_responsible"], shown["address"]) == (None, "Phnom Penh / រាជធានីភ្នំពេញ")


def test_a_resolved_case_is_closed_with_no_deadline() -> None:
    shown = views.request(case(status="resolved"), GAZETTEER, UNITS)
    validate("requests", respond("xml", "service_requests", [shown]).body)
    assert (shown["status"], shown["expected_datetime"]) == ("closed", None)


def test_a_case_without_category_or_place_is_other_with_no_address() -> None:
    shown = views.request(
        case(category=None, location=ResolvedLocation(), unit=None, level=None), GAZETTEER, UNITS
    )
    validate("requests", respond("xml", "service_requests", [shown]).body)
    assert (shown["service_code"], shown["address"], shown["agency_responsible"]) == ("other", None, None)


def test_a_created_request_and_a_token_validate() -> None:
    validate("created", respond("xml", "service_requests", views.created("KH7F3K9Q", str(uuid4()))).body)
    validate("token", respond("xml", "service_requests", views.token("KH7F3K9Q", "t")).body)


def test_errors_have_the_standard_shape_in_both_formats() -> None:
    error = Open311Error(400, [Problem("lat", "lat and long lie outside Cambodia", "outside_cambodia"),
                               Problem(None, "a location is required", "missing_location")])  # fmt: skip
    xml = error.response("xml")
    validate("errors", xml.body)
    assert xml.status_code == 400
    assert json.loads(bytes(error.response("json").body)) == [
        {"code": 400, "description": "lat: lat and long lie outside Cambodia"},
        {"code": 400, "description": "a location is required"},
    ]


def test_the_schema_refuses_what_the_standard_does_not_allow() -> None:
    shown = views.request(case(), GAZETTEER, UNITS) | {"status": "pending"}
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        validate("requests", respond("xml", "service_requests", [shown]).body)
    naive = views.request(case(), GAZETTEER, UNITS) | {"requested_datetime": "2026-11-24T10:00:00"}
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        validate("requests", respond("xml", "service_requests", [naive]).body)

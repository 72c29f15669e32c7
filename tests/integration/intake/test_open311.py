"""Open311 GeoReport v2 on intake, on the real database and broker: services, filing, reading back, filters,
and each bad input in both formats (XML answers validated against the standard's structure)."""

from __future__ import annotations

import json
from typing import Any, NamedTuple
from uuid import UUID
from xml.etree import ElementTree

import httpx
import pytest

from services.intake.domain.open311_services import SERVICES
from shared.events.types import CaseResolved
from tests.integration.intake.harness import Running, append, assign, projected
from tests.unit.intake.georeport import validate
from tests.unit.intake.samples import NAME, PHONE_E164, PHONE_LOCAL

pytestmark = pytest.mark.integration
V2 = "/open311/v2"
KEY = "dev-channel"  # the channel token of deploy/dev-tokens.yaml
FORMATS = ("xml", "json")
SIEM_REAP = {"lat": "13.3618", "long": "103.8606"}


def form(**changes: str | None) -> dict[str, str]:
    fields = {"api_key": KEY, "service_code": "theft", "description": "My motorbike was stolen", **SIEM_REAP}
    for key, value in changes.items():
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    return fields


async def post(intake: Running, fmt: str, fields: dict[str, str], key: str | None = None) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return await intake.client.post(f"{V2}/requests.{fmt}", data=fields, headers=headers)


def errors(answer: httpx.Response, fmt: str) -> list[str]:
    """The descriptions of an error answer, its XML validated first."""
    if fmt == "xml":
        validate("errors", answer.content)
        root = ElementTree.fromstring(answer.content)
        assert {code.text for code in root.iter("code")} == {str(answer.status_code)}
        return [d.text or "" for d in root.iter("description")]
    body = answer.json()
    assert {error["code"] for error in body} == {answer.status_code}
    return [error["description"] for error in body]


@pytest.mark.parametrize("fmt", FORMATS)
async def test_services_list_the_categories_and_each_has_a_definition(intake: Running, fmt: str) -> None:
    listed = await intake.client.get(f"{V2}/services.{fmt}")
    defined = await intake.client.get(f"{V2}/services/domestic_violence.{fmt}")
    assert (listed.status_code, defined.status_code) == (200, 200)
    if fmt == "xml":
        assert listed.headers["content-type"].startswith("text/xml")
        validate("services", listed.content)
        validate("service_definition", defined.content)
        assert "អំពើហិង្សាក្នុងគ្រួសារ" in listed.text
    else:
        assert [s["service_code"] for s in listed.json()] == [s.code for s in SERVICES]
        assert [a["code"] for a in defined.json()["attributes"]][:3] == ["province", "district", "commune"]


async def test_a_request_is_filed_read_back_and_follows_its_case(intake: Running) -> None:
    first, last = NAME.split()
    fields = form(phone=PHONE_LOCAL, first_name=first, last_name=last, email="dara@example.org")
    created = await post(intake, "json", fields)
    assert created.status_code == 201
    (answer,) = created.json()
    reference, token = answer["service_request_id"], answer["token"]

    (filed,) = await intake.store.read_stream(UUID(token))
    assert (filed.data["channel"], filed.data["reference"]) == ("open311", reference)
    assert filed.data["location"]["province"] == "KH-17"
    assert filed.data["citizen"]["reachable_by"] == ["sms"]
    stored = json.dumps(filed.data, ensure_ascii=False)
    assert not [value for value in (NAME, PHONE_E164, "dara@example.org", first) if value in stored]
    vault = await intake.pool.fetchrow(
        "SELECT * FROM citizens WHERE citizen_id = $1", UUID(filed.data["citizen"]["citizen_id"])
    )
    assert vault is not None
    assert (vault["name"], vault["phone"]) == (NAME, PHONE_E164)
    assert "dara@example.org" not in json.dumps(dict(vault), default=str)
    assert intake.metric("complaints_filed_total", channel="open311", province="KH-17") == 1

    # Read back at once (the projection may not have it yet), in both formats.
    as_json = (await intake.client.get(f"{V2}/requests/{reference}.json")).json()
    assert [r["service_request_id"] for r in as_json] == [reference]
    assert (as_json[0]["status"], as_json[0]["service_code"], as_json[0]["expected_datetime"]) == (
        "open", "theft", None,
    )  # fmt: skip
    as_xml = await intake.client.get(f"{V2}/requests/{reference.lower()}.xml")
    validate("requests", as_xml.content)
    token_answer = await intake.client.get(f"{V2}/tokens/{token}.xml")
    validate("token", token_answer.content)
    assert reference in token_answer.text

    await assign(intake, UUID(token), "police:1707")
    await projected(intake, reference, "assigned")
    (shown,) = (await intake.client.get(f"{V2}/requests/{reference}.json")).json()
    unit = intake.intake.units.get("police:1707")
    assert unit is not None
    assert shown["agency_responsible"] == f"{unit.name_en} / {unit.name_km}"
    assert shown["status_notes"] == "Assigned to the first unit; waiting for its acknowledgement"
    assert shown["requested_datetime"].endswith("+07:00")
    for answer_text in [
        created.text,
        as_xml.text,
        json.dumps(as_json, ensure_ascii=False),
        json.dumps(shown),
    ]:
        assert not [
            value for value in (NAME, PHONE_E164, "dara@example.org", PHONE_LOCAL) if value in answer_text
        ]


async def test_a_confidential_request_shows_no_agency(intake: Running) -> None:
    fields = form(service_code="police_misconduct", **{"attribute[subject_kind]": "police_station"})
    (created,) = (await post(intake, "json", fields)).json()
    case_id = UUID(created["token"])
    await assign(intake, case_id, "provincial-police:KH-17", level=1)
    await projected(intake, created["service_request_id"], "assigned")
    (shown,) = (await intake.client.get(f"{V2}/requests/{created['service_request_id']}.json")).json()
    assert (shown["agency_responsible"], shown["address"]) == (None, "Siemreap / សៀមរាប")


async def test_the_same_idempotency_key_files_one_case(intake: Running) -> None:
    answers = [await post(intake, "json", form(), key="app-7") for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 200, 200]
    assert len({a.json()[0]["service_request_id"] for a in answers}) == 1
    assert intake.metric("complaints_duplicate_total", channel="open311") == 2
    without = [(await post(intake, "json", form())).json()[0]["service_request_id"] for _ in range(2)]
    assert without[0] != without[1]


async def test_an_address_naming_no_place_is_filed_for_triage(intake: Running) -> None:
    fields = form(lat=None, long=None, address_string="behind the pagoda near the river")
    created = await post(intake, "xml", fields)
    assert created.status_code == 201
    validate("created", created.content)
    filed = await intake.pool.fetchval(
        "SELECT data->'location'->>'province' IS NULL FROM events WHERE type = 'ComplaintFiled'"
    )
    assert filed


async def test_requests_are_listed_with_their_filters(intake: Running) -> None:
    theft = (await post(intake, "json", form())).json()[0]
    drugs = (await post(intake, "json", form(service_code="drugs"))).json()[0]
    await assign(intake, UUID(drugs["token"]), "police:1707")
    await append(intake, UUID(drugs["token"]), CaseResolved(unit_id="police:1707", note="done"))
    await projected(intake, drugs["service_request_id"], "resolved")
    await projected(intake, theft["service_request_id"], "filed")

    async def listed(**params: str) -> list[str]:
        answer = await intake.client.get(f"{V2}/requests.xml", params=params)
        validate("requests", answer.content)
        found = await intake.client.get(f"{V2}/requests.json", params=params)
        return [r["service_request_id"] for r in found.json()]

    both = {theft["service_request_id"], drugs["service_request_id"]}
    assert set(await listed()) == both
    assert await listed(status="closed") == [drugs["service_request_id"]]
    assert await listed(status="open", service_code="theft,drugs") == [theft["service_request_id"]]
    assert await listed(service_code="drugs") == [drugs["service_request_id"]]
    assert await listed(start_date="2020-01-01", end_date="2020-03-01") == []
    ids = f"{theft['service_request_id']},{drugs['service_request_id'].lower()},NOSUCHID"
    assert set(await listed(service_request_id=ids, start_date="2020-01-01")) == both
    (closed,) = (await intake.client.get(f"{V2}/requests.json", params={"status": "closed"})).json()
    assert (closed["status"], closed["expected_datetime"]) == ("closed", None)


class Bad(NamedTuple):
    case: str
    path: str
    sent: dict[str, str]
    status: int
    description: str


BAD_POSTS = [
    Bad("missing service_code", "requests", form(service_code=None), 400, "service_code: is required"),
    Bad(
        "unknown service_code",
        "requests",
        form(service_code="potholes"),
        400,
        "service_code: is not a service",
    ),
    Bad("missing location", "requests", form(lat=None, long=None), 400, "a location is required"),
    Bad(
        "description too long",
        "requests",
        form(description="ក" * 4001),
        400,
        "description: must be at most 4000",
    ),
    Bad(
        "outside Cambodia",
        "requests",
        form(lat="13.7563", long="100.5018"),
        400,
        "lat: lat and long lie outside",
    ),
    Bad("no api_key", "requests", form(api_key=None), 403, "api_key: is not a channel key"),
    Bad("unknown api_key", "requests", form(api_key="guess"), 403, "api_key: is not a channel key"),
    Bad("a unit's token", "requests", form(api_key="dev-police-1203"), 403, "api_key: is not a channel key"),
]
BAD_READS = [
    Bad("a range over 90 days", "requests", {"start_date": "2026-01-01", "end_date": "2026-04-02"}, 400,
        "end_date: the date range may span at most 90 days"),
    Bad("an unknown request id", "requests/NOSUCHID", {}, 404, "service_request_id: no request has this id"),
    Bad("an unknown token", "tokens/8c0b5e8e-7a57-4a38-9d7e-1d7c1e9b2f00", {}, 404, "token: no request"),
    Bad("an unknown service", "services/potholes", {}, 404, "service_code: no service has this code"),
    Bad("a bad status", "requests", {"status": "pending"}, 400, "status: must be open or closed"),
]  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("bad", BAD_POSTS, ids=[bad.case for bad in BAD_POSTS])
async def test_each_bad_request_is_refused_in_the_format_asked(intake: Running, fmt: str, bad: Bad) -> None:
    answer = await intake.client.post(f"{V2}/{bad.path}.{fmt}", data=bad.sent)
    assert answer.status_code == bad.status
    found = errors(answer, fmt)
    assert [d for d in found if d.startswith(bad.description)], found
    assert await intake.pool.fetchval("SELECT count(*) FROM events") == 0


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("bad", BAD_READS, ids=[bad.case for bad in BAD_READS])
async def test_each_bad_read_is_refused_in_the_format_asked(intake: Running, fmt: str, bad: Bad) -> None:
    answer = await intake.client.get(f"{V2}/{bad.path}.{fmt}", params=bad.sent)
    assert answer.status_code == bad.status
    found = errors(answer, fmt)
    assert [d for d in found if d.startswith(bad.description)], found


async def test_an_unknown_format_is_a_404_in_xml(intake: Running) -> None:
    answer = await intake.client.get(f"{V2}/services.html")
    assert answer.status_code == 404
    assert errors(answer, "xml") == ["the format must be xml or json"]


async def test_every_refusal_is_counted(intake: Running) -> None:
    await post(intake, "json", form(api_key="guess"))
    await post(intake, "json", form(service_code="potholes"))
    counted: dict[str, Any] = {
        reason: intake.metric("complaints_rejected_total", channel="open311", reason=reason)
        for reason in ("bad_api_key", "unknown_category")
    }
    assert counted == {"bad_api_key": 1, "unknown_category": 1}


async def test_a_request_the_projection_has_not_caught_up_with_is_read_from_its_stream(
    intake: Running,
) -> None:
    (created,) = (await post(intake, "json", form())).json()
    reference = created["service_request_id"]
    await projected(intake, reference, "filed")
    # As if the projection lagged: the row is not there yet.
    await intake.pool.execute("DELETE FROM intake_cases WHERE reference = $1", reference)
    answer = await intake.client.get(f"{V2}/requests/{reference}.json")
    assert answer.status_code == 200
    assert answer.json()[0]["status_notes"] == "Filed; being routed to the unit responsible"
    listed = await intake.client.get(f"{V2}/requests.xml", params={"service_request_id": reference})
    validate("requests", listed.content)
    assert reference in listed.text

"""``POST /v1/complaints`` and ``GET /v1/cases/{reference}`` on the real database and broker."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.integration.intake.harness import Running, assign, file, projected
from tests.unit.intake.samples import KHMER_TEXT, NAME, PHONE_E164, encode, web_submission

pytestmark = pytest.mark.integration


def errors(answer: Any) -> dict[str | None, str]:
    return {error["field"]: error["message"] for error in answer.json()["errors"]}


async def test_a_web_complaint_is_filed_and_a_retry_with_its_key_answers_the_same_case(
    intake: Running,
) -> None:
    body = encode(web_submission())
    answers = [await file(intake, body, key="form-42") for _ in range(3)]
    assert [answer.status_code for answer in answers] == [202, 202, 202]
    assert len({answer.text for answer in answers}) == 1
    case_id = uuid.UUID(answers[0].json()["case_id"])
    (filed,) = await intake.store.read_stream(case_id)
    assert filed.type == "ComplaintFiled"
    assert filed.data["channel"] == "web"
    assert filed.data["channel_message_id"] == "form-42"
    assert filed.data["text"] == KHMER_TEXT
    assert intake.metric("complaints_filed_total", channel="web", province="KH-17") == 1
    assert intake.metric("complaints_duplicate_total", channel="web") == 2


async def test_without_a_key_each_post_is_a_new_complaint(intake: Running) -> None:
    body = encode(web_submission())
    first, second = [(await file(intake, body)).json()["case_id"] for _ in range(2)]
    assert first != second


async def test_a_body_that_is_not_json_is_a_400(intake: Running) -> None:
    answer = await file(intake, b'{"text": "unfinished')
    assert answer.status_code == 400
    assert list(errors(answer)) == [None]
    assert intake.metric("complaints_rejected_total", channel="web", reason="not_json") == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"text": 42}, "text"),
        ({"citizen": {"phone": "012345678", "anonymous": "no"}}, "citizen.anonymous"),
        ({"text": ""}, "text"),
        ({"text": "ក" * 4001}, "text"),
        ({"location": {"province": "Atlantis"}}, "location.province"),
        ({"citizen": {"phone": "12345"}}, "citizen.phone"),
        ({"citizen": {"name": "Sok", "anonymous": False}}, "citizen"),
        ({"category": "robbery"}, "category"),
        ({"location": None}, "location"),
    ],
)
async def test_each_invalid_field_is_a_422_naming_it(
    intake: Running, change: dict[str, Any], field: str
) -> None:
    answer = await file(intake, encode(web_submission(**change)))
    assert answer.status_code == 422
    assert list(errors(answer)) == [field]


async def test_a_422_lists_every_field_error_and_files_nothing(intake: Running) -> None:
    body = web_submission(text="", category="robbery", citizen={"phone": "1"}, location={"province": "Mars"})
    answer = await file(intake, encode(body))
    assert answer.status_code == 422
    assert set(errors(answer)) == {"text", "category", "citizen.phone", "location.province"}
    assert await intake.pool.fetchval("SELECT count(*) FROM events") == 0


async def test_a_body_over_64_kib_is_a_413_whether_or_not_its_length_is_declared(intake: Running) -> None:
    big = encode(web_submission(text="x" * 70_000))
    assert (await file(intake, big)).status_code == 413

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 8192):
            yield big[start : start + 8192]

    streamed = await intake.client.post("/v1/complaints", content=chunks())
    assert streamed.status_code == 413
    assert intake.metric("complaints_rejected_total", channel="web", reason="too_large") == 2


async def test_a_body_just_under_64_kib_is_read_and_judged_on_its_fields(intake: Running) -> None:
    body = encode(web_submission(text="x" * 4000, subject={"name": "y" * 300}, padding="z" * 55_000))
    assert len(body) < 64 * 1024
    answer = await file(intake, body)
    assert answer.status_code == 422
    assert list(errors(answer)) == ["padding"]


async def test_the_public_status_shows_no_personal_data(intake: Running) -> None:
    filed = (await file(intake, encode(web_submission(category="theft")))).json()
    await assign(intake, uuid.UUID(filed["case_id"]), "police:1707")
    status = await projected(intake, filed["reference"].lower(), "assigned")
    assert status["assigned_unit"]["id"] == "police:1707"
    assert status["escalation_level"] == 0
    assert status["province"] == "KH-17"
    assert [entry["type"] for entry in status["timeline"]] == ["ComplaintFiled", "CaseAssigned"]
    shown = json.dumps(status, ensure_ascii=False)
    for personal in (NAME, PHONE_E164, KHMER_TEXT):
        assert personal not in shown


async def test_a_confidential_case_shows_its_level_but_not_its_unit(intake: Running) -> None:
    body = web_submission(category="theft", subject={"kind": "police_station", "name": "Puok police"})
    filed = (await file(intake, encode(body))).json()
    stored = await intake.store.read_stream(uuid.UUID(filed["case_id"]))
    assert stored[0].data["confidential"] is True
    await assign(intake, uuid.UUID(filed["case_id"]), "provincial-police:KH-17", level=1)
    status = await projected(intake, filed["reference"], "assigned")
    assert status["assigned_unit"] is None
    assert status["escalation_level"] == 1
    assert "Siem Reap" not in json.dumps(status)


async def test_an_unknown_reference_is_a_404(intake: Running) -> None:
    answer = await intake.client.get("/v1/cases/ZZZZZZZZ")
    assert answer.status_code == 404
    assert answer.json()["detail"]


async def test_the_openapi_document_describes_every_endpoint_and_its_errors(intake: Running) -> None:
    document = (await intake.client.get("/openapi.json")).json()
    paths = document["paths"]
    expected = {
        ("/v1/complaints", "post"): {"202", "400", "413", "422", "503"},
        ("/v1/cases/{reference}", "get"): {"200", "404"},
        ("/v1/inbox", "get"): {"200", "401", "403"},
        ("/v1/escalations", "get"): {"200", "401", "403"},
    }
    for command in ("acknowledge", "resolve", "refuse", "request-info", "verdict", "assign"):
        expected[(f"/v1/cases/{{case_id}}/{command}", "post")] = {"200", "401", "403", "404", "409", "422"}
    for (path, method), statuses in expected.items():
        assert statuses <= set(paths[path][method]["responses"]), path
    body = paths["/v1/complaints"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"citizen", "text", "location", "category"} <= set(body["properties"])
    assert "HTTPBearer" in document["components"]["securitySchemes"]
    assert (await intake.client.get("/docs")).status_code == 200


async def test_metrics_follow_prometheus_names(intake: Running) -> None:
    await file(intake, encode(web_submission()))
    await file(intake, b"nope")
    text = (await intake.client.get("/metrics")).text
    names = (
        "complaints_received_total", "complaints_rejected_total", "complaints_filed_total",
        "submission_handling_seconds_bucket", "case_commands_total", "dlq_messages_total",
    )  # fmt: skip
    for name in names:
        assert name in text, name

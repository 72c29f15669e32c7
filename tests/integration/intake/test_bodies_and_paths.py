"""One body limit for every route (shared/service/body_limit.py), and paths no database can hold."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from tests.integration.intake.harness import Running, bearer
from tests.integration.intake.test_open311 import V2, form

pytestmark = pytest.mark.integration
LIMIT = 64 * 1024
OVER = b"x" * (LIMIT + 1)


async def chunks(body: bytes) -> AsyncIterator[bytes]:
    """A body sent without a declared length."""
    for start in range(0, len(body), 8192):
        yield body[start : start + 8192]


@pytest.mark.parametrize("command", ["acknowledge", "resolve", "refuse", "request-info", "verdict", "assign"])
async def test_a_command_body_over_the_limit_is_a_413_before_anything_else(
    intake: Running, command: str
) -> None:
    url = f"/v1/cases/{uuid.uuid4()}/{command}"
    headers = {**bearer("dev-working-group"), "Content-Type": "application/json"}
    declared = await intake.client.post(url, content=OVER, headers=headers)
    streamed = await intake.client.post(url, content=chunks(OVER), headers=headers)
    for answer in (declared, streamed):
        assert answer.status_code == 413
        assert answer.json() == {
            "detail": f"the body is larger than {LIMIT} bytes",
            "errors": [{"field": None, "message": f"the body is larger than {LIMIT} bytes"}],
        }


async def test_an_open311_body_over_the_limit_is_a_413_in_the_format_asked(intake: Running) -> None:
    padded = {**form(), "description": "x" * LIMIT}
    answer = await intake.client.post(f"{V2}/requests.json", data=padded)
    assert answer.status_code == 413
    assert answer.json() == [{"code": 413, "description": f"the body is larger than {LIMIT} bytes"}]


@pytest.mark.parametrize("reference", ["%00", "ABCD%00EF", "ABCDEFG%00", "%FF%FE", "x" * 300])
async def test_a_reference_no_case_can_have_is_a_404(intake: Running, reference: str) -> None:
    status = await intake.client.get(f"/v1/cases/{reference}")
    assert (status.status_code, status.json()["detail"]) == (404, "no case has this reference")
    one = await intake.client.get(f"{V2}/requests/{reference}.json")
    assert one.status_code == 404
    listed = await intake.client.get(f"{V2}/requests.json", params={"service_request_id": "AB\x00CDEFG"})
    assert (listed.status_code, listed.json()) == (200, [])

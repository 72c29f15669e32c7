"""A third-party Open311 client (civicbot's GeoReport v2 client, from PyPI) files a request against intake
running as a process and reads it back, as a civic app would."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from civicbot import Endpoint, HttpError, HttpTransport, Open311Client
from civicbot.http import RateLimiter

from shared.testing.servers import ServiceProcess

pytestmark = pytest.mark.e2e


def client(base_url: str) -> Open311Client:
    endpoint = Endpoint(id="complaints-kh", name="Complaints (Cambodia)", base_url=base_url, write=True)
    # civicbot waits 0.5 s between calls to one host by default, a politeness to public servers.
    return Open311Client(endpoint, HttpTransport(rate_limiter=RateLimiter(min_interval=0)))


def file_and_read_back(base_url: str) -> dict[str, Any]:
    """What the client sees, in one synchronous run (civicbot uses urllib)."""
    open311 = client(base_url)
    services = open311.list_services()
    definition = open311.get_service_definition("theft")
    prepared = open311.create_request(
        "theft", dry_run=False, confirm="SEND", api_key="dev-channel", validate_remote=True,
        lat=11.5564, lng=104.9282, description="ចោរលួចម៉ូតូរបស់ខ្ញុំនៅផ្សារ", first_name="Sok",
        last_name="Dara", phone="012 345 678", attributes={"language": "km"},
    )  # fmt: skip
    (created,) = prepared.response
    reference = created["service_request_id"]
    try:
        open311.create_request(
            "theft",
            dry_run=False,
            confirm="SEND",
            api_key="not-a-key",
            lat=11.55,
            lng=104.92,
            description="x",
        )
        refused: int | None = None
    except HttpError as error:
        refused = error.status
    return {
        "services": services, "definition": definition, "created": created, "refused": refused,
        "read": open311.get_request(reference), "token": open311.get_token(created["token"]),
        "listed": open311.list_requests(service_request_ids=[reference]),
    }  # fmt: skip


async def test_a_third_party_client_files_and_reads_back_a_request(
    service_env: dict[str, str], tmp_path: Path
) -> None:
    intake = ServiceProcess("intake", service_env, tmp_path / "intake.log")
    intake.start()
    try:
        seen = await asyncio.to_thread(file_and_read_back, f"{intake.url}/open311/v2")
    finally:
        intake.stop()
    assert len(seen["services"]) == 12
    assert seen["definition"]["service_code"] == "theft"
    reference = seen["created"]["service_request_id"]
    assert seen["read"]["service_request_id"] == reference
    assert (seen["read"]["status"], seen["read"]["service_code"]) == ("open", "theft")
    assert seen["read"]["address"] == "Chamkar Mon, Phnom Penh / ចំការមន, រាជធានីភ្នំពេញ"
    assert [r["service_request_id"] for r in seen["listed"]] == [reference]
    assert seen["token"] == [{"service_request_id": reference, "token": seen["created"]["token"]}]
    assert seen["refused"] == 403
    log = intake.log_path.read_text(encoding="utf-8", errors="replace")
    assert "012 345 678" not in log
    assert "Dara" not in log

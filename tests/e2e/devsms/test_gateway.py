"""The dev SMS gateway as a process: answers like Twilio's Messages API, posts signed delivery receipts,
fails on request, and shows what it received as JSON and as a page."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request, Response

from shared.localstack import free_port
from shared.sms.signature import twilio_signature
from shared.testing.kafka import eventually
from tests.integration.notify.support import Gateway, running_gateway

pytestmark = pytest.mark.e2e

TOKEN = "gateway-test-token"
SID = "ACtest"
NUMBER = "+85512345678"


@contextlib.asynccontextmanager
async def receipt_receiver() -> AsyncIterator[tuple[str, list[tuple[dict[str, str], str]]]]:
    """A callback receiver served in this process: its URL and the (form, signature) pairs it got."""
    received: list[tuple[dict[str, str], str]] = []
    app = FastAPI()

    @app.post("/receipts")
    async def take(request: Request) -> Response:
        form = await request.form()
        received.append(({k: str(v) for k, v in form.items()}, request.headers.get("X-Twilio-Signature", "")))
        return Response(status_code=204)

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    task = asyncio.create_task(server.serve())
    try:
        assert await eventually(lambda: server.started, within=30)
        yield f"http://127.0.0.1:{port}/receipts", received
    finally:
        server.should_exit = True
        await task


async def send(gateway: Gateway, client: httpx.AsyncClient, **form: str) -> httpx.Response:
    return await client.post(
        f"{gateway.url}/2010-04-01/Accounts/{SID}/Messages.json",
        data={"From": "COMPLAINTS", **form},
        auth=(SID, TOKEN),
    )


async def test_a_message_is_answered_like_twilio_and_its_receipts_are_signed(tmp_path: Path) -> None:
    with running_gateway(tmp_path / "devsms.log", auth_token=TOKEN) as gateway:
        async with receipt_receiver() as (callback, receipts), httpx.AsyncClient() as client:
            khmer = "ពាក្យបណ្ដឹង KH7F3K9Q ត្រូវបានបញ្ជូនទៅអធិការដ្ឋាននគរបាល " * 2
            answer = await send(gateway, client, To=NUMBER, Body=khmer, StatusCallback=callback)
            assert await eventually(lambda: len(receipts) >= 2, within=30)
            unauthorized = await client.post(
                f"{gateway.url}/2010-04-01/Accounts/{SID}/Messages.json",
                data={"To": NUMBER, "From": "X", "Body": "hi"},
                auth=(SID, "wrong"),
            )
            listed = await client.get(
                f"{gateway.url}/2010-04-01/Accounts/{SID}/Messages.json",
                params={"To": NUMBER},
                auth=(SID, TOKEN),
            )
            page = await client.get(f"{gateway.url}/")
        messages = await gateway.messages()

    assert answer.status_code == 201
    body = answer.json()
    assert body["sid"].startswith("SM")
    assert (body["status"], body["num_segments"], body["to"], body["body"]) == ("queued", "2", NUMBER, khmer)
    assert body["api_version"] == "2010-04-01"
    assert [form["MessageStatus"] for form, _ in receipts] == ["sent", "delivered"]
    for form, signature in receipts:
        assert form["MessageSid"] == body["sid"]
        assert signature == twilio_signature(TOKEN, callback, form.items())
    assert unauthorized.status_code == 401
    assert unauthorized.json()["code"] == 20003
    assert [m["sid"] for m in listed.json()["messages"]] == [body["sid"]]
    assert messages[0]["status"] == "delivered"
    assert (messages[0]["num_segments"], messages[0]["encoding"]) == (2, "UCS-2")
    assert page.status_code == 200
    assert "KH7F3K9Q" in page.text
    assert "text/html" in page.headers["content-type"]


async def test_the_gateway_fails_as_it_is_told(tmp_path: Path) -> None:
    with running_gateway(tmp_path / "devsms.log") as gateway:
        await gateway.control(
            invalid_numbers=["+85511111111"], opted_out_numbers=["+85522222222"],
            numbers={"+85533333333": "5xx", "+85544444444": "timeout"}, hang_seconds=3,
        )  # fmt: skip
        async with httpx.AsyncClient(timeout=1.0) as client:
            invalid = await send(gateway, client, To="+85511111111", Body="x")
            opted_out = await send(gateway, client, To="+85522222222", Body="x")
            down = await send(gateway, client, To="+85533333333", Body="x")
            malformed = await send(gateway, client, To="012 345 678", Body="x")
            empty = await send(gateway, client, To=NUMBER, Body="")
            with pytest.raises(httpx.ReadTimeout):
                await send(gateway, client, To="+85544444444", Body="x")
            bad_plan = await client.post(f"{gateway.url}/control", json={"fail_rate": 2})
            fine = await send(gateway, client, To=NUMBER, Body="x")
            stats = await gateway.stats()
            cleared = await client.delete(f"{gateway.url}/messages")
        after_clearing = await gateway.stats(), await gateway.messages()

    assert (invalid.status_code, invalid.json()["code"]) == (400, 21211)
    assert (opted_out.status_code, opted_out.json()["code"]) == (400, 21610)
    assert (down.status_code, down.json()["status"]) == (503, 503)
    assert (malformed.status_code, malformed.json()["code"]) == (400, 21211)
    assert (empty.status_code, empty.json()["code"]) == (400, 21602)
    assert bad_plan.status_code == 422
    assert fine.status_code == 201
    assert cleared.status_code == 204
    assert stats["received"] == 1
    assert stats["answers"] == {
        "refused:21211": 2, "refused:21610": 1, "refused:21602": 1, "5xx": 1, "timeout": 1, "accepted": 1,
    }  # fmt: skip
    assert after_clearing == ({"received": 0, "answers": {}, "receipts": {}}, [])

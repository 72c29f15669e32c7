"""The console's security rules over HTTP (docs/console.md §Security rules), against intake on the real
PostgreSQL: passwords and the lock, CSRF tokens, whose cases a unit sees, the lifecycle's refusals in
words, two officers at once, text shown as text, sign-out."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from services.intake.console.lockout import MAX_FAILURES
from shared.events.types import CaseNeedsTriage
from tests.integration.intake.console.browser import (
    PASSWORD,
    act,
    add_account,
    hidden_fields,
    new_client,
    sign_in,
)
from tests.integration.intake.harness import Running, append, assign, file
from tests.unit.intake.samples import encode, web_submission

pytestmark = pytest.mark.integration


async def new_case(intake: Running, unit_id: str = "police:1203", text: str | None = None) -> uuid.UUID:
    changes = {"text": text} if text else {}
    body = web_submission(location={"province": "Phnom Penh", "district": "1203"}, **changes)
    case_id = uuid.UUID((await file(intake, encode(body))).json()["case_id"])
    await assign(intake, case_id, unit_id)
    return case_id


async def test_a_wrong_password_is_refused_and_repeated_failures_lock_the_account(intake: Running) -> None:
    await add_account(intake, "sokha", "unit", "police:1203")
    async with new_client(intake) as client:
        wrong = await sign_in(client, "sokha", "not the password")
        assert wrong.status_code == 401
        assert "Wrong account or password." in wrong.text
        unknown = await sign_in(client, "nobody", PASSWORD)
        assert (unknown.status_code, "Wrong account or password." in unknown.text) == (401, True)
        for _ in range(MAX_FAILURES - 2):
            assert (await sign_in(client, "sokha", "still wrong")).status_code == 401
        locked = await sign_in(client, "sokha", "wrong once more")
        assert locked.status_code == 429
        assert "locked" in locked.text
        right_but_locked = await sign_in(client, "sokha", PASSWORD)
        assert right_but_locked.status_code == 429, "a locked account does not open with the right password"
    # The lock is a row, so every replica refuses alike.
    assert await intake.pool.fetchval(
        "SELECT locked_until > now() FROM console_accounts WHERE account_id = 'sokha'"
    )


async def test_the_right_password_signs_in_and_signing_out_ends_the_session(intake: Running) -> None:
    await add_account(intake, "sokha", "unit", "police:1203")
    async with new_client(intake) as client:
        signed_in = await sign_in(client, "sokha")
        assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/console/inbox")
        cookie = signed_in.headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        inbox = await client.get("/console/inbox")
        assert inbox.status_code == 200
        token = client.cookies["console_session"]
        out = await client.post("/console/sign-out", data={"csrf": hidden_fields(inbox.text)["csrf"]})
        assert out.status_code == 303
    async with new_client(intake) as stale:
        stale.cookies.set("console_session", token)
        again = await stale.get("/console/inbox")
        assert again.status_code == 303
        assert again.headers["location"].startswith("/console/sign-in")


async def test_a_form_without_the_sessions_csrf_token_changes_nothing(intake: Running) -> None:
    await add_account(intake, "sokha", "unit", "police:1203")
    case_id = await new_case(intake)
    async with new_client(intake) as client:
        await sign_in(client, "sokha")
        page = (await client.get(f"/console/cases/{case_id}")).text
        fields = hidden_fields(page)
        missing = {k: v for k, v in fields.items() if k != "csrf"}
        forged = {**fields, "csrf": "x" * len(fields["csrf"])}
        for data in (missing, forged):
            answer = await client.post(f"/console/cases/{case_id}/acknowledge", data=data)
            assert answer.status_code == 403
            assert "out of date" in answer.text
        sign_in_form = await client.post("/console/sign-in", data={"account": "sokha", "password": PASSWORD})
        assert sign_in_form.status_code == 403
    assert [e.type for e in await intake.store.read_stream(case_id)] == ["ComplaintFiled", "CaseAssigned"]


async def test_a_unit_opening_another_units_case_gets_a_403_page(intake: Running) -> None:
    await add_account(intake, "sokha", "unit", "police:1203")
    theirs = await new_case(intake, unit_id="police:1204")
    async with new_client(intake) as client:
        await sign_in(client, "sokha")
        page = await client.get(f"/console/cases/{theirs}")
        assert page.status_code == 403
        assert "another unit" in page.text
        assert "Phnom Penh" not in page.text  # nothing of the case shows
        assert (await client.get("/console/queue")).status_code == 403
        missing = await client.get(f"/console/cases/{uuid.uuid4()}")
        assert missing.status_code == 404


async def test_an_action_the_status_forbids_is_refused_in_words_and_the_actor_is_the_account(
    intake: Running,
) -> None:
    await add_account(intake, "sokha", "unit", "police:1203")
    case_id = await new_case(intake)
    async with new_client(intake) as client:
        await sign_in(client, "sokha")
        too_early = await act(client, case_id, "resolve", note="done")
        assert too_early.status_code == 409
        assert "This case is now “assigned”: “Resolve” is not possible." in too_early.text
        done = await act(client, case_id, "acknowledge", note="on our way")
        assert (done.status_code, done.headers["location"]) == (
            303,
            f"/console/cases/{case_id}?done=acknowledge",
        )
        page = await client.get(done.headers["location"])
        assert "You acknowledged this case." in page.text
    acknowledged = (await intake.store.read_stream(case_id))[-1]
    assert acknowledged.type == "CaseAcknowledged"
    assert acknowledged.actor.model_dump() == {"kind": "unit", "id": "sokha"}


async def test_two_officers_acting_at_once_one_wins_and_the_other_is_told(intake: Running) -> None:
    await add_account(intake, "sokha", "unit", "police:1203")
    await add_account(intake, "dara", "unit", "police:1203")
    case_id = await new_case(intake)
    async with new_client(intake) as first, new_client(intake) as second:
        await sign_in(first, "sokha")
        await sign_in(second, "dara")
        pages = [(await client.get(f"/console/cases/{case_id}")).text for client in (first, second)]
        answers = await asyncio.gather(
            act(first, case_id, "acknowledge", pages[0]), act(second, case_id, "acknowledge", pages[1])
        )
    assert sorted(answer.status_code for answer in answers) == [303, 409]
    (told,) = [answer for answer in answers if answer.status_code == 409]
    winner = "sokha" if answers[0].status_code == 303 else "dara"
    assert "Someone else acted on this case first" in told.text
    assert f"by {winner}" in told.text
    types = [e.type for e in await intake.store.read_stream(case_id)]
    assert types.count("CaseAcknowledged") == 1


async def test_html_and_script_in_a_complaint_are_shown_as_text(intake: Running) -> None:
    await add_account(intake, "sokha", "unit", "police:1203")
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> "quoted" & more'
    case_id = await new_case(intake, text=hostile)
    async with new_client(intake) as client:
        await sign_in(client, "sokha")
        page = await client.get(f"/console/cases/{case_id}")
        rows = await client.get("/console/inbox/rows")
    for html in (page.text, rows.text):
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "script-src 'self'" in page.headers["content-security-policy"]


async def test_the_working_group_assigns_from_its_queue_with_the_unit_picker(intake: Running) -> None:
    await add_account(intake, "wg.chan", "working_group")
    body = web_submission(location={"province": "Phnom Penh"}, category="other")
    case_id = uuid.UUID((await file(intake, encode(body))).json()["case_id"])
    await append(intake, case_id, CaseNeedsTriage(reason="no district"))
    async with new_client(intake) as client:
        await sign_in(client, "wg.chan")
        found = await client.get("/console/units", params={"q": "ខេត្តកណ្ដាល"})
        assert 'value="provincial-police:KH-8"' in found.text
        by_id = await client.get("/console/units", params={"q": "police:1203"})
        assert 'value="police:1203"' in by_id.text
        assigned = await act(client, case_id, "assign", unit_id="provincial-hall:KH-12", reason="by hand")
        assert assigned.status_code == 303
        verdict = await act(client, case_id, "verdict", verdict="substantiated")
        assert verdict.status_code == 303
    events = await intake.store.read_stream(case_id)
    assert [e.type for e in events[-2:]] == ["CaseAssigned", "VerdictRecorded"]
    assert {e.actor.model_dump()["id"] for e in events[-2:]} == {"wg.chan"}

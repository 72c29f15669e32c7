"""The SMS webhook on the real PostgreSQL and Kafka, signed as Twilio signs (twilio's RequestValidator):
keywords, replies, updates, complaints, opt-outs, redeliveries, floods and bad input."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import httpx
import pytest
from twilio.request_validator import RequestValidator

from services.devsms.citizen import text_as_citizen
from services.intake.api.sms_webhook import MAX_BODY
from shared.events.types import CaseInfoRequested
from shared.privacy import KeyedDigest, OptOuts
from shared.service.settings import DEV_PERSONAL_DATA_KEY
from tests.integration.intake.harness import Running, append, assign, file, projected, running_intake
from tests.unit.intake.samples import encode, web_submission

pytestmark = pytest.mark.integration
TOKEN = "twilio-auth-token"
URL = "https://complaints.example.org/webhooks/sms"


@pytest.fixture
async def intake(service_env: dict[str, str]) -> AsyncIterator[Running]:
    async with running_intake(
        service_env, sms_auth_token=TOKEN, sms_inbound_url=URL, messages_per_sender_per_hour=8
    ) as running:
        yield running


def new_phone() -> str:
    return f"+8551{uuid.uuid4().int % 10**7:07d}"


async def text(
    intake: Running, sender: str, body: str | None, sid: str | None = None, *, token: str = TOKEN, **more: str
) -> httpx.Response:
    fields = {"From": sender, "To": "+85523000000", "MessageSid": sid or f"SM{uuid.uuid4().hex}", **more}
    if body is not None:
        fields["Body"] = body
    signature = RequestValidator(token).compute_signature(URL, fields)
    return await intake.client.post(
        "/webhooks/sms",
        content=urlencode(fields),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
    )


def said(answer: httpx.Response) -> str:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/xml")
    body = answer.text
    return body.split("<Message>")[1].split("</Message>")[0] if "<Message>" in body else ""


async def events_of(intake: Running, case_id: uuid.UUID, event_type: str) -> list[dict[str, object]]:
    return [e.data for e in await intake.store.read_stream(case_id) if e.type == event_type]


async def sms_case(
    intake: Running, phone: str, words: str = "My moto was stolen in Siem Reap"
) -> tuple[uuid.UUID, str]:
    sid = f"SM{uuid.uuid4().hex}"
    assert said(await text(intake, phone, words, sid)) == ""  # the receipt is notify's text
    row = await intake.pool.fetchrow(
        "SELECT kind, case_id FROM intake_inbound WHERE channel = 'sms' AND message_id = $1", sid
    )
    assert row is not None
    assert row["kind"] == "complaint"
    (filed,) = await events_of(intake, row["case_id"], "ComplaintFiled")
    return row["case_id"], str(filed["reference"])


async def test_a_text_files_a_complaint_with_the_place_in_it_and_the_citizen_known_by_phone(
    intake: Running,
) -> None:
    phone = new_phone()
    first, _ = await sms_case(intake, phone, "ប៉ូលិសមិនព្រមទទួលពាក្យបណ្ដឹង នៅខេត្តសៀមរាប")
    (filed,) = await events_of(intake, first, "ComplaintFiled")
    assert filed["channel"] == "sms"
    assert filed["location"]["province"] == "KH-17"  # type: ignore[index]
    assert filed["citizen"]["language"] == "km"  # type: ignore[index]
    # Later, by a new complaint from the same phone in another form: the same citizen.
    second, _ = await sms_case(intake, phone, f"NEW theft in Kampot, call {phone}")
    (again,) = await events_of(intake, second, "ComplaintFiled")
    assert again["citizen"]["citizen_id"] == filed["citizen"]["citizen_id"]  # type: ignore[index]
    assert intake.metric("sms_inbound_total", kind="complaint") == 2


async def test_a_reply_to_the_units_question_resumes_the_case_once(intake: Running) -> None:
    phone = new_phone()
    case_id, reference = await sms_case(intake, phone)
    await assign(intake, case_id, "police:1203")
    await append(intake, case_id, CaseInfoRequested(unit_id="police:1203", question="Which day?"))
    await projected(intake, reference, "awaiting_citizen")
    sid = f"SM{uuid.uuid4().hex}"
    answer = said(await text(intake, phone, "Monday night", sid))
    assert reference in answer
    assert "passed to the officer" in answer
    assert said(await text(intake, phone, "Monday night", sid)) == ""  # redelivered: nothing again
    replies = await events_of(intake, case_id, "CitizenReplied")
    assert replies == [{"text": "Monday night", "channel": "sms", "evidence": []}]
    await projected(intake, reference, "acknowledged")
    # The unit sees it in its inbox, after its question.
    inbox = (await intake.client.get("/v1/inbox", headers={"Authorization": "Bearer dev-police-1203"})).json()
    (mine,) = [c for c in inbox if c["reference"] == reference]
    assert [(e["kind"], e["text"]) for e in mine["exchanges"]] == [
        ("question", "Which day?"),
        ("reply", "Monday night"),
    ]
    # Now the case is open and active: the next text is an update, and says how to file anew.
    update = said(await text(intake, phone, "Also my helmet"))
    assert "NEW" in update
    assert len(await events_of(intake, case_id, "CitizenReplied")) == 2
    assert intake.metric("sms_inbound_total", kind="duplicate") == 1
    assert intake.metric("sms_inbound_total", kind="reply") == 1
    assert intake.metric("sms_inbound_total", kind="update") == 1


async def test_status_answers_the_public_status_of_any_case_and_says_when_there_is_none(
    intake: Running,
) -> None:
    owner = (
        await file(intake, encode(web_submission(location={"province": "Phnom Penh", "district": "1203"})))
    ).json()
    await assign(intake, uuid.UUID(owner["case_id"]), "police:1203")
    await projected(intake, owner["reference"], "assigned")
    stranger = new_phone()
    answer = said(await text(intake, stranger, f"status {owner['reference'].lower()}"))
    assert answer.startswith(f"Complaint {owner['reference']}: sent to")
    assert "+855" not in answer  # a public status: nobody's contact
    khmer = said(await text(intake, stranger, f"ស្ថានភាព {owner['reference']}"))
    assert owner["reference"] in khmer
    assert "ពាក្យបណ្ដឹង" in khmer
    bare = said(await text(intake, stranger, owner["reference"]))
    assert bare.startswith(f"Complaint {owner['reference']}")
    assert "No complaint has the reference ZZZZ2345" in said(await text(intake, stranger, "STATUS ZZZZ2345"))
    assert intake.metric("sms_inbound_total", kind="keyword") == 4
    assert await intake.pool.fetchval("SELECT count(*) FROM intake_inbound WHERE kind = 'complaint'") == 0


async def test_stop_is_kept_as_a_keyed_digest_and_start_undoes_it(intake: Running) -> None:
    phone = new_phone()
    opt_outs = OptOuts(KeyedDigest.of(DEV_PERSONAL_DATA_KEY))
    assert "no more texts" in said(await text(intake, phone, "STOP"))
    stored = await intake.pool.fetch("SELECT address_digest, source FROM opt_outs")
    assert [(row["address_digest"], row["source"]) for row in stored] == [(opt_outs.key(phone), "sms:STOP")]
    assert stored[0]["address_digest"] != hashlib.sha256(phone.encode()).hexdigest()
    assert phone not in str([dict(row) for row in await intake.pool.fetch("SELECT * FROM intake_inbound")])
    # Opted out: what it sends is still acted on, but only its keywords are answered.
    case_id, reference = await sms_case(intake, phone)
    await projected(intake, reference, "filed")
    assert said(await text(intake, phone, "It happened at the market")) == ""
    assert len(await events_of(intake, case_id, "CitizenReplied")) == 1  # an update to the case it just filed
    assert "receive texts about your complaints again" in said(await text(intake, phone, "START"))
    assert await intake.pool.fetchval("SELECT count(*) FROM opt_outs") == 0
    assert "NEW" in said(await text(intake, phone, "and a red helmet"))
    assert "អ្នកនឹងលែងទទួលសារ" in said(await text(intake, phone, "ឈប់"))


async def test_a_flood_from_one_number_is_limited_told_once_and_counted(intake: Running) -> None:
    phone = new_phone()
    for _ in range(8):
        said(await text(intake, phone, "HELP"))
    told = said(await text(intake, phone, "HELP"))
    assert "too many messages" in told
    assert said(await text(intake, phone, "HELP")) == ""
    assert intake.metric("sms_inbound_total", kind="limited") == 2
    assert said(await text(intake, new_phone(), "HELP")) != ""  # another number is not limited


async def test_bad_input_is_refused_clearly_and_nothing_is_recorded(intake: Running) -> None:
    phone = new_phone()
    forged = await text(intake, phone, "STOP", token="not-the-token")
    assert forged.status_code == 403
    unsigned = await intake.client.post(
        "/webhooks/sms", content=urlencode({"From": phone, "Body": "STOP", "MessageSid": "SMx"}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert unsigned.status_code == 403
    assert await intake.pool.fetchval("SELECT count(*) FROM intake_inbound") == 0
    assert await intake.pool.fetchval("SELECT count(*) FROM opt_outs") == 0
    no_sender = await text(intake, "", "hello")
    assert no_sender.status_code == 422
    assert [e["field"] for e in no_sender.json()["errors"]] == ["From"]
    not_a_phone = await text(intake, "VIETTEL", "hello")
    assert not_a_phone.status_code == 422
    assert "VIETTEL" not in not_a_phone.text
    assert "empty" in said(await text(intake, phone, None))
    assert "too long" in said(await text(intake, phone, "x" * (MAX_BODY + 1)))
    assert await intake.pool.fetchval("SELECT count(*) FROM intake_inbound") == 0
    assert intake.metric("sms_inbound_total", kind="rejected") == 6


async def test_unsigned_messages_are_taken_only_in_dev_mode(service_env: dict[str, str]) -> None:
    form = {"From": new_phone(), "Body": "HELP", "MessageSid": f"SM{uuid.uuid4().hex}"}
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    async with running_intake(service_env, complaints_dev=True) as dev:
        assert (
            await dev.client.post("/webhooks/sms", content=urlencode(form), headers=headers)
        ).status_code == 200
    async with running_intake(service_env) as production:
        answer = await production.client.post("/webhooks/sms", content=urlencode(form), headers=headers)
        assert answer.status_code == 403


async def test_a_web_filing_neither_takes_over_nor_renames_a_citizen_proven_by_sms(intake: Running) -> None:
    victim = new_phone()
    case_id, _ = await sms_case(intake, victim)
    (filed,) = await events_of(intake, case_id, "ComplaintFiled")
    victim_id = filed["citizen"]["citizen_id"]  # type: ignore[index]
    for citizen in (
        {"phone": victim, "name": "Attacker"},
        {"phone": "+85517000000", "facebook_psid": "psid-x"},
    ):
        body = web_submission(citizen=citizen, location={"province": "Phnom Penh"})
        web = (await file(intake, encode(body))).json()
        (web_filed,) = await events_of(intake, uuid.UUID(web["case_id"]), "ComplaintFiled")
        assert web_filed["citizen"]["citizen_id"] != victim_id  # type: ignore[index]
    row = await intake.pool.fetchrow(
        "SELECT name, phone FROM citizens WHERE citizen_id = $1", uuid.UUID(str(victim_id))
    )
    assert row is not None
    assert (row["name"], row["phone"]) == (None, victim)


async def test_the_dev_gateway_texts_as_a_citizen_signed_and_shows_the_answer(intake: Running) -> None:
    exchange = await text_as_citizen(intake.client, URL, TOKEN, new_phone(), "ជំនួយ")
    assert exchange.status == 200
    assert "ស្ថានភាព" in exchange.answer
    forged = await text_as_citizen(intake.client, URL, "wrong-token", new_phone(), "HELP")
    assert forged.status == 403


async def test_texts_at_once_beyond_the_pool_size_are_all_answered(service_env: dict[str, str]) -> None:
    # Each text holds one connection for its transaction: anything it read on a second one would wait for
    # a connection held by another text waiting the same way.
    async with running_intake(
        service_env, sms_auth_token=TOKEN, sms_inbound_url=URL, database_pool_size=2
    ) as small:
        owner, _ = await sms_case(small, new_phone())
        (filed,) = await events_of(small, owner, "ComplaintFiled")
        await projected(small, str(filed["reference"]), "filed")
        async with asyncio.timeout(120):  # a guard against a hang, not a measurement
            answers = await asyncio.gather(
                *(text(small, new_phone(), f"STATUS {filed['reference']}") for _ in range(12))
            )
        # New complaints too: the phone's complaint budget is taken in the text's own transaction.
        async with asyncio.timeout(120):
            filings = await asyncio.gather(*(text(small, new_phone(), "Theft in Kampot") for _ in range(12)))
        assert small.metric("sms_inbound_total", kind="complaint") == 13
    assert {said(answer).split(":")[0] for answer in answers} == {f"Complaint {filed['reference']}"}
    assert {said(answer) for answer in filings} == {""}


async def test_new_complaints_texted_past_the_phones_complaint_budget_are_answered_and_not_filed(
    service_env: dict[str, str],
) -> None:
    async with running_intake(
        service_env, sms_auth_token=TOKEN, sms_inbound_url=URL, complaints_per_phone_per_hour=1
    ) as bounded:
        phone = new_phone()
        _, reference = await sms_case(bounded, phone)
        await projected(bounded, reference, "filed")  # so that the next text is read as an update to it
        refused = said(await text(bounded, phone, "NEW my neighbour's moto too, in Kampot"))
        assert "too many complaints" in refused
        # What a citizen may still do past it: answer, ask, and file from another phone.
        assert "NEW" in said(await text(bounded, phone, "It was red"))
        await sms_case(bounded, new_phone())
        kinds = await bounded.pool.fetch("SELECT kind, count(*) AS n FROM intake_inbound GROUP BY kind")
        assert sorted((row["kind"], row["n"]) for row in kinds) == [
            ("complaint", 2), ("limited", 1), ("update", 1),
        ]  # fmt: skip
        assert bounded.metric("complaints_limited_total", channel="sms", budget="complaints-per-phone") == 1
        assert bounded.metric("complaints_rejected_total", channel="sms", reason="limited") == 1
        assert bounded.metric("sms_inbound_total", kind="limited") == 1

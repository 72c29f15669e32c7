"""The demo's decisions: a step is taken only when the case is where the step expects, in order."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from cli.case_view import CaseView
from cli.demo.plan import CITIZEN_MESSENGER, CITIZEN_SMS, REFERENCE, Step, Story, finished, next_step
from cli.demo.stories import PHONES_NEEDED, demo_stories
from cli.intake_api import dev_token
from shared.events import CaseAcknowledged, CaseEscalated, CitizenNotified
from shared.testing.events import complaint_filed
from tests.unit.cli.stream import CASE, POLICE_1203, PROVINCIAL, assigned, stream

pytestmark = pytest.mark.unit

STORY = Story(
    "t", "answered at the provincial level", "http", {"channel": "web", "citizen": {}},
    (Step("assigned", 1, "acknowledge"), Step("acknowledged", 1, "resolve", by="working_group")),
)  # fmt: skip


def test_a_step_waits_for_its_status_and_level() -> None:
    filed = stream(complaint_filed(citizen_id=uuid.uuid4()), assigned())
    assert next_step(STORY, 0, CaseView.of(CASE, filed)) is None  # still at level 0: the SLA must act first

    escalated = CaseView.of(CASE, stream(
        complaint_filed(citizen_id=uuid.uuid4()), assigned(),
        CaseEscalated(from_unit=POLICE_1203, to_unit=PROVINCIAL, level=1, reason="unanswered"),
    ))  # fmt: skip
    step = next_step(STORY, 0, escalated)
    assert step is STORY.steps[0]
    assert step.token(escalated) == "dev-provincial-police-KH-12"
    assert next_step(STORY, 1, escalated) is None  # the second step needs the acknowledgement first


def test_a_story_is_finished_once_every_step_is_taken_and_every_sms_is_accounted_for() -> None:
    filing = complaint_filed(citizen_id=uuid.uuid4())
    events = stream(filing, assigned(), CaseAcknowledged(unit_id="police:1203"))
    view = CaseView.of(CASE, events)
    assert not finished(STORY, 2, view)  # the receipt and the assignment SMS are not sent yet
    sent = stream(*(CitizenNotified(about_event_id=e.event_id, channel="sms", provider_message_id="SM")
                    for e in events[:2]))  # fmt: skip
    notified = CaseView.of(CASE, [*events, *sent])
    assert finished(STORY, 2, notified)
    assert not finished(STORY, 1, notified)


def test_dev_tokens_follow_the_names_in_the_dev_tokens_file() -> None:
    assert dev_token("police:1203") == "dev-police-1203"
    assert dev_token("moi-working-group") == "dev-working-group"


def test_the_demo_mixes_languages_channels_and_provinces_and_gives_each_run_its_own_ids() -> None:
    now = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    phones = [f"+85512{n:06d}" for n in range(PHONES_NEEDED)]
    stories = demo_stories("abc123", phones, "6000000000000001", now)
    submissions = [story.submission for story in stories]
    assert {s["citizen"]["language"] for s in submissions} == {"km", "en"}
    assert {s["channel"] for s in submissions} == {"web", "sms", "facebook", "commune_office"}
    assert {story.via for story in stories} == {"http", "kafka", "messenger"}
    assert len({s["channel_message_id"] for s in submissions}) == len(stories)
    assert all("abc123" in s["channel_message_id"] for s in submissions)
    assert {story.phone for story in stories} == {*phones, None}
    (on_messenger,) = [story for story in stories if story.psid is not None]
    assert (on_messenger.via, on_messenger.channel, on_messenger.phone) == ("messenger", "facebook", None)
    assert on_messenger.psid == "6000000000000001"


def test_a_citizen_step_puts_the_case_reference_in_the_words_it_sends() -> None:
    view = CaseView.of(CASE, stream(complaint_filed(citizen_id=uuid.uuid4()), assigned()))
    asks = Step("assigned", 0, CITIZEN_MESSENGER, {"text": f"STATUS {REFERENCE}"}, by="citizen")
    assert view.reference
    assert asks.words(view) == f"STATUS {view.reference}"
    assert asks.describe(view) == f"the citizen writes on Messenger: STATUS {view.reference}"
    answers = Step("assigned", 0, CITIZEN_SMS, {"text": "Red"}, by="citizen")
    assert answers.describe(view) == "the citizen answers by SMS: Red"

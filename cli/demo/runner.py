"""The demo against a running stack: file the stories' complaints, act on each case when its story says,
print every event as it is stored, and collect what each citizen was sent by SMS and on Messenger.

Everything it decides on is read back from the event store; the loop is bounded by ``timeout``.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx

from cli.case_store import find_filings, open_pool
from cli.case_view import CaseView
from cli.demo.plan import CITIZEN_SMS, Step, Story, finished, next_step
from cli.demo.stories import PHONES_NEEDED, demo_stories
from cli.facts import event_line, local_time
from cli.gateway import messages_to
from cli.intake_api import ApiRefusedError, Filed, IntakeApi
from cli.messenger import MessengerGateway
from cli.settings import CliSettings
from cli.submissions import publish, web_body
from shared.events import Envelope
from shared.eventstore import PostgresEventStore
from shared.service.clock import Clock, system_clock

PROGRESS_EVERY = 10.0  # seconds between "still waiting" lines


@dataclass
class Journey:
    """One story as the run went: its case, how many steps were taken, the latest view, what the citizen
    got by SMS and on Messenger."""

    story: Story
    filed: Filed | None = None
    done: int = 0
    view: CaseView | None = None
    printed: int = 0
    complete: bool = False
    last_refusal: str = ""
    sms: list[dict[str, Any]] = field(default_factory=list)
    messenger: list[dict[str, Any]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.filed.reference if self.filed else self.story.key


@dataclass(frozen=True, slots=True)
class Doors:
    """How the demo's responders and citizens reach the stack."""

    api: IntakeApi
    messenger: MessengerGateway
    sms_token: str = ""  # the citizens' texts are signed with it when it is set


@dataclass(frozen=True, slots=True)
class DemoRun:
    run_id: str
    journeys: list[Journey]
    seconds: float

    @property
    def complete(self) -> bool:
        return all(journey.complete for journey in self.journeys)


async def run_demo(
    settings: CliSettings, *, within: float, poll: float = 0.5, rng: random.Random | None = None,
    clock: Clock = system_clock,
) -> DemoRun:  # fmt: skip
    """File, act and watch until every story is complete or ``within`` seconds pass."""
    rng = rng or random.Random()
    run_id = f"{rng.randrange(16**6):06x}"
    phones = [f"+855{rng.choice(('12', '92'))}{rng.randrange(10**5, 10**6)}" for _ in range(PHONES_NEEDED)]
    psid = str(rng.randrange(10**15, 10**16))  # Meta's PSIDs are strings of about 16 digits
    journeys = [Journey(story) for story in demo_stories(run_id, phones, psid, clock())]
    started = time.monotonic()
    print(f"demo {run_id}: {len(journeys)} complaints; intake {settings.intake_url}, "
          f"SMS gateway {settings.sms_api_base}, Messenger gateway {settings.messenger_gateway_url}; "
          f"at most {within:g} s", flush=True)  # fmt: skip
    async with (
        IntakeApi.connect(settings.intake_url) as api,
        MessengerGateway.connect(settings.messenger_gateway_url) as messenger,
        open_pool(settings.database_url) as pool,
    ):
        doors = Doors(api, messenger, settings.sms_auth_token)
        await _file(settings, doors, journeys, clock)
        print("\nevents as they are stored, and what the responders and citizens do:", flush=True)
        await _watch(doors, pool, journeys, clock=clock, deadline=started + within, poll=poll)
        on_messenger = await messenger.received(p for j in journeys if (p := j.story.psid))
    texted = await messages_to(settings.sms_api_base, {p for j in journeys if (p := j.story.phone)})
    for journey in journeys:
        journey.sms = texted.get(journey.story.phone or "", [])
        journey.messenger = on_messenger.get(journey.story.psid or "", [])
    return DemoRun(run_id, journeys, time.monotonic() - started)


async def _file(settings: CliSettings, doors: Doors, journeys: list[Journey], clock: Clock) -> None:
    print("\nfiling:", flush=True)
    by_kafka = [j for j in journeys if j.story.via == "kafka"]
    topic = settings.topics.submissions
    await publish(settings.kafka_bootstrap_servers, topic, [j.story.submission for j in by_kafka])
    for journey in by_kafka:
        print(f"{local_time(clock())}  {journey.story.key:<9} sent to {topic} "
              f"as {journey.story.channel}: {journey.story.title}", flush=True)  # fmt: skip
    for journey in journeys:
        if journey.story.via == "http":
            journey.filed = await doors.api.file(web_body(journey.story.submission))
            print(f"{local_time(clock())}  {journey.story.key:<9} POST /v1/complaints -> "
                  f"{journey.filed.reference}: {journey.story.title}", flush=True)  # fmt: skip
    for journey in journeys:
        if journey.story.via == "messenger":
            # Filed by intake's conversation, as any Messenger message is: found like a Kafka filing.
            story = journey.story
            await doors.messenger.write(story.psid or "", str(story.submission["text"]), story.message_id)
            print(f"{local_time(clock())}  {story.key:<9} wrote to the page on Messenger: {story.title}",
                  flush=True)  # fmt: skip


async def _watch(
    doors: Doors, pool: asyncpg.Pool, journeys: list[Journey], *, clock: Clock, deadline: float, poll: float
) -> None:
    store = PostgresEventStore(pool)
    next_progress = time.monotonic() + PROGRESS_EVERY
    while not all(j.complete for j in journeys) and time.monotonic() < deadline:
        await _find_kafka_filings(pool, journeys)
        streams = await store.read_streams([j.filed.case_id for j in journeys if j.filed])
        _print_new_events(journeys, streams)
        for journey in journeys:
            if journey.filed is not None:
                await _advance(doors, journey, clock)
        if time.monotonic() >= next_progress:
            next_progress += PROGRESS_EVERY
            _print_waiting(journeys, clock)
        await asyncio.sleep(poll)


async def _find_kafka_filings(pool: asyncpg.Pool, journeys: list[Journey]) -> None:
    waiting = {(j.story.channel, j.story.message_id): j for j in journeys if j.filed is None}
    if waiting:
        for key, filed in (await find_filings(pool, list(waiting))).items():
            waiting[key].filed = filed


def _print_new_events(journeys: list[Journey], streams: dict[Any, list[Envelope]]) -> None:
    fresh: list[tuple[Envelope, Journey]] = []
    for journey in journeys:
        if journey.filed is None:
            continue
        events = streams.get(journey.filed.case_id, [])
        journey.view = CaseView.of(journey.filed.case_id, events)
        fresh.extend((event, journey) for event in events[journey.printed :])
        journey.printed = len(events)
    types = {e.event_id: e.type for events in streams.values() for e in events}
    for event, journey in sorted(fresh, key=lambda pair: pair[0].occurred_at):
        print(event_line(event, journey.label, types), flush=True)


async def _advance(doors: Doors, journey: Journey, clock: Clock) -> None:
    """Take the story's next step if the case is ready for it; mark the story complete when it is."""
    view, filed = journey.view, journey.filed
    if view is None or filed is None or journey.complete:
        return
    if finished(journey.story, journey.done, view):
        journey.complete = True
        print(f"{local_time(clock())}  {journey.label:<8}  == {journey.story.key}'s journey is complete: "
              f"{view.journey}", flush=True)  # fmt: skip
        return
    step = next_step(journey.story, journey.done, view)
    if step is None:
        return
    action = step.describe(view)
    try:
        if step.by == "citizen":
            action += await _as_citizen(doors, journey, step, view)
        else:
            key = f"demo:{filed.case_id}:{journey.done}"
            await doors.api.command(filed.case_id, step.command, step.token(view), step.body, key)
    except (ApiRefusedError, httpx.HTTPError) as error:
        # The case moved meanwhile (an escalation won the race) or intake is busy: decide again next poll.
        if str(error) != journey.last_refusal:
            print(f"{local_time(clock())}  {journey.label:<8}  !! {action}: refused ({error})", flush=True)
            journey.last_refusal = str(error)
        return
    journey.done += 1
    print(f"{local_time(clock())}  {journey.label:<8}  >> {action}", flush=True)


async def _as_citizen(doors: Doors, journey: Journey, step: Step, view: CaseView) -> str:
    """Send the citizen's words; what to add to the line that reports it."""
    if step.command == CITIZEN_SMS:
        answer = await doors.api.text(journey.story.phone or "", step.words(view), doors.sms_token)
        return f" (answered: {answer})"
    # The mid is the step's own, so a write sent again after a failure is Meta's retry, not a second message.
    mid = f"{journey.story.message_id}-{journey.done}"
    await doors.messenger.write(journey.story.psid or "", step.words(view), mid)
    return " (the answer comes on Messenger)"


def _print_waiting(journeys: Sequence[Journey], clock: Clock) -> None:
    open_ = [j for j in journeys if not j.complete]
    where = ", ".join(
        f"{j.label} {j.view.status}" + (f" at level {j.view.level}" if j.view.level is not None else "")
        if j.view
        else f"{j.label} not filed yet"
        for j in open_
    )
    print(f"{local_time(clock())}  .. {len(journeys) - len(open_)} of {len(journeys)} journeys complete; "
          f"waiting on {where}", flush=True)  # fmt: skip

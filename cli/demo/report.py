"""The demo's closing summary: each case's journey, then the SMS and Messenger messages each citizen got."""

from __future__ import annotations

from datetime import datetime

from cli.demo.runner import DemoRun, Journey
from cli.facts import local_time
from cli.table import render


def summary(run: DemoRun) -> str:
    rows = [_row(journey) for journey in run.journeys]
    done = sum(journey.complete for journey in run.journeys)
    verdict = "every journey complete" if run.complete else f"{done} of {len(run.journeys)} journeys complete"
    table = render(
        ["case", "citizen", "channel", "via", "status", "level", "SMS", "Messenger", "journey"], rows
    )
    sent = f"{_texts(run)}\n\n{_messenger(run)}"
    return f"\ndemo {run.run_id}: {verdict} in {run.seconds:.0f} s\n\n{table}\n\n{sent}"


def _row(journey: Journey) -> list[str]:
    story, view = journey.story, journey.view
    if view is None:
        return [journey.label, _who(journey), story.channel, story.via, "not filed", "", "0", "0", ""]
    level = "" if view.level is None else str(view.level)
    sent = [str(len(journey.sms)), str(len(journey.messenger))]
    return [journey.label, _who(journey), story.channel, story.via, view.status, level, *sent, view.journey]


def _who(journey: Journey) -> str:
    citizen = journey.story.submission["citizen"]
    return "anonymous" if citizen.get("anonymous") else f"{citizen.get('name', '?')} ({citizen['language']})"


def _texts(run: DemoRun) -> str:
    lines = ["SMS each citizen got (from the SMS gateway's GET /messages):"]
    for journey in run.journeys:
        citizen = journey.story.submission["citizen"]
        if journey.story.phone is None:
            never = "never texted (wrote on Messenger: below)" if journey.story.psid else "never texted"
            lines.append(f"\n{journey.label}  {_who(journey)}: {never}")
            continue
        lines.append(
            f"\n{journey.label}  {citizen.get('name')} {journey.story.phone} ({citizen['language']})"
        )
        for message in journey.sms:
            sent = local_time(datetime.fromisoformat(str(message["date_created"])))
            lines.append(f"  {sent}  {message['status']:<9}  {message['body']}")
    return "\n".join(lines)


def _messenger(run: DemoRun) -> str:
    lines = [
        "Messenger messages the page sent each citizen who wrote there (the gateway's GET /messages?psid=):"
    ]
    for journey in run.journeys:
        if journey.story.psid is None:
            continue
        citizen = journey.story.submission["citizen"]
        lines.append(
            f"\n{journey.label}  {citizen.get('name')} PSID {journey.story.psid} ({citizen['language']})"
        )
        for message in journey.messenger:
            sent = local_time(datetime.fromisoformat(str(message["at"])))
            lines.append(f"  {sent}  {message['detail']:<9}  {message['text']}")
    return "\n".join(lines)

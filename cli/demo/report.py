"""The demo's closing summary: each case's journey, then the SMS each citizen got."""

from __future__ import annotations

from datetime import datetime

from cli.demo.runner import DemoRun, Journey
from cli.facts import local_time
from cli.table import render


def summary(run: DemoRun) -> str:
    rows = [_row(journey) for journey in run.journeys]
    done = sum(journey.complete for journey in run.journeys)
    verdict = "every journey complete" if run.complete else f"{done} of {len(run.journeys)} journeys complete"
    table = render(["case", "citizen", "channel", "via", "status", "level", "SMS", "journey"], rows)
    return f"\ndemo {run.run_id}: {verdict} in {run.seconds:.0f} s\n\n{table}\n\n{_texts(run)}"


def _row(journey: Journey) -> list[str]:
    story, view = journey.story, journey.view
    citizen = story.submission["citizen"]
    who = "anonymous" if citizen.get("anonymous") else f"{citizen.get('name', '?')} ({citizen['language']})"
    if view is None:
        return [journey.label, who, story.channel, story.via, "not filed", "", "0", ""]
    level = "" if view.level is None else str(view.level)
    sms = str(len(journey.sms))
    return [journey.label, who, story.channel, story.via, view.status, level, sms, view.journey]


def _texts(run: DemoRun) -> str:
    lines = ["SMS each citizen got (from the gateway's GET /messages):"]
    for journey in run.journeys:
        citizen = journey.story.submission["citizen"]
        if journey.story.phone is None:
            lines.append(f"\n{journey.label}  anonymous: never texted")
            continue
        who = f"{citizen.get('name')} {journey.story.phone} ({citizen['language']})"
        lines.append(f"\n{journey.label}  {who}")
        for message in journey.sms:
            sent = local_time(datetime.fromisoformat(str(message["date_created"])))
            lines.append(f"  {sent}  {message['status']:<9}  {message['body']}")
    return "\n".join(lines)

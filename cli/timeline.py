"""`python -m cli timeline REF_OR_CASE_ID`: a case's events from the event store, as a table."""

from __future__ import annotations

import argparse

import uvloop

from cli.case_store import find_case, open_pool
from cli.case_view import CaseView
from cli.facts import ZONE, facts, local_time
from cli.settings import settings_of
from cli.table import render
from shared.events import Actor, Envelope
from shared.eventstore import PostgresEventStore


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "timeline", help="a case's events as a table (from the event store at DATABASE_URL)"
    )
    parser.add_argument("case", metavar="REF_OR_CASE_ID", help="the reference (KH7F3K9Q) or the case id")
    parser.set_defaults(run=lambda args: uvloop.run(timeline(args.case, settings_of(args).database_url)))


async def timeline(reference_or_id: str, database_url: str) -> int:
    async with open_pool(database_url) as pool:
        case_id = await find_case(pool, reference_or_id)
        if case_id is None:
            print(f"no case {reference_or_id!r} in the event store")
            return 1
        events = await PostgresEventStore(pool).read_stream(case_id)
    print(render_timeline(events))
    return 0


def render_timeline(events: list[Envelope]) -> str:
    """A header line with where the case stands, then one row per event."""
    view = CaseView.of(events[0].case_id, events)
    holder = f", held by {view.unit_id} at level {view.level}" if view.unit_id else ""
    verdict = f", verdict {view.verdict}" if view.verdict else ""
    header = (
        f"case {view.reference} ({view.case_id}): {view.status}{holder}{verdict}; "
        f"{view.sms_sent} SMS sent to the citizen"
    )
    types_by_id = {event.event_id: event.type for event in events}
    rows = [
        [str(e.version), local_time(e.occurred_at, with_date=True), e.type, _actor(e.actor),
         facts(e, types_by_id)]
        for e in events
    ]  # fmt: skip
    return f"{header}\n\n{render(['#', f'at ({ZONE.key})', 'event', 'by', 'facts'], rows)}"


def _actor(actor: Actor) -> str:
    # A citizen's id is a key into the personal-data vault: nothing an operator reads.
    return actor.kind if actor.kind == "citizen" else f"{actor.kind} {actor.id}"

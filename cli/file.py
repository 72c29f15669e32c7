"""`python -m cli file`: file a complaint through intake's HTTP API, or as a channel on Kafka."""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import uvloop

from cli.case_store import find_filings, open_pool
from cli.intake_api import IntakeApi
from cli.settings import CliSettings, add_endpoint_flags, settings_of
from cli.submissions import FREE_TEXT_CHANNELS, publish, submission, web_body

CHANNELS = ("web", "sms", "facebook", "commune_office", "hotline")
CATEGORIES = (
    "drugs", "theft", "violence", "domestic_violence", "traffic", "police_misconduct", "corruption",
    "land_dispute", "public_services", "flood_relief", "nuisance", "other",
)  # fmt: skip


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "file",
        help="file a complaint (HTTP as the web form, or Kafka as any channel)",
        description="File a complaint. Over HTTP it is the web form (POST /v1/complaints); with "
        "--via kafka it goes to complaints.submissions as --channel, and the tool waits for intake to "
        "file it (it reads the event store at DATABASE_URL).",
    )
    parser.add_argument("--text", required=True, help="the complaint, 1 to 4000 characters")
    parser.add_argument("--via", choices=("http", "kafka"), default="http")
    parser.add_argument("--channel", choices=CHANNELS, default="web", help="with --via kafka (default web)")
    parser.add_argument("--province", help="KH-n, the 2-digit code, or a name (free-text channels: optional)")
    parser.add_argument("--district", help="code or name")
    parser.add_argument("--commune", help="code or name")
    parser.add_argument("--phone", help="Cambodian local (012 345 678) or E.164")
    parser.add_argument("--name", help="the citizen's name (kept in the personal-data vault only)")
    parser.add_argument("--language", choices=("km", "en"), default="km", help="of the SMS the citizen gets")
    parser.add_argument("--anonymous", action="store_true", help="no contact; the citizen is never texted")
    parser.add_argument("--category", choices=CATEGORIES)
    parser.add_argument("--official", help="the official filing for the citizen (commune office)")
    parser.add_argument("--message-id", help="the channel message id (the dedup key); generated if not given")
    parser.add_argument("--wait", type=float, default=30.0, help="seconds to wait for a Kafka filing")
    add_endpoint_flags(parser)
    parser.set_defaults(run=lambda args: uvloop.run(file_complaint(args)))


async def file_complaint(args: argparse.Namespace) -> int:
    if args.via == "http" and args.channel != "web":
        raise SystemExit("error: HTTP is the web form; use --via kafka to file as another --channel")
    if args.province is None and args.channel not in FREE_TEXT_CHANNELS:
        raise SystemExit(f"error: --province is required for the {args.channel} channel")
    settings = settings_of(args)
    body = submission(
        channel=args.channel, message_id=args.message_id or f"cli-{uuid.uuid4().hex[:12]}",
        submitted_at=datetime.now(UTC), text=args.text, language=args.language, phone=args.phone,
        name=args.name, anonymous=args.anonymous, category=args.category, province=args.province,
        district=args.district, commune=args.commune, official=args.official,
    )  # fmt: skip
    if args.via == "http":
        async with IntakeApi.connect(settings.intake_url) as api:
            filed = await api.file(web_body(body))
        print(f"filed: reference {filed.reference}, case {filed.case_id}")
        return 0
    return await _file_on_kafka(settings, body, args.wait)


async def _file_on_kafka(settings: CliSettings, body: dict[str, Any], wait: float) -> int:
    topic, key = settings.topics.submissions, (body["channel"], body["channel_message_id"])
    await publish(settings.kafka_bootstrap_servers, topic, [body])
    print(f"sent to {topic} as {key[0]} message {key[1]}", flush=True)
    deadline = time.monotonic() + wait
    async with open_pool(settings.database_url) as pool:
        while True:
            found = (await find_filings(pool, [key])).get(key)
            if found is not None:
                print(f"filed: reference {found.reference}, case {found.case_id}")
                return 0
            if time.monotonic() >= deadline:
                print(f"not filed within {wait:g} s: intake may have refused it (see {topic}.dlq)")
                return 1
            await asyncio.sleep(0.3)

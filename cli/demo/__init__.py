"""`python -m cli demo`: eight complaints through a running stack, and what became of each."""

from __future__ import annotations

import argparse
import random

import uvloop

from cli.demo.report import summary
from cli.demo.runner import run_demo
from cli.settings import add_endpoint_flags, add_messenger_flag, settings_of


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="drive the demo against a running stack (make run): file, answer, escalate, resolve, SMS, "
        "Messenger",
        description="Files eight Khmer and English complaints (web over HTTP; sms, facebook and "
        "commune_office over Kafka; one written on Messenger through the dev Messenger gateway), answers "
        "some as the units holding them (deploy/dev-tokens.yaml), refuses one, leaves some to the SLA policy "
        "(run the stack with deploy/sla-policy.demo.yaml), lets the working group judge and triage, then "
        "prints each case's journey and the SMS and Messenger messages each citizen got.",
    )
    parser.add_argument("--timeout", type=float, default=180.0, help="give up after this many seconds")
    parser.add_argument("--poll", type=float, default=0.5, help="seconds between reads of the event store")
    add_endpoint_flags(parser)
    add_messenger_flag(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    demo = run_demo(settings_of(args), within=args.timeout, poll=args.poll, rng=random.Random())
    outcome = uvloop.run(demo)
    print(summary(outcome), flush=True)
    return 0 if outcome.complete else 1

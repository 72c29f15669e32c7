"""`python -m cli SUBCOMMAND`: see `python -m cli --help`."""

from __future__ import annotations

import argparse
import sys

import asyncpg
import httpx
from aiokafka.errors import KafkaError

from cli import demo, dlq, file, follow, replay, timeline, users
from cli.intake_api import ApiRefusedError
from shared.service.logs import keep_data_out_of_logs

# What a stack that is down, or a refused request, raises: reported in one line, not a traceback.
UNREACHABLE = (OSError, httpx.HTTPError, asyncpg.PostgresError, KafkaError)


def main() -> int:
    # The tool logs nothing of its own, but the libraries it uses would (httpx: every URL it asks).
    keep_data_out_of_logs()
    parser = argparse.ArgumentParser(prog="python -m cli", description="Operate the complaint system.")
    subparsers = parser.add_subparsers(required=True, dest="command")
    for command in (file, timeline, follow, demo, replay, dlq, users):
        command.add_parser(subparsers)
    args = parser.parse_args()
    try:
        code: int | None = args.run(args)
    except ApiRefusedError as error:
        print(f"error: intake answered {error}", file=sys.stderr)
        return 1
    except UNREACHABLE as error:
        print(f"error: {type(error).__name__}: {error} (is the stack up? make run)", file=sys.stderr)
        return 2
    return code or 0


if __name__ == "__main__":
    raise SystemExit(main())

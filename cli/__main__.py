"""`python -m cli SUBCOMMAND`: see `python -m cli --help`."""

from __future__ import annotations

import argparse

from cli import replay


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m cli", description="Operate the complaint system.")
    subparsers = parser.add_subparsers(required=True, dest="command")
    replay.add_parser(subparsers)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()

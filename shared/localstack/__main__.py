"""`python -m shared.localstack run|up|down|jars`: the local stack (see stack.py)."""

from __future__ import annotations

import argparse

from shared.localstack.kafka import ensure_jars
from shared.localstack.process import ServerStartError
from shared.localstack.stack import default_run_dir, down, run, up


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.localstack", description=__doc__)
    parser.add_argument("command", choices=["run", "up", "down", "jars"])
    args = parser.parse_args()
    run_dir = default_run_dir()
    try:
        if args.command == "run":
            run(run_dir)
        elif args.command == "up":
            up(run_dir)
        elif args.command == "down":
            down(run_dir)
        else:
            print(ensure_jars())
    except ServerStartError as error:
        print(f"error: {error}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

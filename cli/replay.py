"""`python -m cli replay NAME`: rebuild a projection from the event store, with a progress bar."""

from __future__ import annotations

import argparse
import os

import uvloop
from tqdm import tqdm

from cli.projections import PROJECTIONS
from shared.messaging.projection import rebuild
from shared.service.database import create_pool
from shared.service.settings import ServiceSettings


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("replay", help="rebuild a projection from the event store")
    parser.add_argument("projection", choices=sorted(PROJECTIONS), help="the projection to rebuild")
    parser.set_defaults(run=lambda args: uvloop.run(replay(args.projection)))


async def replay(name: str) -> None:
    database_url = os.environ.get("DATABASE_URL", ServiceSettings().database_url)
    projection = PROJECTIONS[name]()
    async with create_pool(database_url, min_size=1, max_size=2) as pool:
        total = await pool.fetchval("SELECT count(*) FROM events")
        with tqdm(total=total, unit="event", desc=f"replay {name}") as bar:
            replayed = await rebuild(pool, projection, progress=bar.update)
    print(f"{name}: rebuilt from {replayed} events")

"""Serve a service's ASGI app with uvicorn on its ``HTTP_PORT``: the body of every ``__main__``."""

from __future__ import annotations

import logging
import os

import uvicorn
from fastapi import FastAPI


def configure_logging() -> None:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )


def serve(app: FastAPI, host: str, port: int) -> None:
    """Run until SIGTERM or Ctrl-C; uvicorn runs the lifespan, which stops everything cleanly.

    uvloop and httptools (pinned) run the event loop and parse HTTP: Kafka, PostgreSQL and HTTP then
    share a loop that costs less CPU per message than asyncio's own.
    """
    uvicorn.run(
        app, host=host, port=port, loop="uvloop", http="httptools",
        log_config=None, access_log=False, timeout_graceful_shutdown=10,
    )  # fmt: skip

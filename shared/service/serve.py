"""Serve a service's ASGI app with uvicorn on its ``HTTP_PORT``: :func:`main` is every ``__main__``."""

from __future__ import annotations

import logging
import sys
import textwrap
from collections.abc import Callable
from typing import Protocol, TypeVar

import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError

from shared.service.configuration import ConfigurationError
from shared.service.logs import configure_logging
from shared.service.settings import ServiceSettings

log = logging.getLogger(__name__)
EXIT_BAD_CONFIGURATION = 2  # a code of its own: a restart with the same settings fails the same way


class Listening(Protocol):
    """Where a service's settings say it serves HTTP."""

    @property
    def http_host(self) -> str: ...

    @property
    def port(self) -> int: ...

    @property
    def forwarded_allow_ips(self) -> str: ...


S = TypeVar("S", bound=Listening)


def main(service: str, settings: Callable[[], S], app: Callable[[S], FastAPI]) -> None:
    """Read the settings from the environment, build the app, and serve it until SIGTERM or Ctrl-C.

    A bad setting or file stops the process before anything connects or serves: one critical log line
    naming the service and listing every problem found, and exit code 2. So does a published development
    value (a dev token file or secret) outside dev mode (``COMPLAINTS_DEV``).
    """
    configure_logging()
    try:
        read = settings()
        refused = DevValuesError.of(read)
        try:
            built = app(read)
        except ConfigurationError as error:
            raise ConfigurationError("\n".join(filter(None, [str(refused or ""), str(error)]))) from None
        if refused is not None:
            raise refused
    except (ValidationError, ConfigurationError) as error:
        log.critical("the %s service cannot start:\n%s", service, problems(error))
        sys.exit(EXIT_BAD_CONFIGURATION)
    serve(built, read.http_host, read.port, read.forwarded_allow_ips)


class DevValuesError(ConfigurationError):
    """Settings holding published development values, outside dev mode."""

    @classmethod
    def of(cls, settings: object) -> DevValuesError | None:
        """The refusal of ``settings``: None in dev mode, or when they hold no development value (the dev
        gateway's settings are not a service's: it is a development tool)."""
        if not isinstance(settings, ServiceSettings) or settings.complaints_dev:
            return None
        found = settings.dev_values()
        return cls("\n".join(str(value) for value in found)) if found else None


def problems(error: ValidationError | ConfigurationError) -> str:
    """Every problem, each on an indented line: a setting's by its environment name, a file's as it says.

    A setting's problem leaves out the value given (pydantic's own text shows it): it may be a secret.
    """
    if isinstance(error, ConfigurationError):
        return textwrap.indent(str(error), "  ")
    return "\n".join(
        f"  {'_'.join(str(part) for part in problem['loc']).upper() or '(settings)'}: {problem['msg']}"
        for problem in error.errors(include_url=False, include_input=False)
    )


def serve(app: FastAPI, host: str, port: int, forwarded_allow_ips: str = "") -> None:
    """Run until SIGTERM or Ctrl-C; uvicorn runs the lifespan, which stops everything cleanly.

    The client of a request is the socket's peer address unless ``forwarded_allow_ips`` names the proxies
    whose X-Forwarded-For is believed (uvicorn would otherwise believe any local process's).

    On uvloop and httptools, named rather than left to uvicorn's "auto", so that a missing package fails
    the start instead of quietly costing about a fifth of intake's HTTP throughput (docs/numbers.md).
    """
    uvicorn.run(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        log_config=None,
        access_log=False,
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=forwarded_allow_ips or None,
        timeout_graceful_shutdown=10,
    )

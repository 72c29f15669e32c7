"""Logging for every process, with the libraries that would print citizens' contacts kept quiet."""

from __future__ import annotations

import logging
import os

# Libraries whose lines carry what they send, and so citizens' contacts: aiokafka's DEBUG lines print the
# records it fetches and sends (submissions and their dead letters hold names and phone numbers); httpx's INFO
# line prints every request's URL (notify asks the provider for its messages to a number: ``?To=+855...``).
# They stay at the least level that says nothing of the data, whatever LOG_LEVEL says.
QUIET_LOGGERS = {"aiokafka": logging.INFO, "httpx": logging.WARNING, "httpcore": logging.WARNING}


class QuietLibraries(logging.Filter):
    """Drops the records of :data:`QUIET_LOGGERS` (and their children) below their least level.

    On the process's handler, so that it holds even when a logger's level is lowered after start-up (by a
    library's own configuration, or by hand): the logger level alone is one ``setLevel`` away from printing
    every provider URL, a phone number or an access token in its query.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        for name, least in QUIET_LOGGERS.items():
            if record.name == name or record.name.startswith(f"{name}."):
                return record.levelno >= least
        return True


def configure_logging() -> None:
    """A process's log: ``LOG_LEVEL`` (INFO by default), one line a record, on standard error."""
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(QuietLibraries())
    keep_data_out_of_logs()


def keep_data_out_of_logs() -> None:
    """Raise the loggers of :data:`QUIET_LOGGERS` to their least level; every infrastructure build calls it,
    so a service built inside another process (a test's) keeps them quiet too."""
    for name, least in QUIET_LOGGERS.items():
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < least:
            logger.setLevel(least)

"""Logging for every process, with the libraries that would print citizens' contacts kept quiet."""

from __future__ import annotations

import logging
import os

# Libraries whose lines carry what they send, and so citizens' contacts: aiokafka's DEBUG lines print the
# records it fetches and sends (submissions and their dead letters hold names and phone numbers); httpx's INFO
# line prints every request's URL (notify asks the provider for its messages to a number: ``?To=+855...``).
# They stay at the least level that says nothing of the data, whatever LOG_LEVEL says.
QUIET_LOGGERS = {"aiokafka": logging.INFO, "httpx": logging.WARNING, "httpcore": logging.WARNING}


def configure_logging() -> None:
    """A process's log: ``LOG_LEVEL`` (INFO by default), one line a record, on standard error."""
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    keep_data_out_of_logs()


def keep_data_out_of_logs() -> None:
    """Raise the loggers of :data:`QUIET_LOGGERS` to their least level; every infrastructure build calls it,
    so a service built inside another process (a test's) keeps them quiet too."""
    for name, least in QUIET_LOGGERS.items():
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < least:
            logger.setLevel(least)

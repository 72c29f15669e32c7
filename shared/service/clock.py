"""Time as a port: domain code gets ``now`` passed in; services pass :func:`system_clock`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""The one time source every service, the CLI and the tests use: called, it answers an aware UTC datetime.
Tests pass ``lambda: T0``; nothing else in the code is called ``Clock``."""


def system_clock() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)

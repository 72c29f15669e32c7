"""Intake running in this test's process (see harness.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.integration.intake.harness import Running, running_intake


@pytest.fixture
async def intake(service_env: dict[str, str]) -> AsyncIterator[Running]:
    async with running_intake(service_env) as running:
        yield running

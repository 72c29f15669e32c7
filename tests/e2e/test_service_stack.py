"""The test stack supervises its services like ``make run`` does: one that exits on its own comes back."""

import asyncio
import os
import signal
from pathlib import Path

import pytest

from shared.localstack.process import http_ok
from shared.testing.kafka import eventually
from shared.testing.stack import SUPERVISE_EVERY, ServiceStack

pytestmark = pytest.mark.e2e


async def test_a_service_that_exits_on_its_own_is_started_again_and_a_killed_one_is_not(
    service_env: dict[str, str], tmp_path: Path
) -> None:
    stack = ServiceStack(service_env, tmp_path / "logs")
    await asyncio.to_thread(stack.start)
    try:
        intake = stack.processes["intake"]
        assert intake.process is not None
        first_pid = intake.process.pid
        os.kill(first_pid, signal.SIGKILL)  # behind the stack's back, as a crash or a stuck-client exit

        async def came_back() -> bool:
            restarted = intake.process is not None and intake.process.pid != first_pid
            return restarted and await asyncio.to_thread(http_ok, f"{intake.url}/healthz")

        assert await eventually(came_back, within=120)
        assert stack.restarts == {"intake": 1}

        await asyncio.to_thread(stack.kill, "routing")
        await asyncio.sleep(3 * SUPERVISE_EVERY)
        assert not await asyncio.to_thread(http_ok, f"{stack.url('routing')}/healthz")
        assert stack.restarts == {"intake": 1}, "a service killed on purpose waits for restart()"
        await asyncio.to_thread(stack.restart, "routing")
        assert await asyncio.to_thread(http_ok, f"{stack.url('routing')}/healthz")
    finally:
        await asyncio.to_thread(stack.stop)

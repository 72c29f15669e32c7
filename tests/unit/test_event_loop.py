"""The tests run on the event loop the services run on."""

import asyncio

import pytest
import uvloop

pytestmark = pytest.mark.unit


async def test_async_tests_run_on_uvloop() -> None:
    assert isinstance(asyncio.get_running_loop(), uvloop.Loop)

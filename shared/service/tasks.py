"""Background work of a service component: named asyncio tasks started and stopped together, and the
loop that refreshes something every few seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, NoReturn


class BackgroundTasks:
    """The tasks a component runs while it is started; :meth:`stop` cancels them all and waits for them."""

    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[Any]] = []

    def __bool__(self) -> bool:
        """Whether any task was started since the last stop."""
        return bool(self._tasks)

    def start(self, name: str, work: Coroutine[Any, Any, Any]) -> None:
        """Run ``work`` as a task named ``name`` (the name shows in task dumps and in logs of its errors)."""
        self._tasks.append(asyncio.create_task(work, name=name))

    async def stop(self) -> None:
        """Cancel every task, then wait until each has finished."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def every(
    interval: float, refresh: Callable[[], Awaitable[object]], *, log: logging.Logger, failed: str
) -> NoReturn:
    """Await ``refresh`` now and then every ``interval`` seconds until cancelled. A failure is logged as a
    warning (``failed: error``) and the next turn tries again: what is refreshed keeps its last value."""
    while True:
        try:
            await refresh()
        except Exception as error:
            log.warning("%s: %r", failed, error)
        await asyncio.sleep(interval)

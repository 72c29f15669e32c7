"""Background work of a service component: named asyncio tasks started and stopped together, and the
loop that refreshes something every few seconds."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, NoReturn

log = logging.getLogger(__name__)


class BackgroundTasks:
    """The tasks a component runs while it is started; :meth:`stop` cancels them all and waits for them."""

    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[Any]] = []

    def __bool__(self) -> bool:
        """Whether any task was started since the last stop."""
        return bool(self._tasks)

    def start(self, name: str, work: Coroutine[Any, Any, Any]) -> None:
        """Run ``work`` as a task named ``name``; a task that ends by itself, with an error or without,
        is logged at once under its name (background work is meant to run until it is stopped)."""
        task = asyncio.create_task(work, name=name)
        task.add_done_callback(_ended)
        self._tasks.append(task)

    async def stop(self) -> None:
        """Cancel every task, then wait until each has finished; one that failed does not keep the others
        (or the components stopped after this one) from stopping."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _ended(task: asyncio.Task[Any]) -> None:
    if task.cancelled():
        return
    error = task.exception()
    if error is None:
        log.error("background task %s ended by itself", task.get_name())
    else:
        log.error("background task %s failed", task.get_name(), exc_info=error)


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

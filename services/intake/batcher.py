"""Group commit for HTTP filings: requests arriving together share one transaction.

Each request queues its complaint and waits; a few workers take whatever is queued (one complaint when
traffic is light, so no request waits on a timer) and file it as one batch. A batch that fails for a
reason other than an outage is filed again one complaint at a time, so that one bad filing fails alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from services.intake.domain.complaint import Complaint
from services.intake.filing import Filed
from shared.service.retry import is_transient
from shared.service.tasks import BackgroundTasks

log = logging.getLogger(__name__)
FileMany = Callable[[Sequence[Complaint]], Awaitable[list[Filed]]]
_Item = tuple[Complaint, "asyncio.Future[Filed]"]


class StoppingError(RuntimeError):
    """The service stops before the filing could be done."""


class FilingBatcher:
    """Gathers concurrent filings into batches of at most ``max_batch``; started and stopped by Intake."""

    def __init__(self, file_many: FileMany, *, max_batch: int = 200, workers: int = 4) -> None:
        self._file_many = file_many
        self.max_batch = max_batch
        self.workers = workers
        self._queue: asyncio.Queue[_Item] = asyncio.Queue()
        self._tasks = BackgroundTasks()

    async def file(self, complaint: Complaint) -> Filed:
        """File ``complaint`` with whatever else is waiting; raises what its batch raised."""
        if not self._tasks:
            raise StoppingError("intake is not filing (starting or stopping)")
        future: asyncio.Future[Filed] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((complaint, future))
        return await future

    async def start(self) -> None:
        for i in range(self.workers):
            self._tasks.start(f"filing-{i}", self._work())

    async def stop(self) -> None:
        await self._tasks.stop()
        while not self._queue.empty():
            _, future = self._queue.get_nowait()
            if not future.done():
                future.set_exception(StoppingError("intake stopped before filing this"))

    async def _work(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._file(batch)

    async def _file(self, batch: list[_Item]) -> None:
        try:
            results = await self._file_many([complaint for complaint, _ in batch])
        except asyncio.CancelledError:
            for _, future in batch:
                if not future.done():
                    future.set_exception(StoppingError("intake stopped while filing this"))
            raise
        except Exception as error:
            if len(batch) > 1 and not is_transient(error):
                log.warning("a batch of %d filings failed (%r); filing them one by one", len(batch), error)
                for item in batch:
                    await self._file([item])
                return
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

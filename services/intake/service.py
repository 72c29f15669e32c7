"""Intake inside its process: the use cases, built when the runtime sets the component up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from services.intake.batcher import FilingBatcher
from services.intake.case_commands import CaseCommands
from services.intake.case_queries import CaseQueries
from services.intake.domain.commands import Assign
from services.intake.filing import FilingService
from services.intake.metrics import IntakeMetrics
from services.intake.submissions import Submissions
from shared.places.gazetteer import Gazetteer
from shared.places.units import LEVELS, UnitRegistry
from shared.service.runtime import Runtime


class UnknownUnitError(LookupError):
    """No unit has this id."""


class Intake:
    """A runtime component holding intake's use cases; the HTTP routes and the consumer call them."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        units: UnitRegistry,
        clock: Callable[[], datetime],
        *,
        filing_batch: int = 200,
        filing_workers: int = 4,
    ) -> None:
        self.gazetteer = gazetteer
        self.units = units
        self._clock = clock
        self._filing_batch = filing_batch
        self._filing_workers = filing_workers

    def setup(self, runtime: Runtime) -> None:
        self.metrics = IntakeMetrics(runtime.registry)
        self.filing = FilingService(runtime, self.metrics, self._clock)
        self.batcher = FilingBatcher(
            self.filing.file_many, max_batch=self._filing_batch, workers=self._filing_workers
        )
        self.submissions = Submissions(self.gazetteer, self.metrics, self.filing, self.batcher, self._clock)
        self.commands = CaseCommands(runtime, self.metrics, self._clock)
        self.queries = CaseQueries(runtime)

    async def start(self) -> None:
        await self.batcher.start()

    async def stop(self) -> None:
        await self.batcher.stop()

    def assignment(self, unit_id: str, reason: str) -> Assign:
        """The working group's ``assign`` of a case to the unit ``unit_id``, at that unit's level."""
        unit = self.units.get(unit_id)
        if unit is None:
            raise UnknownUnitError(f"no unit has the id {unit_id!r}")
        return Assign(unit=unit.ref(), level=LEVELS[unit.kind], reason=reason)

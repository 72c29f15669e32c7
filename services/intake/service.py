"""Intake inside its process: the use cases, built on the service's database handle and metrics."""

from __future__ import annotations

from services.intake.batcher import FilingBatcher
from services.intake.case_commands import CaseCommands
from services.intake.case_queries import CaseQueries
from services.intake.complaint_budgets import ComplaintBudgets
from services.intake.domain.commands import Assign
from services.intake.filing import FilingService
from services.intake.metrics import IntakeMetrics
from services.intake.submissions import Submissions
from shared.eventstore import ConflictCounter, PostgresEventStore
from shared.places.gazetteer import Gazetteer
from shared.places.units import LEVELS, UnitRegistry
from shared.service.clock import Clock
from shared.service.database import Database


class UnknownUnitError(LookupError):
    """No unit has this id."""


class Intake:
    """A service component holding intake's use cases; the HTTP routes and the consumer call them."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        units: UnitRegistry,
        database: Database,
        metrics: IntakeMetrics,
        clock: Clock,
        *,
        budgets: ComplaintBudgets,
        conflicts: ConflictCounter,
        filing_batch: int = 200,
        filing_workers: int = 4,
    ) -> None:
        self.gazetteer = gazetteer
        self.units = units
        self.metrics = metrics
        self.filing = FilingService(database, metrics, clock)
        self.batcher = FilingBatcher(self.filing.file_many, max_batch=filing_batch, workers=filing_workers)
        self.submissions = Submissions(gazetteer, metrics, self.filing, self.batcher, clock, budgets=budgets)
        self.commands = CaseCommands(PostgresEventStore(database), metrics, clock, conflicts)
        self.queries = CaseQueries(database)

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

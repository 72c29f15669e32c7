"""The composition root of the sla service: settings in, ASGI app out.

The policy and units files are read and checked here, before anything connects: a service with a bad
file refuses to start and says which file, field and problem.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI

from services.sla.domain.policy import load_policy
from services.sla.firing import Firing
from services.sla.projector import DeadlineProjection
from services.sla.settings import SlaSettings
from services.sla.timer import SlaTimer, system_now
from services.sla.units import EscalationUnits
from shared.eventstore.migrations import MigrationSet
from shared.messaging.consumer import CaseEventConsumer
from shared.messaging.outbox_relay import OutboxRelay
from shared.places.gazetteer import load_gazetteer
from shared.places.units_file import load_units
from shared.service.http import service_app
from shared.service.runtime import Runtime

SERVICE = "sla"
MIGRATIONS = MigrationSet(SERVICE, Path(__file__).parent / "sql")


def bootstrap(settings: SlaSettings, clock: Callable[[], datetime] = system_now) -> FastAPI:
    return service_app(build_runtime(settings, clock))


def build_runtime(settings: SlaSettings, clock: Callable[[], datetime] = system_now) -> Runtime:
    """The SLA runtime: the deadlines consumer (group ``sla``), the timer and the outbox relay.

    Raises ``PolicyError``, ``UnitsFileError`` or ``UnknownUnitError`` when a file cannot be used.
    """
    policy = load_policy(settings.sla_policy_file)
    units = EscalationUnits(load_units(settings.units_file, load_gazetteer()), policy.ladder)
    # The gazetteer and unit registry live as long as the process: spare them the garbage collector's
    # full collections, which rescanned them often enough to take a quarter of the timer's time in a burst.
    gc.collect()
    gc.freeze()
    timer = SlaTimer(
        Firing(policy, units),
        interval=settings.sla_timer_interval,
        batch_size=settings.sla_timer_batch,
        workers=settings.sla_timer_workers,
        metrics_interval=settings.sla_metrics_interval,
        clock=clock,
    )
    return Runtime(
        SERVICE,
        settings,
        components=[OutboxRelay(), CaseEventConsumer(SERVICE, DeadlineProjection(policy)), timer],
        migrations=[MIGRATIONS],
    )


def deadlines_projection() -> DeadlineProjection:
    """The ``sla_deadlines`` projection with the policy of ``SLA_POLICY_FILE``, for the replay command."""
    return DeadlineProjection(load_policy(SlaSettings().sla_policy_file))

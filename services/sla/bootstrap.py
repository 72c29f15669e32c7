"""The composition root of the sla service: settings in, ASGI app out.

The policy and units files are read and checked here, before anything is built: a service with a bad
file refuses to start (a ``ConfigurationError``) and says which file, field and problem.
"""

from __future__ import annotations

import gc
from pathlib import Path

from fastapi import FastAPI

from services.sla.domain.policy import load_policy
from services.sla.firing import Firing
from services.sla.metrics import SlaMetrics
from services.sla.projector import DeadlineProjection
from services.sla.settings import SlaSettings
from services.sla.timer import SlaTimer
from services.sla.units import EscalationUnits, UnknownUnitError
from shared.eventstore.migrations import MigrationSet
from shared.messaging.consumer import CaseEventConsumer
from shared.messaging.outbox_relay import OutboxRelay
from shared.places.gazetteer import load_gazetteer
from shared.places.units_file import load_units
from shared.service.clock import Clock, system_clock
from shared.service.http import service_app
from shared.service.infrastructure import Infrastructure
from shared.service.lifecycle import Lifecycle

SERVICE = "sla"
MIGRATIONS = MigrationSet(SERVICE, Path(__file__).parent / "sql")


def bootstrap(settings: SlaSettings, clock: Clock = system_clock) -> FastAPI:
    return service_app(build_lifecycle(settings, clock))


def build_lifecycle(settings: SlaSettings, clock: Clock = system_clock) -> Lifecycle:
    """The SLA service: the outbox relay, the deadlines consumer (group ``sla``) and the timer.

    Raises ``PolicyError``, ``UnitsFileError`` or ``UnknownUnitError`` (each a ``ConfigurationError``) when
    a file cannot be used.
    """
    policy = load_policy(settings.sla_policy_file)
    registry = load_units(settings.units_file, load_gazetteer())
    try:
        units = EscalationUnits(registry, policy.ladder)
    except UnknownUnitError as error:  # name both files: either may be the one to fix
        raise UnknownUnitError(
            f"{settings.sla_policy_file}: {error}; add them to {settings.units_file} or change the ladder"
        ) from None
    # The gazetteer and unit registry live as long as the process: spare them the garbage collector's
    # full collections, which rescanned them often enough to take a quarter of the timer's time in a burst.
    gc.collect()
    gc.freeze()
    infra = Infrastructure.build(SERVICE, settings)
    relay = OutboxRelay(infra.database, infra.producer, infra.topics.case_events, infra.registry)
    consumer = CaseEventConsumer(infra, SERVICE, DeadlineProjection(policy))
    firing = Firing(policy, units, infra.metrics.event_store_conflicts.labels(writer=SERVICE))
    timer = build_timer(settings, infra, firing, clock)
    return Lifecycle(infra, components=[relay, consumer, timer], migrations=[MIGRATIONS])


def build_timer(
    settings: SlaSettings, infra: Infrastructure, firing: Firing, clock: Clock = system_clock
) -> SlaTimer:
    """The timer as ``SLA_TIMER_*`` and ``SLA_METRICS_INTERVAL`` set it, on ``infra``'s database."""
    return SlaTimer(
        firing,
        infra.database,
        SlaMetrics(infra.registry),
        interval=settings.sla_timer_interval,
        batch_size=settings.sla_timer_batch,
        workers=settings.sla_timer_workers,
        metrics_interval=settings.sla_metrics_interval,
        clock=clock,
    )


def deadlines_projection() -> DeadlineProjection:
    """The ``sla_deadlines`` projection with the policy of ``SLA_POLICY_FILE``, for the replay command."""
    return DeadlineProjection(load_policy(SlaSettings().sla_policy_file))

"""The composition root of the intake service: settings in, ASGI app out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI

from services.intake.api import errors
from services.intake.api.cases import cases_router
from services.intake.api.complaints import complaints_router
from services.intake.api.open311 import open311_router
from services.intake.case_status import GROUP, CaseStatusProjection
from services.intake.service import Intake
from services.intake.settings import IntakeSettings
from services.intake.submissions_consumer import SubmissionsConsumer
from services.intake.tokens import load_tokens
from shared.eventstore import MigrationSet
from shared.messaging.consumer import CaseEventConsumer
from shared.messaging.outbox_relay import OutboxRelay
from shared.places.gazetteer import load_gazetteer
from shared.places.units_file import load_units
from shared.service.http import service_app
from shared.service.runtime import Runtime

SERVICE = "intake"
MIGRATIONS = MigrationSet(SERVICE, Path(__file__).parent / "sql")
_DESCRIPTION = """Accepts complaints from upstream channels (Kafka `complaints.submissions`) and the web,
files them as `ComplaintFiled` case events, answers the public status of a case by reference, and takes
responders' and the working group's answers. Errors share one body: `{detail, errors: [{field, message}]}`."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def keep_contacts_out_of_logs() -> None:
    """aiokafka's DEBUG lines print the records it sends and fetches: submissions (and their dead letters)
    carry citizens' names and phone numbers, so its loggers stay at INFO even when LOG_LEVEL is DEBUG."""
    kafka = logging.getLogger("aiokafka")
    if kafka.getEffectiveLevel() < logging.INFO:
        kafka.setLevel(logging.INFO)


def bootstrap(settings: IntakeSettings, *, clock: Callable[[], datetime] = utc_now) -> FastAPI:
    keep_contacts_out_of_logs()
    gazetteer = load_gazetteer()
    units = load_units(settings.units_file, gazetteer)
    tokens = load_tokens(settings.api_tokens_file, units)
    intake = Intake(
        gazetteer, units, clock,
        filing_batch=settings.intake_http_batch_size, filing_workers=settings.intake_http_workers,
    )  # fmt: skip
    runtime = Runtime(
        SERVICE,
        settings,
        components=[
            OutboxRelay(),
            intake,
            SubmissionsConsumer(
                lambda: intake.submissions,
                batch_size=settings.intake_batch_size,
                consumers=settings.intake_consumers,
            ),
            CaseEventConsumer(GROUP, CaseStatusProjection()),
        ],
        migrations=[MIGRATIONS],
    )
    app = service_app(
        runtime, [complaints_router(intake), cases_router(intake, tokens)], description=_DESCRIPTION
    )
    app.include_router(open311_router(intake, tokens, runtime, clock))
    errors.install(app)
    return app

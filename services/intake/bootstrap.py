"""The composition root of the intake service: settings in, ASGI app out."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from services.intake.api import errors, messenger_webhook
from services.intake.api.cases import cases_router
from services.intake.api.complaints import complaints_router
from services.intake.api.messenger_webhook import messenger_router
from services.intake.api.open311 import open311_router
from services.intake.api.sms_webhook import SmsDoor, sms_webhook_router
from services.intake.case_status import GROUP, CaseStatusProjection
from services.intake.complaint_budgets import ComplaintBudgets
from services.intake.console import app as console
from services.intake.conversations import BUDGET, Conversations
from services.intake.messenger_answers import MessengerAnswers
from services.intake.metrics import IntakeMetrics
from services.intake.service import Intake
from services.intake.settings import IntakeSettings
from services.intake.submissions_consumer import SubmissionsConsumer
from services.intake.tokens import load_tokens
from shared.eventstore import MigrationSet
from shared.messaging.consumer import CaseEventConsumer
from shared.messaging.outbox_relay import OutboxRelay
from shared.messenger.send_api import SendApiClient, SendApiMetrics
from shared.places.gazetteer import load_gazetteer
from shared.places.units_file import load_units
from shared.privacy import PRIVACY, Budget
from shared.service.clock import Clock, system_clock
from shared.service.http import service_app
from shared.service.infrastructure import Infrastructure
from shared.service.lifecycle import Lifecycle

log = logging.getLogger(__name__)
SERVICE = "intake"
MIGRATIONS = MigrationSet(SERVICE, Path(__file__).parent / "sql")
_DESCRIPTION = """Accepts complaints from upstream channels (Kafka `complaints.submissions`) and the web,
files them as `ComplaintFiled` case events, answers the public status of a case by reference, and takes
responders' and the working group's answers. Errors share one body: `{detail, errors: [{field, message}]}`."""


def bootstrap(settings: IntakeSettings, *, clock: Clock = system_clock) -> FastAPI:
    """The files are read (and checked) first: a bad one raises a ``ConfigurationError`` before anything
    is built. Then the infrastructure, then the components on it, started in the order listed."""
    gazetteer = load_gazetteer()
    units = load_units(settings.units_file, gazetteer)
    tokens = load_tokens(settings.api_tokens_file, units)
    infra = Infrastructure.build(SERVICE, settings)
    metrics = IntakeMetrics(infra.registry)
    budgets = ComplaintBudgets(
        infra.database, settings.digest, metrics.limited,
        per_phone=settings.complaints_per_phone_per_hour, per_ip=settings.complaints_per_ip_per_hour,
    )  # fmt: skip
    intake = Intake(
        gazetteer, units, infra.database, metrics, clock, budgets=budgets,
        conflicts=infra.metrics.event_store_conflicts.labels(writer=SERVICE),
        filing_batch=settings.intake_http_batch_size, filing_workers=settings.intake_http_workers,
    )  # fmt: skip
    answers = MessengerAnswers(
        SendApiClient(
            settings.facebook_graph_api_base, settings.facebook_page_access_token,
            SendApiMetrics(infra.registry), timeout=5.0,
        )
    )  # fmt: skip
    # One conversation for both doors: a citizen's messages are read the same way on SMS and Messenger.
    conversations = Conversations(
        infra.database, intake.filing, intake.queries, gazetteer, units, intake.metrics, clock,
        digest=settings.digest, complaints=budgets,
        budget=Budget(BUDGET, settings.messages_per_sender_per_hour, timedelta(hours=1)),
        window=settings.conversation_window,
        conflicts=infra.metrics.event_store_conflicts.labels(writer=SERVICE),
    )  # fmt: skip
    sms = SmsDoor(
        conversations, intake.metrics, clock, auth_token=settings.sms_auth_token,
        inbound_url=settings.inbound_url, dev=settings.complaints_dev,
    )  # fmt: skip
    sms.announce()
    lifecycle = Lifecycle(
        infra,
        components=[
            OutboxRelay(infra.database, infra.producer, infra.topics.case_events, infra.registry),
            intake,
            answers,
            SubmissionsConsumer(
                infra,
                intake.submissions,
                batch_size=settings.intake_batch_size,
                consumers=settings.intake_consumers,
            ),
            CaseEventConsumer(infra, GROUP, CaseStatusProjection()),
        ],
        migrations=[PRIVACY, MIGRATIONS],
    )
    app = service_app(
        lifecycle,
        [complaints_router(intake), cases_router(intake, tokens)],
        body_limits={messenger_webhook.PATH: messenger_webhook.MAX_BODY},
        description=_DESCRIPTION,
    )
    app.include_router(open311_router(intake, tokens, infra.database, clock))
    app.include_router(sms_webhook_router(sms))
    app.include_router(
        messenger_router(
            conversations, answers, infra.database, intake.metrics, clock,
            app_secret=settings.facebook_app_secret, verify_token=settings.facebook_verify_token,
            page_id=settings.facebook_page_id, digest=settings.digest,
        )
    )  # fmt: skip
    console.install(
        app,
        console.Console.build(
            intake, infra.database, clock,
            digest=settings.digest, sign_ins_per_ip=settings.console_sign_ins_per_ip_per_hour,
        ),
    )  # fmt: skip
    errors.install(app)
    return app

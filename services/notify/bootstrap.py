"""The composition root of the notify service: settings in, ASGI app out."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.notify.budgets import SmsBudgets
from services.notify.channels.messenger import MessengerChannel
from services.notify.domain.texts import load_texts
from services.notify.handler import NotifyHandler
from services.notify.metrics import NotifyMetrics
from services.notify.opt_outs import OldOptOutsMove
from services.notify.provider import SmsProvider
from services.notify.receipts import receipts_router
from services.notify.sender import SenderOptions, SmsSender
from services.notify.settings import NotifySettings
from services.notify.twilio import TwilioProvider
from shared.eventstore import MigrationSet
from shared.messaging.consumer import CaseEventConsumer
from shared.messaging.outbox_relay import OutboxRelay
from shared.messenger.send_api import SendApiClient, SendApiMetrics
from shared.places.gazetteer import load_gazetteer
from shared.places.units_file import load_units
from shared.privacy import PRIVACY, OptOuts
from shared.service.clock import Clock, system_clock
from shared.service.http import service_app
from shared.service.infrastructure import Infrastructure
from shared.service.lifecycle import Lifecycle

SERVICE = "notify"
MIGRATIONS = MigrationSet(SERVICE, Path(__file__).parent / "sql")


def bootstrap(
    settings: NotifySettings, provider: SmsProvider | None = None, *, clock: Clock = system_clock
) -> FastAPI:
    """The outbox relay, the consumer writing notices, the sender, and the receipts webhook. The files are
    read (and checked) first: a bad template or units file raises a ``ConfigurationError`` before anything
    is built."""
    texts = load_texts(settings.sms_templates_dir)
    units = load_units(settings.units_file, load_gazetteer())
    infra = Infrastructure.build(SERVICE, settings)
    metrics = NotifyMetrics(infra.registry)
    opt_outs = OptOuts(settings.digest)
    sender = SmsSender(
        provider or twilio_provider(settings),
        units,
        infra.database,
        metrics,
        policy=settings.retry_policy,
        options=SenderOptions(
            concurrency=settings.sms_send_concurrency,
            lease_seconds=settings.sms_send_lease_seconds,
            poll_interval=settings.sms_poll_interval_seconds,
            rate_limit=settings.sms_rate_limit_per_second,
        ),
        budgets=SmsBudgets(settings.sms_per_number_per_day, settings.sms_per_day, settings.digest),
        conflicts=infra.metrics.event_store_conflicts.labels(writer=SERVICE),
        opt_outs=opt_outs,
        clock=clock,
        messenger=MessengerChannel(
            SendApiClient(
                settings.facebook_graph_api_base, settings.facebook_page_access_token,
                SendApiMetrics(infra.registry), timeout=settings.sms_request_timeout_seconds,
                max_connections=settings.sms_send_concurrency,
            )
        ),
    )  # fmt: skip
    handler = NotifyHandler(texts, units, settings.sms_unit_language, metrics, on_written=sender.wake)
    lifecycle = Lifecycle(
        infra,
        components=[
            OldOptOutsMove(infra.database, opt_outs, [unit.phone for unit in units if unit.phone]),
            OutboxRelay(infra.database, infra.producer, infra.topics.case_events, infra.registry),
            CaseEventConsumer(infra, SERVICE, handler),
            sender,
        ],
        migrations=[PRIVACY, MIGRATIONS],
    )
    return service_app(lifecycle, routers=[receipts_router(settings, metrics, infra.database)])


def twilio_provider(settings: NotifySettings) -> TwilioProvider:
    return TwilioProvider(
        settings.sms_api_base,
        settings.sms_account_sid,
        settings.sms_auth_token,
        settings.sms_from,
        settings.status_callback_url,
        timeout=settings.sms_request_timeout_seconds,
        max_connections=settings.sms_send_concurrency,
    )

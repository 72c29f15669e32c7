"""Notify's metrics (docs/contract.md §Metrics).

Among them ``sms_sent_total{outcome,language}`` and ``sms_segments_total{encoding}``.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from services.notify.notifications import Outcome

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class NotifyMetrics:
    """What ops dashboards watch: outcomes by language, segments by encoding, retries, receipts, latency."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.sent = Counter(
            "sms_sent",
            "Notices by final outcome: sent (the provider took it), failed, skipped (never sent)",
            ["outcome", "language"],
            registry=registry,
        )
        self.segments = Counter(
            "sms_segments", "SMS parts of the messages the provider took", ["encoding"], registry=registry
        )
        self.skips = Counter(
            "sms_skipped", "Notices not sent, by reason (anonymous, no_phone, opted_out)", ["reason"],
            registry=registry,
        )  # fmt: skip
        self.attempts = Counter(
            "sms_send_attempts", "Provider calls by result: accepted, refused, unavailable", ["result"],
            registry=registry,
        )  # fmt: skip
        self.retries = Counter(
            "sms_send_retries", "Sends scheduled again after the provider was unavailable", registry=registry
        )
        self.delivery = Counter(
            "sms_delivery_status", "Delivery receipts received, by status", ["status"], registry=registry
        )
        self.bad_receipts = Counter(
            "sms_receipts_rejected", "Receipts refused: missing fields or a wrong X-Twilio-Signature",
            registry=registry,
        )  # fmt: skip
        self.resends_avoided = Counter(
            "sms_resends_avoided",
            "Notices of a dead sender found already taken by the provider, so not sent again",
            registry=registry,
        )
        self.budget_refusals = Counter(
            "sms_budget_refusals",
            "Texts not sent because a spend budget was used up (sms_per_number_per_day, sms_per_day)",
            ["budget"],
            registry=registry,
        )
        self.opt_outs = Counter(
            "sms_opt_outs", "Numbers recorded as opted out (provider error 21610)", registry=registry
        )
        self.latency = Histogram(
            "sms_provider_latency_seconds", "Time the provider took to answer a send", ["result"],
            buckets=_LATENCY_BUCKETS, registry=registry,
        )  # fmt: skip
        self.messenger_not_sent = Counter(
            "messenger_outside_window",
            "Citizen notices not sent because the citizen is reachable only on Messenger and last wrote more "
            "than 24 hours ago (CitizenNotificationFailed outside_messaging_window)",
            registry=registry,
        )
        self.in_flight = Gauge(
            "sms_in_flight", "Notices claimed by this process and not yet recorded", registry=registry
        )

    def recorded(self, outcome: Outcome, language: str) -> None:
        """Count a recorded outcome: a retry, or a final outcome with its segments or skip reason. A
        Messenger text's outcomes are the Send API's (``messenger_sent_total``), not an SMS's."""
        if outcome.channel == "messenger":
            return
        if outcome.status == "pending":
            self.retries.inc(0 if outcome.unsent else 1)
        elif outcome.status == "skipped":
            self.skipped(outcome.reason or "", language)
        else:
            self.sent.labels(outcome=outcome.status, language=language).inc()
            if outcome.status == "sent":
                self.segments.labels(encoding=outcome.claimed.encoding).inc(outcome.claimed.segments)

    def skipped(self, reason: str, language: str) -> None:
        self.skips.labels(reason=reason).inc()
        self.sent.labels(outcome="skipped", language=language).inc()

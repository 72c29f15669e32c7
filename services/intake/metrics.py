"""Intake's metrics (docs/contract.md §Metrics names, plus command outcomes and handling time)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class IntakeMetrics:
    """Counters of submissions and commands, and how long accepting a submission takes."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.received = Counter(
            "complaints_received", "Submissions received, valid or not", ["channel"], registry=registry
        )
        self.rejected = Counter(
            "complaints_rejected",
            "Submissions refused (dead-lettered or answered 4xx), by the first reason",
            ["channel", "reason"],
            registry=registry,
        )
        self.filed = Counter(
            "complaints_filed", "New cases filed", ["channel", "province"], registry=registry
        )
        self.duplicates = Counter(
            "complaints_duplicate",
            "Submissions naming a case already filed (redeliveries, retries)",
            ["channel"],
            registry=registry,
        )
        self.commands = Counter(
            "case_commands",
            "Responder and working-group commands by outcome: accepted, replayed, forbidden, conflict, "
            "not_found, contended",
            ["command", "outcome"],
            registry=registry,
        )
        self.handling = Histogram(
            "submission_handling_seconds",
            "Time to accept one submission, from its bytes to its committed filing (a Kafka batch's time "
            "shared among its submissions)",
            ["source"],
            buckets=_BUCKETS,
            registry=registry,
        )
        self.sms_inbound = Counter(
            "sms_inbound",
            "Messages posted to the SMS webhook, by what they were: keyword, reply, update, complaint, "
            "rejected (bad signature or fields), limited (over the sender's budget), duplicate (redelivered)",
            ["kind"],
            registry=registry,
        )
        for kind in SMS_INBOUND_KINDS:
            self.sms_inbound.labels(kind=kind)


SMS_INBOUND_KINDS = ("keyword", "reply", "update", "complaint", "rejected", "limited", "duplicate")

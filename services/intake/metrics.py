"""Intake's metrics (docs/contract.md §Metrics names, plus command outcomes and handling time)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

from services.intake.complaint_budgets import BUDGETS_OF_CHANNEL

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
        self.limited = Counter(
            "complaints_limited",
            "New complaints refused (429, or a polite answer by SMS) because a complaint budget of the hour "
            "is spent: per phone or per client address (docs/contract.md §Privacy budgets)",
            ["channel", "budget"],
            registry=registry,
        )
        # At zero from the start, so that the first refusal is an increase the alert sees.
        for channel, budgets in BUDGETS_OF_CHANNEL.items():
            for budget in budgets:
                self.limited.labels(channel=channel, budget=budget)
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
        self.messenger_events = Counter(
            "messenger_events",
            "Messenger webhook items by kind: message, quick_reply, postback, attachment (accepted); echo, "
            "read, delivery, unknown, other_page, other_object, no_messaging, malformed (skipped); "
            "unfileable; and per delivery bad_signature, not_json, not_an_object, wrong_type (refused)",
            ["kind"],
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
        self.sign_ins_limited = Counter(
            "console_sign_ins_limited",
            "Console sign-ins refused (429) because their client address tried too many this hour "
            "(docs/console.md §Security rules)",
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

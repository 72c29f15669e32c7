"""Accepting submissions: the one path from bytes to a filed case, for Kafka batches and HTTP requests.

Counts what arrives and what is refused (``complaints_received_total``, ``complaints_rejected_total``),
turns valid submissions into complaints and files them. Kafka batches are filed in one transaction and
refused messages become dead letters with every reason; a web or Open311 request is filed through the
batcher once the complaint budgets allow it (Kafka's upstream channels are trusted: they are not bounded).
Log lines name the channel, fields and reasons only: never a value the citizen sent.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import partial

from aiokafka import ConsumerRecord

from services.intake.batcher import FilingBatcher
from services.intake.complaint_budgets import ComplaintAllowance, ComplaintBudgets
from services.intake.domain.citizens import ALL_PROVEN
from services.intake.domain.complaint import Complaint, complaint_from
from services.intake.domain.problems import Problem
from services.intake.domain.submission import (
    ChannelSubmission,
    SubmissionError,
    parse_submission,
    parse_web_submission,
)
from services.intake.filing import Filed, FilingService
from services.intake.metrics import IntakeMetrics
from shared.messaging.dlq import DeadLetter, FieldError
from shared.messaging.reasons import error_reason
from shared.places.gazetteer import Gazetteer
from shared.service.clock import Clock
from shared.service.retry import until_done, worth_retrying

log = logging.getLogger(__name__)


class LimitedError(Exception):
    """A complaint refused by a complaint budget (docs/contract.md §Privacy budgets): 429."""

    def __init__(self, allowance: ComplaintAllowance) -> None:
        super().__init__(f"the {allowance.budget} budget is spent for this hour")
        self.allowance = allowance

    @property
    def retry_after(self) -> str:
        """Whole seconds until the budget's hour is over, for ``Retry-After``."""
        return str(max(1, math.ceil(self.allowance.retry_after.total_seconds())))


class Submissions:
    """The accept use case, shared by the ``complaints.submissions`` consumer and ``POST /v1/complaints``."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        metrics: IntakeMetrics,
        filing: FilingService,
        batcher: FilingBatcher,
        clock: Clock,
        *,
        budgets: ComplaintBudgets,
    ) -> None:
        self._gazetteer = gazetteer
        self._metrics = metrics
        self._filing = filing
        self._batcher = batcher
        self._budgets = budgets
        self._clock = clock

    async def file_web(self, body: bytes, idempotency_key: str | None, client_ip: str | None) -> Filed:
        """File a web form body; raises :class:`SubmissionError` (400/422), :class:`LimitedError` (429) or
        what filing raised (503)."""
        started = time.perf_counter()
        try:
            message_id = (idempotency_key or "").strip() or str(uuid.uuid4())
            submission = parse_web_submission(body, self._gazetteer, message_id, self._clock())
        except SubmissionError as rejected:
            self._refused(rejected, "http")
            raise
        return await self._file_one(submission, client_ip, started)

    def refuse_web(self, problem: Problem) -> None:
        """Count a web submission refused before it was read (too large)."""
        self._refused(SubmissionError((problem,), "web"), "http")

    async def file_submission(self, submission: ChannelSubmission, client_ip: str | None) -> Filed:
        """File a submission another door validated (Open311's form), as a web request is filed."""
        return await self._file_one(submission, client_ip, time.perf_counter())

    async def _file_one(self, submission: ChannelSubmission, client_ip: str | None, started: float) -> Filed:
        self._metrics.received.labels(channel=submission.channel).inc()
        complaint = complaint_from(submission, self._gazetteer)
        # A retry of a complaint filed before (its Idempotency-Key or channel_message_id) gets its case and
        # takes nothing from the budgets: a client retrying a lost answer must not use up the citizen's hour.
        filed = await self._filing.filed_before(complaint.case_id)
        if filed is None:
            filed = await self._file_new(complaint, client_ip)
        else:
            self._metrics.duplicates.labels(channel=complaint.channel).inc()
        self._metrics.handling.labels(source="http").observe(time.perf_counter() - started)
        return filed

    async def _file_new(self, complaint: Complaint, client_ip: str | None) -> Filed:
        phone = complaint.contact.phone if complaint.contact else None
        now = self._clock()
        allowance = await self._budgets.allow(
            phone=phone, client_ip=client_ip, now=now, channel=complaint.channel
        )
        if not allowance.allowed:
            self._metrics.rejected.labels(channel=complaint.channel, reason="limited").inc()
            log.info("refused a %s submission: the %s budget is spent", complaint.channel, allowance.budget)
            raise LimitedError(allowance)
        try:
            filed = await self._batcher.file(complaint)
        except BaseException:
            # Nothing was filed (an outage, intake stopping: 503): the unit goes back, so the citizen's retry
            # is not refused for a complaint that never was.
            await self._give_back(phone, client_ip, now)
            raise
        if filed.duplicate:  # a retry racing its first delivery: only the first one spends
            await self._give_back(phone, client_ip, now)
        return filed

    async def _give_back(self, phone: str | None, client_ip: str | None, taken_at: datetime) -> None:
        try:
            await self._budgets.give_back(phone=phone, client_ip=client_ip, taken_at=taken_at)
        except Exception as error:  # the database may be what failed: the unit stays spent, nothing worse
            log.warning("could not give back a complaint budget unit: %s", error_reason(error))

    def refuse(self, rejected: SubmissionError) -> None:
        """Count and log a submission another door refused (Open311's form)."""
        self._refused(rejected, "http")

    async def file_records(self, records: Sequence[ConsumerRecord]) -> list[DeadLetter]:
        """File a consumed batch; the dead letters of what cannot be filed. Waits out outages."""
        started = time.perf_counter()
        good: list[tuple[ConsumerRecord, Complaint]] = []
        letters: list[DeadLetter] = []
        for record in records:
            try:
                submission = parse_submission(record.value or b"", self._gazetteer)
            except SubmissionError as rejected:
                self._refused(rejected, f"partition {record.partition} offset {record.offset}")
                letters.append(_letter(record, rejected.problems))
                continue
            self._metrics.received.labels(channel=submission.channel).inc()
            # An upstream channel on Kafka is a trusted producer: it vouches for the contacts it sends.
            good.append((record, complaint_from(submission, self._gazetteer, ALL_PROVEN)))
        if good:
            letters += await until_done("file a batch", partial(self._file_batch, good), log=log)
        if records:
            each = (time.perf_counter() - started) / len(records)
            for _ in records:
                self._metrics.handling.labels(source="kafka").observe(each)
        return letters

    async def _file_batch(self, good: list[tuple[ConsumerRecord, Complaint]]) -> list[DeadLetter]:
        try:
            await self._filing.file_many([complaint for _, complaint in good])
        except Exception as error:
            if worth_retrying(error):
                raise
            reason = error_reason(error)  # its message may quote the submission's values: its type only
            if len(good) == 1:
                record, complaint = good[0]
                log.error(
                    "a %s submission (partition %d offset %d) cannot be filed: %s",
                    complaint.channel, record.partition, record.offset, reason,
                )  # fmt: skip
                self._metrics.rejected.labels(channel=complaint.channel, reason="unfileable").inc()
                return [_letter(record, (Problem(None, f"cannot be filed: {reason}", "unfileable"),))]
            # Something in the batch breaks the filing: file one at a time to find it.
            log.warning("a batch of %d filings failed (%s); filing one by one", len(good), reason)
            letters: list[DeadLetter] = []
            for item in good:
                letters += await until_done("file a submission", partial(self._file_batch, [item]), log=log)
            return letters
        return []

    def _refused(self, rejected: SubmissionError, where: str) -> None:
        self._metrics.received.labels(channel=rejected.channel).inc()
        self._metrics.rejected.labels(channel=rejected.channel, reason=rejected.problems[0].reason).inc()
        reasons = ", ".join(f"{p.field or '(body)'}: {p.reason}" for p in rejected.problems)
        log.info("refused a %s submission (%s): %s", rejected.channel, where, reasons)


def _letter(record: ConsumerRecord, problems: Sequence[Problem]) -> DeadLetter:
    return DeadLetter.of(record, (FieldError(p.field, p.message) for p in problems))

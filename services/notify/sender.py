"""The sender: claims due notices, sends them through the provider, records what happened.

Three kinds of task share the work, so that neither the database nor the provider waits for the other:
the claimer claims due notices in batches (``FOR UPDATE SKIP LOCKED``, marked ``sending`` with a lease and
the attempt counted, committed before any send) and looks up the phones; workers send, at most
``concurrency`` at once and within the optional rate limit; the recorder writes outcomes in batches, each
batch in one transaction with its ``CitizenNotified`` / ``CitizenNotificationFailed`` events.

Crash window: a process killed after the provider took a message and before its outcome is recorded
leaves the notice ``sending``; when the lease runs out another sender claims it. Before sending it again,
that sender asks the provider whether a message with this text to this number was taken since the dead
attempt began, and if so records it as sent. An attempt whose answer was lost (a read timeout, a dropped
connection: the provider may have taken the message) is recorded as uncertain, and its retry asks the same
question first. A duplicate remains possible only when that question cannot be answered (the provider is
unreachable then): at least once, never nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from services.notify.budgets import SmsBudgets
from services.notify.channels.messenger import MessengerChannel
from services.notify.domain.channel import OUTSIDE_WINDOW, ByMessenger, BySms, NotSent
from services.notify.domain.rate_limit import TokenBucket
from services.notify.domain.sending import (
    Accepted,
    GiveUp,
    Refused,
    RetryIn,
    RetryPolicy,
    SendResult,
    Sent,
    Unavailable,
    decide,
)
from services.notify.metrics import NotifyMetrics
from services.notify.notifications import Claimed, Outcome, claim, release_any
from services.notify.provider import SmsProvider
from services.notify.recording import Finished, record
from services.notify.routes import routes_of
from shared.contacts import Contacts
from shared.events.types import ContactChannel
from shared.eventstore import ConflictCounter, VersionConflictError
from shared.places.units import UnitRegistry
from shared.privacy import OptOuts
from shared.privacy.budgets import forget_expired
from shared.service.clock import Clock, system_clock
from shared.service.database import Database
from shared.service.retry import until_done
from shared.service.tasks import BackgroundTasks

log = logging.getLogger(__name__)
CLAIM_BATCH = 500
RECORD_BATCH = 500


@dataclass(frozen=True, slots=True)
class SenderOptions:
    concurrency: int = 16
    lease_seconds: float = 60.0
    poll_interval: float = 0.05
    rate_limit: float = 0.0  # sends per second; 0 is no limit
    stop_timeout: float = 15.0  # how long a stopping sender waits for its sends in flight
    sweep_interval: float = 30.0  # how often waiting notices whose turn has come are looked for anyway
    record_delay: float = 0.05  # how long the recorder gathers outcomes before recording them together


@dataclass(frozen=True, slots=True)
class _Job:
    claimed: Claimed
    route: ByMessenger | BySms
    claimed_at: float  # monotonic


class SmsSender:
    """A service component sending the notices of every notify process's consumer (any replica's), by SMS
    or, for a citizen who wrote on Messenger within 24 hours, through ``messenger``."""

    def __init__(
        self,
        provider: SmsProvider,
        units: UnitRegistry,
        database: Database,
        metrics: NotifyMetrics,
        *,
        policy: RetryPolicy,
        options: SenderOptions,
        budgets: SmsBudgets,
        conflicts: ConflictCounter,
        opt_outs: OptOuts,
        clock: Clock = system_clock,
        jitter: Callable[[], float] = random.random,
        messenger: MessengerChannel | None = None,
    ) -> None:
        self.provider = provider
        self.messenger = messenger
        self._database = database
        self._conflicts = conflicts
        self._opt_outs = opt_outs
        self.units = units
        self.metrics = metrics
        self.policy = policy
        self.options = options
        self.budgets = budgets
        self._clock = clock
        self._jitter = jitter
        self._bucket = (
            TokenBucket(options.rate_limit, 1.0, time.monotonic) if options.rate_limit > 0 else None
        )
        # Notices claimed ahead, so that workers never wait for a claim, but no more than can be sent well
        # within their lease (a notice claimed long ago is handed back unsent: see _work).
        ahead = options.concurrency * 4
        if options.rate_limit > 0:
            ahead = min(ahead, max(1, int(options.rate_limit * options.lease_seconds / 4)))
        self._capacity = ahead
        # Claim in batches of at least this many while others are in flight: fewer, larger transactions.
        self._claim_at_least = max(1, min(options.concurrency, ahead // 2))
        self._in_flight = 0
        self._stopping = False
        self._tasks = BackgroundTasks()
        self._jobs: asyncio.Queue[_Job] = asyncio.Queue()
        self._finished: asyncio.Queue[Finished] = asyncio.Queue()
        self._wakeup = asyncio.Event()
        self._room = asyncio.Event()
        self._idle = asyncio.Event()

    def wake(self) -> None:
        """New notices were written: look for due notices now rather than at the next poll."""
        self._wakeup.set()

    async def start(self) -> None:
        await self.provider.start()
        if self.messenger is not None:
            await self.messenger.start()
        self._stopping = False
        self._tasks.start("sms-claimer", self._claim_loop())
        self._tasks.start("sms-recorder", self._record_loop())
        for i in range(self.options.concurrency):
            self._tasks.start(f"sms-worker-{i}", self._work())

    async def stop(self) -> None:
        """Claim nothing more, let the sends in flight finish and be recorded, then stop."""
        self._stopping = True
        self._wakeup.set()
        if self._in_flight:
            self._idle.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), self.options.stop_timeout)
        await self._tasks.stop()
        await self.provider.close()
        if self.messenger is not None:
            await self.messenger.close()

    # --- claiming ----------------------------------------------------------------------------------------

    async def _claim_loop(self) -> None:
        swept = time.monotonic()
        while not self._stopping:
            if time.monotonic() - swept > self.options.sweep_interval:
                swept = time.monotonic()
                await self._sweep()
            room = self._capacity - self._in_flight
            if room <= 0 or (self._in_flight and room < self._claim_at_least):
                self._room.clear()
                await self._room.wait()
                continue
            self._wakeup.clear()  # before claiming: a wake-up during the claim must not be lost
            try:
                claimed = await until_done(
                    "claim notices", partial(self._claim, min(room, CLAIM_BATCH)), log=log
                )
                self._in_flight += len(claimed)
                self.metrics.in_flight.set(self._in_flight)
                if claimed:
                    await until_done("look up phones", partial(self._dispatch, claimed), log=log)
            except Exception:
                log.exception("claiming notices failed; trying again")
                claimed = []
            if len(claimed) < room:  # nothing more is due now: wait for news, or poll
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self.options.poll_interval)

    async def _sweep(self) -> None:
        """Release waiting notices whose predecessors are done. Every release happens where a notice is
        written or finished; this only guards against one being missed, so an error here waits."""
        try:
            async with self._database.pool.acquire() as connection:
                released = await release_any(connection)
                await forget_expired(connection, self._clock())
        except Exception:
            log.exception("looking for waiting notices failed")
            return
        if released:
            log.warning("released %d notices that waited for no reason", released)

    async def _claim(self, limit: int) -> list[Claimed]:
        async with self._database.pool.acquire() as connection, connection.transaction():
            return await claim(connection, limit, self.options.lease_seconds)

    async def _dispatch(self, claimed: list[Claimed]) -> None:
        """Find each notice's route and charge the spend budgets for its texts; queue the sendable ones,
        finish the others as skipped, or as failed (outside Messenger's window, or a budget used up)."""
        async with self._database.pool.acquire() as connection:
            vault = Contacts(self._database.pool)
            routes = await routes_of(connection, vault, self.units, claimed, self._opt_outs, self._clock())
            for notice in claimed:
                route = routes[notice.id]
                if isinstance(route, ByMessenger) and self.messenger is None:
                    fallback = route.fallback_phone
                    routes[notice.id] = BySms(fallback) if fallback else NotSent("skipped", "no_phone")
            texts = [(n.id, route.phone) for n in claimed if isinstance(route := routes[n.id], BySms)]
            async with connection.transaction():
                refused = await self.budgets.charge(connection, texts, self._clock())
        now = time.monotonic()
        for notice in claimed:
            route = routes[notice.id]
            if isinstance(route, NotSent):
                # A failure decided here never reached a provider: the attempt does not count.
                unsent = route.status == "failed"
                outcome = Outcome(notice, route.status, route.reason, unsent=unsent, channel=route.channel)
                self._finished.put_nowait(Finished(outcome, notice.language))
                if route.reason == OUTSIDE_WINDOW:
                    self.metrics.messenger_not_sent.inc()
            elif notice.id in refused:
                self.metrics.budget_refusals.labels(budget=refused[notice.id]).inc()
                failed = Outcome(notice, "failed", f"budget ({refused[notice.id]})")
                self._finished.put_nowait(Finished(failed, notice.language))
            else:
                self._jobs.put_nowait(_Job(notice, route, now))

    # --- sending -----------------------------------------------------------------------------------------

    async def _work(self) -> None:
        while True:
            job = await self._jobs.get()
            if self._bucket is not None:
                delay = self._bucket.reserve()
                if delay > 0:
                    await asyncio.sleep(delay)
            stale = time.monotonic() - job.claimed_at > self.options.lease_seconds / 2
            if stale and job.claimed.unknown_attempt_at is None:
                # Claimed too long ago (an overloaded process): its lease may end mid-send and another
                # sender claim it too. Hand it back unsent rather than risk sending it twice. (One left by a
                # dead sender goes on: handed back, it would lose the time of the attempt to look up.)
                handed_back = Outcome(job.claimed, "pending", "claimed too long ago", unsent=True)
                self._finished.put_nowait(Finished(handed_back, job.claimed.language))
                continue
            self._finished.put_nowait(await self._send(job))

    async def _send(self, job: _Job) -> Finished:
        notice, route = job.claimed, job.route
        result: SendResult | None = None
        if isinstance(route, ByMessenger):
            assert self.messenger is not None  # _dispatch sends by SMS without a Messenger channel
            try:
                result = await self.messenger.send(route, notice.body)
            except Exception as error:  # a bug in the adapter must not lose the notice: it is tried again
                log.exception("the Messenger channel failed")
                result = Unavailable(type(error).__name__)
            if isinstance(result, Refused) and result.window_closed and route.fallback_phone:
                route, result = BySms(route.fallback_phone), None  # Meta's clock has it closed: SMS then
                charged = await self._charge_fallback(notice, route.phone)
                if isinstance(charged, Finished):
                    return charged
                result = charged
        if result is None:
            assert isinstance(route, BySms)
            found = await self._taken_before(notice, route.phone)
            if found is not None:
                return found
            result = await self._send_sms(route.phone, notice.body)
        channel: ContactChannel = "messenger" if isinstance(route, ByMessenger) else "sms"
        age = notice.age_seconds + (time.monotonic() - job.claimed_at)
        decision = decide(result, notice.attempts, age, self.policy, self._jitter)
        match decision:
            case Sent(message_id=message_id):
                outcome = Outcome(notice, "sent", message_id=message_id, channel=channel)
                return Finished(outcome, notice.language)
            case RetryIn(seconds=seconds, detail=detail):
                uncertain = isinstance(result, Unavailable) and result.maybe_taken
                outcome = Outcome(
                    notice, "pending", detail, retry_in=seconds, uncertain=uncertain, channel=channel
                )
                return Finished(outcome, notice.language)
            case GiveUp(reason=reason, opted_out=stopped):
                phone = route.phone if stopped and isinstance(route, BySms) else None
                return Finished(Outcome(notice, "failed", reason, channel=channel), notice.language, phone)
        raise AssertionError(decision)

    async def _charge_fallback(self, notice: Claimed, phone: str) -> Finished | Unavailable | None:
        """Charge the spend budgets for a text that was for Messenger at dispatch (so uncharged there) and
        goes by SMS now: its failure past a budget, a retry while the budgets cannot be asked, or None."""
        try:
            async with self._database.pool.acquire() as connection, connection.transaction():
                refused = await self.budgets.charge(connection, [(notice.id, phone)], self._clock())
        except Exception as error:  # nothing was sent: the next attempt asks Meta, then the budgets, again
            log.warning("the SMS budgets cannot be charged now: %s", type(error).__name__)
            return Unavailable(f"budgets: {type(error).__name__}")
        if notice.id not in refused:
            return None
        self.metrics.budget_refusals.labels(budget=refused[notice.id]).inc()
        return Finished(Outcome(notice, "failed", f"budget ({refused[notice.id]})"), notice.language)

    async def _taken_before(self, notice: Claimed, phone: str) -> Finished | None:
        """An earlier attempt's answer is unknown (its sender died, or the answer was lost to a timeout): if
        the provider took the message then, that is recorded instead of sending it a second time."""
        if notice.unknown_attempt_at is None:
            return None
        found = await self.provider.find_accepted(phone, notice.body, notice.unknown_attempt_at)
        if found is None:
            return None
        self.metrics.resends_avoided.inc()
        return Finished(Outcome(notice, "sent", message_id=found), notice.language)

    async def _send_sms(self, phone: str, body: str) -> SendResult:
        started = time.monotonic()
        try:
            result = await self.provider.send(phone, body)
        except Exception as error:  # a bug in an adapter must not lose the notice: it is tried again
            log.exception("the SMS provider adapter failed")
            result = Unavailable(type(error).__name__)
        kind = {Accepted: "accepted", Unavailable: "unavailable"}.get(type(result), "refused")
        self.metrics.attempts.labels(result=kind).inc()
        self.metrics.latency.labels(result=kind).observe(time.monotonic() - started)
        return result

    # --- recording ---------------------------------------------------------------------------------------

    async def _record_loop(self) -> None:
        while True:
            batch = [await self._finished.get()]
            # A moment's wait gathers the outcomes of the sends finishing meanwhile into one transaction.
            await asyncio.sleep(self.options.record_delay)
            while len(batch) < RECORD_BATCH and not self._finished.empty():
                batch.append(self._finished.get_nowait())
            try:
                await until_done(
                    "record SMS outcomes",
                    partial(self._record, batch),
                    log=log,
                    also_retry=(VersionConflictError,),
                )
            except Exception:
                # A bug, not an outage: the notices stay claimed until their lease ends, then go again.
                log.exception("recording %d SMS outcomes failed", len(batch))
            finally:
                self._in_flight -= len(batch)
                self.metrics.in_flight.set(self._in_flight)
                self._room.set()
                self._wakeup.set()  # a recorded notice may free the next one about the same case
                if self._in_flight == 0:
                    self._idle.set()

    async def _record(self, batch: list[Finished]) -> None:
        recorded = await record(self._database.pool, batch, self._clock(), self._conflicts, self._opt_outs)
        self.metrics.opt_outs.inc(sum(1 for f in recorded if f.opted_out_phone))
        for finished in recorded:
            self.metrics.recorded(finished.outcome, finished.language)

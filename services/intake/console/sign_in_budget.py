"""How many sign-ins one client address may try an hour (docs/console.md §Security rules):
``CONSOLE_SIGN_INS_PER_IP_PER_HOUR``, counted in the shared PostgreSQL budgets before any password is hashed,
so that a flood from one address costs one row update per try, not an argon2 hash. Refusals are counted in
``console_sign_ins_limited_total``. The subject is a keyed digest of the address (an IPv6 client's /64)."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import Counter

from services.intake.complaint_budgets import address_subject
from shared.eventstore import HasPool
from shared.privacy import Allowance, Budget, KeyedDigest, take
from shared.service.clock import Clock

PER_IP = "console-sign-ins-per-ip"


class SignInBudget:
    """The per-address bound on sign-in attempts, right or wrong."""

    def __init__(
        self, database: HasPool, digest: KeyedDigest, limited: Counter, clock: Clock, *, per_ip: int
    ) -> None:
        self._database = database
        self._digest = digest
        self._limited = limited
        self._clock = clock
        self._budget = Budget(PER_IP, per_ip, timedelta(hours=1))

    async def allow(self, client_ip: str | None) -> Allowance:
        if not client_ip:
            return Allowance(True)
        subject = self._digest(PER_IP, address_subject(client_ip))
        allowance = await take(self._database.pool, self._budget, subject, self._clock())
        if not allowance.allowed:
            self._limited.inc()
        return allowance

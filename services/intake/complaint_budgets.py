"""How many new complaints one phone and one client address may file an hour (docs/contract.md §Privacy
budgets): ``COMPLAINTS_PER_PHONE_PER_HOUR`` and ``COMPLAINTS_PER_IP_PER_HOUR``.

The counters are the shared PostgreSQL ones (:mod:`shared.privacy.budgets`), so every replica counts
against the same limit; their subjects are keyed digests, never the phone or the address. Both budgets are
taken in one transaction: a complaint refused by either uses neither, so a refused flood does not eat a
citizen's own allowance. Every refusal is counted in ``complaints_limited_total{channel, budget}``.

Every citizen-facing door asks: the web form and Open311 (phone and client address), the conversation for a
new complaint by SMS (the sender's phone) or Messenger (no phone: its PSID is bounded by the conversation's
inbound budget). :meth:`allow` does not care which channel asks except to label the count. Upstream
channels on Kafka are trusted producers and do not ask at all.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client import Counter

from shared.eventstore import HasPool
from shared.eventstore.store import Connection
from shared.privacy import Allowance, Budget, KeyedDigest, give_back, take

PER_PHONE = "complaints-per-phone"
PER_IP = "complaints-per-ip"
# The budgets each door can be refused by: Messenger names no phone and no client address.
BUDGETS_OF_CHANNEL = {"web": (PER_PHONE, PER_IP), "open311": (PER_PHONE, PER_IP), "sms": (PER_PHONE,)}
_HOUR = timedelta(hours=1)
# One IPv6 customer is usually given a whole /64 (RFC 6177): keyed by the address, it would be 2^64 budgets.
_IPV6_CUSTOMER = 64


def address_subject(client_ip: str) -> str:
    """What an address budget counts: an IPv4 address itself, an IPv6 address's /64 (an IPv4-mapped one as
    its IPv4 address); anything unreadable as it came."""
    try:
        address = ipaddress.ip_address(client_ip.strip())
    except ValueError:
        return client_ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, _IPV6_CUSTOMER), strict=False))
    return str(address)


@dataclass(frozen=True, slots=True)
class ComplaintAllowance(Allowance):
    """An :class:`Allowance` that, when refused, names the budget that refused it."""

    budget: str | None = None


class ComplaintBudgets:
    """The per-phone and per-address bounds on new complaints."""

    def __init__(
        self, database: HasPool, digest: KeyedDigest, limited: Counter, *, per_phone: int, per_ip: int
    ) -> None:
        self._database = database
        self._digest = digest
        self._limited = limited
        self._budgets = {
            PER_PHONE: Budget(PER_PHONE, per_phone, _HOUR),
            PER_IP: Budget(PER_IP, per_ip, _HOUR),
        }

    async def allow(
        self,
        *,
        phone: str | None,
        client_ip: str | None,
        now: datetime,
        channel: str = "unknown",
        connection: Connection | None = None,
    ) -> ComplaintAllowance:
        """Take one complaint from the budget of ``phone`` (E.164) and of ``client_ip``, each when given;
        refused when either is spent, with how long until its hour is over. On ``connection`` when given
        (a savepoint in the caller's transaction, which holds its connection and must not wait for a second
        one of the pool)."""
        subjects = self._subjects(phone, client_ip)
        if not subjects:
            return ComplaintAllowance(True)
        if connection is not None:
            return await self._take(connection, subjects, now, channel)
        async with self._database.pool.acquire() as own:
            return await self._take(own, subjects, now, channel)

    async def give_back(self, *, phone: str | None, client_ip: str | None, taken_at: datetime) -> None:
        """Return what :meth:`allow` took at ``taken_at`` for a complaint that was not filed after all (its
        filing failed, or it turned out to be filed before)."""
        async with self._database.pool.acquire() as connection, connection.transaction():
            for name, value in self._subjects(phone, client_ip):
                await give_back(connection, self._budgets[name], self._digest(name, value), taken_at)

    @staticmethod
    def _subjects(phone: str | None, client_ip: str | None) -> list[tuple[str, str]]:
        address = address_subject(client_ip) if client_ip else None
        return [(name, value) for name, value in ((PER_IP, address), (PER_PHONE, phone)) if value]

    async def _take(
        self, connection: Connection, subjects: list[tuple[str, str]], now: datetime, channel: str
    ) -> ComplaintAllowance:
        transaction = connection.transaction()
        await transaction.start()
        try:
            for name, value in subjects:
                allowance = await take(connection, self._budgets[name], self._digest(name, value), now)
                if not allowance.allowed:
                    await transaction.rollback()
                    self._limited.labels(channel=channel, budget=name).inc()
                    return ComplaintAllowance(False, allowance.retry_after, name)
        except BaseException:
            await transaction.rollback()
            raise
        await transaction.commit()
        return ComplaintAllowance(True)

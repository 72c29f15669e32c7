"""Where each claimed notice goes, decided at sending time: the citizen's contact read from the
personal-data vault at that moment (an erased citizen is reached by nothing), a unit's phone from the
units file, the addresses that opted out (a phone that sent STOP or that the provider reports unsubscribed,
a Messenger id that sent STOP: each opt-out holds for its own channel address), and the channel by
:func:`choose_route` (docs/contract.md §Messenger out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from services.notify.domain.channel import BySms, NotSent, Reach, Route, choose_route
from services.notify.domain.notices import CITIZEN
from services.notify.notifications import Claimed
from shared.contacts import Contacts
from shared.events import ComplaintFiled
from shared.eventstore.store import Connection
from shared.places.units import UnitRegistry
from shared.privacy import OptOuts

_RECEIPT = ComplaintFiled.type_name()


async def routes_of(  # noqa: PLR0917 (what a route depends on, each in its own right)
    connection: Connection,
    vault: Contacts,
    units: UnitRegistry,
    claimed: Sequence[Claimed],
    opt_outs: OptOuts,
    now: datetime,
) -> dict[int, Route]:
    """Each notice's route by notice id."""
    citizen_ids = [c.citizen_id for c in claimed if c.recipient == CITIZEN and c.citizen_id is not None]
    contacts = await vault.get_many(citizen_ids, connection=connection)
    reach: dict[int, Reach] = {}
    for notice in claimed:
        if notice.recipient == CITIZEN:
            contact = contacts.get(notice.citizen_id) if notice.citizen_id else None
            if contact is None:
                reach[notice.id] = Reach()
                continue
            times = [t for t in (contact.messenger_last_message_at, notice.messenger_since) if t is not None]
            reach[notice.id] = Reach(
                phone=contact.phone,
                psid=contact.facebook_psid,
                last_messenger_message_at=max(times, default=None),
            )
        else:
            unit = units.get(notice.recipient.removeprefix("unit:"))
            reach[notice.id] = Reach(phone=unit.phone if unit else None)
    addresses = {a for r in reach.values() for a in (r.phone, r.psid) if a}
    stopped = await opt_outs.opted_out(connection, addresses)
    routes: dict[int, Route] = {}
    for notice in claimed:
        known = reach[notice.id]
        known = replace(known, phone_opted_out=known.phone in stopped, psid_opted_out=known.psid in stopped)
        if notice.recipient == CITIZEN:
            receipt = notice.about_type == _RECEIPT
            routes[notice.id] = choose_route(known, now, receipt=receipt)
        elif known.phone and not known.phone_opted_out:
            routes[notice.id] = BySms(known.phone)
        else:
            routes[notice.id] = NotSent("skipped", "opted_out" if known.phone else "no_phone")
    return routes

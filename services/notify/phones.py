"""Where a claimed notice goes: the citizen's phone from the personal-data vault, a unit's from the units
file, looked up at sending time (an erased citizen is not texted), and whether the number opted out."""

from __future__ import annotations

from collections.abc import Sequence

from services.notify.domain.notices import CITIZEN
from services.notify.notifications import Claimed
from shared.contacts import Contacts
from shared.eventstore.store import Connection
from shared.places.units import UnitRegistry
from shared.privacy import OptOuts


async def phones_of(
    connection: Connection,
    vault: Contacts,
    units: UnitRegistry,
    claimed: Sequence[Claimed],
    opt_outs: OptOuts,
) -> tuple[dict[int, str | None], set[str]]:
    """Each notice's phone by notice id (None when there is none), and which of the phones opted out."""
    citizen_ids = [c.citizen_id for c in claimed if c.recipient == CITIZEN and c.citizen_id is not None]
    contacts = await vault.get_many(citizen_ids, connection=connection)
    phones: dict[int, str | None] = {}
    for notice in claimed:
        if notice.recipient == CITIZEN:
            contact = contacts.get(notice.citizen_id) if notice.citizen_id else None
            phones[notice.id] = contact.phone if contact else None
        else:
            unit = units.get(notice.recipient.removeprefix("unit:"))
            phones[notice.id] = unit.phone if unit else None
    stopped = await opt_outs.opted_out(connection, {phone for phone in phones.values() if phone})
    return phones, stopped

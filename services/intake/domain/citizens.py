"""Who a citizen is (docs/contract.md §Who a citizen is): which contacts link a filing to a known citizen,
and what a filing may change of them.

A contact is proven when the door it came through vouches for it: the ``From`` of an inbound SMS (the
carrier's), the PSID of a Messenger message (Meta's), everything a trusted upstream channel on Kafka sends.
A phone or PSID typed into the web form or an Open311 request proves nothing: anyone can type anyone's
number. So a filing links to a known citizen only by a proven phone or PSID that the citizen's own row holds
as proven, and it changes only what it proves; a filing that proves nothing makes a citizen of its own, so
it can neither take over another citizen's texts nor rename them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal
from uuid import UUID

ContactField = Literal["name", "phone", "facebook_psid"]
NOTHING_PROVEN: frozenset[ContactField] = frozenset()
PHONE_PROVEN: frozenset[ContactField] = frozenset({"phone"})
PSID_PROVEN: frozenset[ContactField] = frozenset({"facebook_psid"})
# A trusted upstream channel on Kafka vouches for all it sends (docs/contract.md §Privacy).
ALL_PROVEN: frozenset[ContactField] = frozenset({"name", "phone", "facebook_psid"})


@dataclass(frozen=True, slots=True)
class Contact:
    """How to reach the citizen, and which of it the door proved; kept out of repr, so never logged."""

    name: str | None = field(default=None, repr=False)
    phone: str | None = field(default=None, repr=False)
    facebook_psid: str | None = field(default=None, repr=False)
    proven: frozenset[ContactField] = NOTHING_PROVEN

    @property
    def proven_phone(self) -> str | None:
        return self.phone if "phone" in self.proven else None

    @property
    def proven_psid(self) -> str | None:
        return self.facebook_psid if "facebook_psid" in self.proven else None


@dataclass(frozen=True, slots=True)
class Kept:
    """A citizen's row of the vault: their contact, and which of phone and PSID were proven."""

    citizen_id: UUID
    name: str | None = field(default=None, repr=False)
    phone: str | None = field(default=None, repr=False)
    facebook_psid: str | None = field(default=None, repr=False)
    language: str = "km"
    phone_proven: bool = False
    psid_proven: bool = False

    @property
    def linkable_phone(self) -> str | None:
        return self.phone if self.phone_proven else None

    @property
    def linkable_psid(self) -> str | None:
        return self.facebook_psid if self.psid_proven else None


def kept_after(before: Kept | None, citizen_id: UUID, contact: Contact, language: str) -> Kept:
    """The row after a filing by ``contact``: a new citizen keeps all it gave; a known one (linked by a
    proven contact) takes only what this filing proves, so nothing unproven renames or re-routes them."""
    if before is None:
        return Kept(
            citizen_id, contact.name, contact.phone, contact.facebook_psid, language,
            phone_proven=contact.proven_phone is not None, psid_proven=contact.proven_psid is not None,
        )  # fmt: skip
    after = replace(before, language=language)
    if "name" in contact.proven and contact.name:
        after = replace(after, name=contact.name)
    if contact.proven_phone:
        after = replace(after, phone=contact.proven_phone, phone_proven=True)
    if contact.proven_psid:
        after = replace(after, facebook_psid=contact.proven_psid, psid_proven=True)
    return after


def kept_after_all(before: Kept | None, citizen_id: UUID, filings: Iterable[tuple[Contact, str]]) -> Kept:
    """The row after several filings by one citizen, in order (a batch)."""
    kept = before
    for contact, language in filings:
        kept = kept_after(kept, citizen_id, contact, language)
    if kept is None:
        raise ValueError("no filing to keep")
    return kept

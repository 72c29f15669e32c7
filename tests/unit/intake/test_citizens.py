"""Who a citizen is: what a filing may change of a known citizen (docs/contract.md §Who a citizen is)."""

from __future__ import annotations

import uuid

import pytest

from services.intake.domain.citizens import (
    ALL_PROVEN,
    NOTHING_PROVEN,
    PHONE_PROVEN,
    PSID_PROVEN,
    Contact,
    Kept,
    kept_after,
)

pytestmark = pytest.mark.unit
VICTIM = Kept(
    uuid.uuid4(), "Sok Dara", "+85512345678", "psid-victim", "km", phone_proven=True, psid_proven=True
)


def test_a_new_citizen_keeps_what_it_gave_and_only_the_proven_as_proven() -> None:
    citizen_id = uuid.uuid4()
    web = kept_after(None, citizen_id, Contact("A", "+85512000000", "psid-a", NOTHING_PROVEN), "en")
    assert (web.name, web.phone, web.facebook_psid) == ("A", "+85512000000", "psid-a")
    assert (web.phone_proven, web.psid_proven) == (False, False)
    sms = kept_after(None, citizen_id, Contact(phone="+85512000000", proven=PHONE_PROVEN), "km")
    assert (sms.phone_proven, sms.psid_proven) == (True, False)


def test_a_known_citizen_changes_only_with_what_the_filing_proves() -> None:
    # By SMS from their own phone: nothing but the language changes (an SMS carries no name).
    by_sms = kept_after(VICTIM, VICTIM.citizen_id, Contact(phone=VICTIM.phone, proven=PHONE_PROVEN), "en")
    assert by_sms == Kept(VICTIM.citizen_id, "Sok Dara", VICTIM.phone, "psid-victim", "en", True, True)
    # On Messenger with a phone typed in: the PSID is proven, the typed phone and name are not.
    typed = Contact("Someone", "+85599999999", "psid-victim", PSID_PROVEN)
    assert kept_after(VICTIM, VICTIM.citizen_id, typed, "km") == VICTIM
    # A trusted upstream channel vouches for everything it sends.
    trusted = kept_after(
        VICTIM, VICTIM.citizen_id, Contact("Sok Dara Jr", "+85511111111", None, ALL_PROVEN), "km"
    )
    assert (trusted.name, trusted.phone, trusted.facebook_psid) == (
        "Sok Dara Jr",
        "+85511111111",
        "psid-victim",
    )

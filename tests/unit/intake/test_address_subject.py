"""What the per-address complaint budget counts (docs/contract.md §Privacy budgets): an IPv6 client by its
/64, since one customer is given a whole /64 and could otherwise file from any of 2^64 addresses."""

from __future__ import annotations

import pytest

from services.intake.complaint_budgets import address_subject

pytestmark = pytest.mark.unit


def test_ipv6_addresses_of_one_64_are_one_subject() -> None:
    subjects = {address_subject(a) for a in ("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff")}
    assert subjects == {"2001:db8:1:2::/64"}
    assert address_subject("2001:db8:1:3::1") == "2001:db8:1:3::/64"


def test_ipv4_is_the_address_itself_however_it_came() -> None:
    assert address_subject("198.51.100.7") == "198.51.100.7"
    assert address_subject("::ffff:198.51.100.7") == "198.51.100.7"
    assert address_subject("198.51.100.8") != address_subject("198.51.100.7")


def test_an_unreadable_address_is_counted_as_it_came() -> None:
    assert address_subject("testclient") == "testclient"

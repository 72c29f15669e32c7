"""Which channel a notice takes, with the time passed in: Messenger within 24 hours of the citizen's last
message there, SMS after that when a phone is known, else outside_messaging_window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.notify.domain.channel import ByMessenger, BySms, NotSent, Reach, choose_route

pytestmark = pytest.mark.unit
WROTE = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
PHONE, PSID = "+85512345678", "6000000000000001"


def test_the_receipt_goes_on_messenger_as_a_response_and_a_later_update_within_the_window_as_an_update() -> (
    None
):
    reach = Reach(phone=PHONE, psid=PSID, last_messenger_message_at=WROTE)
    assert choose_route(reach, WROTE + timedelta(seconds=2), receipt=True) == ByMessenger(
        PSID, "RESPONSE", PHONE
    )
    assert choose_route(reach, WROTE + timedelta(hours=23, minutes=59), receipt=False) == ByMessenger(
        PSID, "UPDATE", PHONE
    )


def test_an_update_25_hours_after_the_last_message_goes_by_sms() -> None:
    reach = Reach(phone=PHONE, psid=PSID, last_messenger_message_at=WROTE)
    assert choose_route(reach, WROTE + timedelta(hours=25), receipt=False) == BySms(PHONE)


def test_the_window_closes_at_exactly_24_hours() -> None:
    reach = Reach(phone=PHONE, psid=PSID, last_messenger_message_at=WROTE)
    assert choose_route(reach, WROTE + timedelta(hours=24), receipt=False) == BySms(PHONE)


def test_a_messenger_only_citizen_outside_the_window_fails_as_outside_messaging_window() -> None:
    reach = Reach(psid=PSID, last_messenger_message_at=WROTE)
    assert choose_route(reach, WROTE + timedelta(hours=25), receipt=False) == NotSent(
        "failed", "outside_messaging_window", "messenger"
    )
    never_wrote = Reach(psid=PSID)
    assert choose_route(never_wrote, WROTE, receipt=True) == NotSent(
        "failed", "outside_messaging_window", "messenger"
    )


def test_an_opted_out_phone_is_no_fallback_and_no_sms() -> None:
    within = Reach(phone=PHONE, phone_opted_out=True, psid=PSID, last_messenger_message_at=WROTE)
    assert choose_route(within, WROTE, receipt=True) == ByMessenger(PSID, "RESPONSE", None)
    later = WROTE + timedelta(days=2)
    assert choose_route(within, later, receipt=False) == NotSent("skipped", "opted_out")


def test_sms_only_and_unreachable_citizens_keep_the_sms_rules() -> None:
    assert choose_route(Reach(phone=PHONE), WROTE, receipt=True) == BySms(PHONE)
    assert choose_route(Reach(), WROTE, receipt=True) == NotSent("skipped", "no_phone")


def test_a_psid_that_sent_stop_gets_nothing_on_messenger_and_its_phone_is_still_texted() -> None:
    stopped = Reach(psid=PSID, last_messenger_message_at=WROTE, psid_opted_out=True)
    assert choose_route(stopped, WROTE, receipt=True) == NotSent("skipped", "opted_out", "messenger")
    with_phone = Reach(phone=PHONE, psid=PSID, last_messenger_message_at=WROTE, psid_opted_out=True)
    assert choose_route(with_phone, WROTE, receipt=True) == BySms(PHONE)
    both = Reach(PHONE, True, PSID, WROTE, psid_opted_out=True)
    assert choose_route(both, WROTE, receipt=False) == NotSent("skipped", "opted_out")

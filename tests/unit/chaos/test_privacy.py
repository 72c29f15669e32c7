"""The chaos run's privacy scan finds a run's phones, names and Messenger ids however they are written, and
nothing else."""

import pytest

from tests.chaos.privacy import Personal, Scan, national

pytestmark = pytest.mark.unit

PERSONAL = Personal.of(
    [
        {"name": "Citizen 7", "phone": "012100007"},
        {"name": "Citizen 12", "phone": "+855 12 100 012", "facebook_psid": "7000000000000001"},
        {"name": "សុខ ដារ៉ា", "facebook_psid": "7000000000000002"},
    ]
)


def test_a_phone_is_known_by_its_national_number_however_written() -> None:
    written = ["012100007", "012 100 007", "+85512100007", "+855 12 100 007", "85512100007", "12100007"]
    assert {national(phone) for phone in written} == {"12100007"}
    assert PERSONAL.phones == {"12100007", "12100012"}


def test_phones_in_every_form_names_and_psids_are_found() -> None:
    scan = Scan()
    scan.look(PERSONAL, "a.log", "sent to +85512100007 for case 3f0c")
    scan.look(PERSONAL, "b.log", "To=%2B85512100012&Body=x")
    scan.look(PERSONAL, "c.log", '{"name": "Citizen 7", "phone": "012 100 007"}')
    scan.look(PERSONAL, "d.log", "from +855 12 100 012 at 2026-11-24; lag 12100007")
    scan.look(PERSONAL, "e.log", "recipient 7000000000000002 wrote")
    scan.look(PERSONAL, "f.log", '{"citizen": "\\u179f\\u17bb\\u1781 \\u178a\\u17b6\\u179a\\u17c9\\u17b6"}')
    scan.look(PERSONAL, "g.log", "name=សុខ ដារ៉ា, psid=7000000000000001")
    assert scan.found == {
        "a.log": {"85512100007"},
        "b.log": {"85512100012"},
        "c.log": {"Citizen 7", "012 100 007"},
        "d.log": {"855 12 100 012", "12 100 012", "12100007"},
        "e.log": {"7000000000000002"},
        "f.log": {"សុខ ដារ៉ា"},
        "g.log": {"សុខ ដារ៉ា", "7000000000000001"},
    }
    assert scan.sources == 7


def test_other_numbers_and_other_citizens_are_not_counted() -> None:
    scan = Scan()
    text = (
        "consumer_lag_records 121000070\nCitizen 70 CitizenNotified 0121000070 Citizen 12a "
        "uuid 3f0c-1210-0007 x12100007 7000000000000003 1.2100007e+07 2026-11-24T09:00:00+07:00"
    )
    scan.look(PERSONAL, "metrics", text)
    assert scan.found == {}
    assert scan.sources == 1

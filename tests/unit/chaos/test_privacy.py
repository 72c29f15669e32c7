"""The chaos run's privacy scan finds a run's phones and names however they are written, and nothing else."""

import pytest

from tests.chaos.privacy import Personal, Scan

pytestmark = pytest.mark.unit

PERSONAL = Personal.of([("Citizen 7", "012100007"), ("Citizen 12", "012100012")])


def test_phones_local_or_international_and_names_are_found() -> None:
    scan = Scan()
    scan.look(PERSONAL, "a.log", "sent to +85512100007 for case 3f0c")
    scan.look(PERSONAL, "b.log", "To=%2B85512100012&Body=x")
    scan.look(PERSONAL, "c.log", '{"name": "Citizen 7", "phone": "012100007"}')
    assert scan.found == {
        "a.log": {"85512100007"},
        "b.log": {"85512100012"},
        "c.log": {"Citizen 7", "012100007"},
    }
    assert scan.sources == 3


def test_other_numbers_and_other_citizens_are_not_counted() -> None:
    scan = Scan()
    scan.look(PERSONAL, "metrics", "consumer_lag_records 12100007\\nCitizen 70 CitizenNotified 0121000070")
    assert scan.found == {}

"""Twilio's request signature: notify checks it on receipts, the dev gateway signs its receipts with it."""

import pytest

from shared.sms.signature import signature_matches, twilio_signature

pytestmark = pytest.mark.unit

# The worked example of Twilio's "Webhooks security" guide.
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = [
    ("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"),
    ("From", "+12349013030"), ("To", "+18005551212"),
]  # fmt: skip
SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_the_signature_is_twilios_published_one() -> None:
    assert twilio_signature("12345", URL, reversed(PARAMS)) == SIGNATURE


def test_a_signature_matches_only_its_url_params_and_token() -> None:
    assert signature_matches("12345", ["https://elsewhere/hook", URL], PARAMS, SIGNATURE)
    assert not signature_matches("12345", ["https://mycompany.com/myapp.php"], PARAMS, SIGNATURE)
    assert not signature_matches("12345", [URL], [*PARAMS[:-1], ("To", "+18005551213")], SIGNATURE)
    assert not signature_matches("54321", [URL], PARAMS, SIGNATURE)
    assert not signature_matches("12345", [URL], PARAMS, None)
    assert not signature_matches("12345", [URL], PARAMS, SIGNATURE[:-1])

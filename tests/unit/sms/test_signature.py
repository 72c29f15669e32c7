"""Twilio's request signature: notify checks it on receipts, the dev gateway signs its receipts with it."""

from urllib.parse import urlparse

import pytest
from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator, add_port, remove_port

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


# Twilio's own validator: what it signs, we accept, over the URL with and without its port.
@given(
    params=st.lists(
        st.tuples(st.sampled_from(["From", "Body", "To", "MessageSid", "NumSegments"]), st.text(max_size=30)),
        max_size=8,
    ),
    url=st.sampled_from(
        [
            "https://intake.example.org/webhooks/sms",
            "https://intake.example.org:443/webhooks/sms",
            "http://127.0.0.1:8001/webhooks/sms",
            "http://Intake.Example.org/webhooks/sms?x=1",
        ]
    ),
    signed_url=st.sampled_from(["as given", "with port", "without port"]),
)
def test_what_twilios_validator_signs_is_accepted_and_only_that(
    params: list[tuple[str, str]], url: str, signed_url: str
) -> None:
    parsed = urlparse(url)
    signed = {"as given": url, "with port": add_port(parsed), "without port": remove_port(parsed)}[signed_url]
    validator = RequestValidator("token-1")
    signature = validator.compute_signature(signed, MultiDict(params))
    assert signature_matches("token-1", [url], params, signature)
    assert validator.validate(url, MultiDict(params), twilio_signature("token-1", url, params))
    assert not signature_matches("token-2", [url], params, signature)
    assert not signature_matches("token-1", [url], [*params, ("Body", "changed")], signature)


class MultiDict(dict[str, list[str]]):
    """Form fields as twilio's validator reads them (Flask's MultiDict: ``getall``)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__()
        for name, value in pairs:
            self.setdefault(name, []).append(value)

    def getall(self, name: str) -> list[str]:
        return self[name]

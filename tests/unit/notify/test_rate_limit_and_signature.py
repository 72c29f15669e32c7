"""The send rate limit, and Twilio's request signature on both sides (notify checks, the gateway signs)."""

import pytest

from services.devsms.signature import twilio_signature as gateway_signature
from services.notify.domain.rate_limit import TokenBucket
from services.notify.signature import signature_matches, twilio_signature

pytestmark = pytest.mark.unit

# The worked example of Twilio's "Webhooks security" guide.
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = [
    ("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"),
    ("From", "+12349013030"), ("To", "+18005551212"),
]  # fmt: skip
SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_both_implementations_give_twilios_published_signature() -> None:
    assert twilio_signature("12345", URL, reversed(PARAMS)) == SIGNATURE
    assert gateway_signature("12345", URL, reversed(PARAMS)) == SIGNATURE


def test_a_signature_matches_only_its_url_params_and_token() -> None:
    assert signature_matches("12345", ["https://elsewhere/hook", URL], PARAMS, SIGNATURE)
    assert not signature_matches("12345", ["https://mycompany.com/myapp.php"], PARAMS, SIGNATURE)
    assert not signature_matches("12345", [URL], [*PARAMS[:-1], ("To", "+18005551213")], SIGNATURE)
    assert not signature_matches("54321", [URL], PARAMS, SIGNATURE)
    assert not signature_matches("12345", [URL], PARAMS, None)
    assert not signature_matches("12345", [URL], PARAMS, SIGNATURE[:-1])


def test_a_token_bucket_spaces_sends_at_its_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(rate=10.0, burst=1.0, now=lambda: now[0])
    waits = [bucket.reserve() for _ in range(5)]  # five workers asking at the same moment
    assert waits == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])
    now[0] = 10.0  # a quiet spell refills the bucket up to its burst, no more
    assert [bucket.reserve() for _ in range(2)] == pytest.approx([0.0, 0.1])


def test_a_token_bucket_allows_its_burst_at_once() -> None:
    bucket = TokenBucket(rate=2.0, burst=3.0, now=lambda: 0.0)
    assert [bucket.reserve() for _ in range(4)] == pytest.approx([0.0, 0.0, 0.0, 0.5])
    with pytest.raises(ValueError, match="positive rate"):
        TokenBucket(rate=0.0, burst=1.0, now=lambda: 0.0)

"""The send rate limit."""

import pytest

from services.notify.domain.rate_limit import TokenBucket

pytestmark = pytest.mark.unit


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

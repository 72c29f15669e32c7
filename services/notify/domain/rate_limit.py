"""A token bucket for the configurable send rate (off by default): how long to wait before the next send."""

from __future__ import annotations

from collections.abc import Callable


class TokenBucket:
    """``rate`` sends per second on average, up to ``burst`` at once after a quiet spell.

    ``now`` is a monotonic clock in seconds (passed in, so tests can drive it). Each :meth:`reserve` takes
    one token and returns how many seconds the caller must wait before it may send; concurrent callers
    get successive slots, so the rate holds however many workers share the bucket.
    """

    def __init__(self, rate: float, burst: float, now: Callable[[], float]) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs a positive rate and a burst of at least 1")
        self.rate = rate
        self.burst = burst
        self._now = now
        self._tokens = burst
        self._at = now()

    def reserve(self) -> float:
        current = self._now()
        self._tokens = min(self.burst, self._tokens + (current - self._at) * self.rate)
        self._at = current
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

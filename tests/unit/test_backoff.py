"""The backoff that waits out outages: equal jitter, between half and all of the capped exponential delay."""

import random

import pytest

from shared.service.retry import Backoff

pytestmark = pytest.mark.unit


class Extreme(random.Random):
    """A random source that always draws one end of the range it is asked for."""

    def __init__(self, end: str) -> None:
        super().__init__()
        self.end = end

    def uniform(self, a: float, b: float) -> float:
        return a if self.end == "low" else b


def test_each_wait_is_drawn_between_half_and_all_of_the_capped_delay() -> None:
    backoff = Backoff(first=0.05, cap=1.0, rng=random.Random(20240601))
    capped = [min(1.0, 0.05 * 2**attempt) for attempt in range(12)]  # 0.05 0.1 0.2 0.4 0.8 1.0 1.0 ...
    for _ in range(50):
        backoff.reset()
        for delay in capped:
            assert delay / 2 <= backoff.next_delay() <= delay


@pytest.mark.parametrize(
    ("end", "expected"), [("low", [0.05, 0.1, 0.2, 0.4, 0.5, 0.5]), ("high", [0.1, 0.2, 0.4, 0.8, 1.0, 1.0])]
)
def test_the_range_ends_at_half_the_delay_never_at_zero_and_at_the_cap(
    end: str, expected: list[float]
) -> None:
    backoff = Backoff(first=0.1, cap=1.0, rng=Extreme(end))
    assert [round(backoff.next_delay(), 9) for _ in expected] == expected


def test_a_reset_starts_again_from_the_first_delay() -> None:
    backoff = Backoff(first=0.1, cap=1.0, rng=Extreme("high"))
    for _ in range(5):
        backoff.next_delay()
    backoff.reset()
    assert backoff.next_delay() == 0.1

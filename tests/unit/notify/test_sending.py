"""After each attempt: sent, tried again later (bounded in attempts and time), or given up for good."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notify.domain.sending import (
    Accepted,
    GiveUp,
    Refused,
    RetryIn,
    RetryPolicy,
    Sent,
    Unavailable,
    decide,
)

pytestmark = pytest.mark.unit

POLICY = RetryPolicy(max_attempts=5, budget_seconds=100.0, first_delay=2.0, max_delay=20.0)


def test_an_accepted_message_is_sent() -> None:
    assert decide(Accepted("SM1"), 1, 0.0, POLICY, lambda: 0.5) == Sent("SM1")


@pytest.mark.parametrize(
    ("refusal", "reason", "opted_out"),
    [
        (Refused(400, 21211), "invalid_number (provider error 21211)", False),
        (Refused(400, 21610), "opted_out (provider error 21610)", True),
        (Refused(400, 21614), "not_a_mobile_number (provider error 21614)", False),
        (Refused(400, 30000), "refused (provider error 30000)", False),
        (Refused(404, None), "refused (HTTP 404)", False),
    ],
)
def test_a_refusal_is_final_at_the_first_attempt(refusal: Refused, reason: str, opted_out: bool) -> None:
    assert decide(refusal, 1, 0.0, POLICY, lambda: 0.5) == GiveUp(reason, opted_out=opted_out)


def test_unavailable_backs_off_exponentially_with_jitter_up_to_the_cap() -> None:
    lowest = [decide(Unavailable("HTTP 503"), n, 0.0, POLICY, lambda: 0.0) for n in (1, 2, 3, 4)]
    highest = [decide(Unavailable("HTTP 503"), n, 0.0, POLICY, lambda: 0.999999) for n in (1, 2, 3, 4)]
    assert [d.seconds for d in lowest if isinstance(d, RetryIn)] == [1.0, 2.0, 4.0, 8.0]
    assert [round(d.seconds, 3) for d in highest if isinstance(d, RetryIn)] == [2.0, 4.0, 8.0, 16.0]
    capped = decide(Unavailable("timeout"), 4, 0.0, RetryPolicy(max_attempts=9, max_delay=5.0), lambda: 0.0)
    assert capped == RetryIn(2.5, "timeout")


def test_retries_stop_at_the_attempt_limit() -> None:
    assert decide(Unavailable("HTTP 500"), 5, 0.0, POLICY, lambda: 0.0) == GiveUp(
        "unavailable (HTTP 500, 5 attempts)"
    )


def test_retries_stop_when_the_next_one_would_come_after_the_time_budget() -> None:
    assert isinstance(decide(Unavailable("timeout"), 2, 97.0, POLICY, lambda: 0.0), RetryIn)  # 97 + 2 <= 100
    assert decide(Unavailable("timeout"), 2, 99.0, POLICY, lambda: 0.0) == GiveUp(
        "unavailable (timeout, 2 attempts)"
    )


@given(
    attempts=st.integers(1, 50),
    age=st.floats(0, 10_000),
    jitter=st.floats(0, 0.999999),
    policy=st.builds(
        RetryPolicy, max_attempts=st.integers(1, 30), budget_seconds=st.floats(1, 5000),
        first_delay=st.floats(0.01, 10), max_delay=st.floats(0.01, 600),
    ),
)  # fmt: skip
def test_a_retry_is_always_within_both_bounds(
    attempts: int, age: float, jitter: float, policy: RetryPolicy
) -> None:
    decision = decide(Unavailable("HTTP 503"), attempts, age, policy, lambda: jitter)
    if isinstance(decision, RetryIn):
        assert attempts < policy.max_attempts
        assert 0 < decision.seconds <= policy.max_delay
        assert age + decision.seconds <= policy.budget_seconds
    else:
        assert isinstance(decision, GiveUp)

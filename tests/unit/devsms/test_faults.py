"""The dev gateway's fault plan: per-number rules, random failures, repeatable with a seed."""

import random

import pytest
from pydantic import ValidationError

from services.devsms.faults import Accept, Fail, FaultPlan, Hang, verdict
from services.devsms.inbox import Inbox
from services.devsms.settings import DevSmsSettings

pytestmark = pytest.mark.unit

NUMBER = "+85512345678"


def test_with_no_plan_every_message_is_accepted() -> None:
    assert verdict(FaultPlan(), NUMBER, random.Random(1)) == Accept()


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (FaultPlan(invalid_numbers=[NUMBER]), (400, 21211)),
        (FaultPlan(opted_out_numbers=[NUMBER]), (400, 21610)),
        (FaultPlan(failing_numbers=[NUMBER]), (503, 20503)),
        (FaultPlan(failing_numbers=[NUMBER], error_status=500), (500, 20500)),
        (FaultPlan(numbers={NUMBER: "opted_out"}, invalid_numbers=[NUMBER]), (400, 21610)),  # rules first
    ],
)
def test_per_number_refusals_answer_like_twilio(plan: FaultPlan, expected: tuple[int, int]) -> None:
    answer = verdict(plan, NUMBER, random.Random(1))
    assert isinstance(answer, Fail)
    assert (answer.status, answer.code) == expected
    assert answer.json()["more_info"] == f"https://www.twilio.com/docs/errors/{expected[1]}"
    assert verdict(plan, "+85598765432", random.Random(1)) == Accept()  # other numbers are not touched


def test_undeliverable_numbers_are_accepted_and_hanging_ones_time_out() -> None:
    assert verdict(FaultPlan(undeliverable_numbers=[NUMBER]), NUMBER, random.Random()) == Accept(True)
    assert verdict(FaultPlan(numbers={NUMBER: "timeout"}, hang_seconds=2), NUMBER, random.Random()) == Hang(2)
    taken_then_hang = FaultPlan(numbers={NUMBER: "accepted_timeout"}, hang_seconds=3)
    assert verdict(taken_then_hang, NUMBER, random.Random()) == Accept(hang_seconds=3)


def test_a_fail_rate_fails_that_share_at_random_and_a_seed_repeats_the_draws() -> None:
    plan = FaultPlan(fail_rate=0.3, seed=7)
    answers = [verdict(plan, NUMBER, draws) for draws in [random.Random(plan.seed)] for _ in range(2000)]
    failed = sum(isinstance(answer, Fail) for answer in answers)
    assert 500 < failed < 700
    again = random.Random(plan.seed)
    assert [verdict(plan, NUMBER, again) for _ in range(2000)] == answers
    hanging = FaultPlan(fail_rate=1.0, mode="timeout", hang_seconds=1)
    assert verdict(hanging, NUMBER, random.Random()) == Hang(1)


def test_a_bad_plan_is_refused() -> None:
    with pytest.raises(ValidationError):
        FaultPlan.model_validate({"fail_rate": 1.5})
    with pytest.raises(ValidationError):
        FaultPlan.model_validate({"numbers": {NUMBER: "explode"}})
    with pytest.raises(ValidationError):
        FaultPlan.model_validate({"unknown": 1})


def test_the_inbox_counts_segments_like_the_provider() -> None:
    inbox = Inbox()
    khmer = inbox.accept("ACdev", NUMBER, "COMPLAINTS", "ក" * 71, None)
    english = inbox.accept("ACdev", NUMBER, "COMPLAINTS", "a" * 160, None)
    assert (khmer.num_segments, khmer.encoding) == (2, "UCS-2")
    assert (english.num_segments, english.encoding) == (1, "GSM-7")
    assert khmer.resource()["num_segments"] == "2"
    assert khmer.sid.startswith("SM")
    assert len(khmer.sid) == 34
    assert inbox.by_sid[khmer.sid] is khmer
    assert inbox.answers["accepted"] == 2


def test_the_port_is_devsms_port_then_http_port_then_8025(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEVSMS_PORT", raising=False)
    monkeypatch.delenv("HTTP_PORT", raising=False)
    assert DevSmsSettings(devsms_port=9001, http_port=9002).port == 9001
    assert DevSmsSettings(http_port=9002).port == 9002
    assert DevSmsSettings().port == 8025

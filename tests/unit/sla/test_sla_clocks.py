"""Deadline clocks of one case: started, stopped, paused, escalated; what falls due and its keys."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.sla.domain.calendar import NaiveDatetimeError
from services.sla.domain.clocks import (
    Breach,
    Escalation,
    Event,
    SlaState,
    Upcoming,
    decide_due,
    evolve,
    next_due,
    replay,
    upcoming,
)
from services.sla.domain.policy import SlaPolicy, load_policy

pytestmark = pytest.mark.unit

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
POLICY = load_policy(DEPLOY / "sla-policy.yaml")
DEMO = load_policy(DEPLOY / "sla-policy.demo.yaml")
CAL = POLICY.business_calendar
PP = ZoneInfo("Asia/Phnom_Penh")
POLICE = {"id": "police:1203", "kind": "police", "name": "Police Inspectorate 1203", "province": "KH-12"}
PROVINCIAL = {"id": "provincial-police:KH-12", "kind": "provincial_police", "province": "KH-12"}
WORKING_GROUP = {"id": "moi-working-group", "kind": "working_group"}


HOUR = timedelta(hours=1)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A January 2026 Phnom Penh wall-clock time as a UTC instant (5-9 and 12-16 are Mon-Fri)."""
    return datetime(2026, 1, day, hour, minute, tzinfo=PP).astimezone(UTC)


def next_unit(unit_id: str, level: int) -> str:
    """What the unit registry answers for police and commune units; it is never asked for the top."""
    assert level == 1, "the top level's unit comes from the ladder"
    kind, _, code = unit_id.partition(":")
    province = f"KH-{int(code[:2])}"
    return f"provincial-police:{province}" if kind == "police" else f"provincial-hall:{province}"


class Stream:
    """Builds a case's events with ids e1, e2, ..."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, type_: str, at: datetime, **data: Any) -> Event:
        self.count += 1
        return Event(f"e{self.count}", type_, at, data)


@pytest.fixture
def stream() -> Stream:
    return Stream()


def assigned(stream: Stream, category: str = "theft", policy: SlaPolicy = POLICY) -> SlaState:
    """Filed and assigned to police:1203 at level 0 on Monday 12 January 2026, 09:00."""
    filed = stream("ComplaintFiled", local(12, 9), category=category)
    return replay([filed, stream("CaseAssigned", local(12, 9), unit=POLICE, level=0)], policy)


def test_assignment_starts_acknowledgement_and_resolution(stream: Stream) -> None:
    state = assigned(stream)
    ack, resolution = state.clocks["acknowledgement"], state.clocks["resolution"]
    assert ack.due_at == local(14, 9)  # 2 business days of 7 h: Monday 6 h, Tuesday 7 h, Wednesday 1 h
    assert resolution.due_at == CAL.add_business(local(12, 9), timedelta(hours=70))
    assert (ack.unit_id, ack.level, ack.started_by) == ("police:1203", 0, "e2")
    assert next_due(state, POLICY.ladder) == local(14, 9)


def test_category_sets_the_deadlines(stream: Stream) -> None:
    state = assigned(stream, category="domestic_violence")
    assert state.clocks["acknowledgement"].due_at == local(12, 15)  # 4 business hours, lunch skipped


def test_nothing_is_due_before_the_deadline(stream: Stream) -> None:
    assert decide_due(assigned(stream), local(14, 8, 59), POLICY.ladder, next_unit) == []


def test_unanswered_case_breaches_and_escalates(stream: Stream) -> None:
    decisions = decide_due(assigned(stream), local(14, 9), POLICY.ladder, next_unit)
    assert decisions == [
        Breach("e2:breach:acknowledgement", "acknowledgement", local(14, 9), "police:1203", 0),
        Escalation("e2:escalate", "police:1203", "provincial-police:KH-12", 1, "unanswered"),
    ]


def test_both_clocks_late_make_one_escalation(stream: Stream) -> None:
    decisions = decide_due(assigned(stream), local(30, 9), POLICY.ladder, next_unit)
    assert [d.idempotency_key for d in decisions] == [
        "e2:breach:acknowledgement",
        "e2:breach:resolution",
        "e2:escalate",
    ]
    assert isinstance(decisions[-1], Escalation)
    assert decisions[-1].reason == "unanswered"


def test_acknowledged_but_unresolved_escalates_as_unresolved(stream: Stream) -> None:
    state = evolve(assigned(stream), stream("CaseAcknowledged", local(12, 10), unit_id="police:1203"), POLICY)
    assert "acknowledgement" not in state.clocks
    due = state.clocks["resolution"].due_at
    assert due is not None
    decisions = decide_due(state, due, POLICY.ladder, next_unit)
    assert decisions == [
        Breach("e2:breach:resolution", "resolution", due, "police:1203", 0),
        Escalation("e2:escalate", "police:1203", "provincial-police:KH-12", 1, "unresolved"),
    ]


def test_decisions_repeat_with_the_same_keys_until_their_events_arrive(stream: Stream) -> None:
    state = assigned(stream)
    first = decide_due(state, local(14, 9), POLICY.ladder, next_unit)
    assert decide_due(state, local(14, 10), POLICY.ladder, next_unit) == first
    breached = stream(
        "SlaBreached", local(14, 9), clock="acknowledgement", due_at="", unit_id="police:1203", level=0
    )
    state = evolve(state, breached, POLICY)
    assert decide_due(state, local(14, 10), POLICY.ladder, next_unit) == first[1:]  # escalation still owed


def test_escalation_restarts_the_clocks_at_the_next_level(stream: Stream) -> None:
    state = assigned(stream)
    escalated = stream("CaseEscalated", local(14, 9), from_unit=POLICE, to_unit=PROVINCIAL, level=1)
    state = evolve(state, escalated, POLICY)
    ack = state.clocks["acknowledgement"]
    assert (state.unit_id, state.level) == ("provincial-police:KH-12", 1)
    assert (ack.unit_id, ack.level, ack.started_by, ack.breached) == (
        "provincial-police:KH-12",
        1,
        "e3",
        False,
    )
    assert ack.due_at == local(15, 9)  # level 1 acknowledges within 1 business day
    assert decide_due(state, local(14, 10), POLICY.ladder, next_unit) == []


def test_late_breach_of_an_earlier_level_does_not_mark_the_new_clock(stream: Stream) -> None:
    state = assigned(stream)
    escalated = stream("CaseEscalated", local(14, 9), from_unit=POLICE, to_unit=PROVINCIAL, level=1)
    stale = stream("SlaBreached", local(14, 9), clock="acknowledgement", unit_id="police:1203", level=0)
    state = replay([escalated, stale], POLICY, state)
    assert not state.clocks["acknowledgement"].breached


def test_refusal_escalates_at_once(stream: Stream) -> None:
    state = assigned(stream)
    refused = stream("CaseRefused", local(12, 10), unit_id="police:1203", note="not ours")
    state = evolve(state, refused, POLICY)
    assert next_due(state, POLICY.ladder) == local(12, 10)
    assert decide_due(state, local(12, 10), POLICY.ladder, next_unit) == [
        Escalation("e3:escalate", "police:1203", "provincial-police:KH-12", 1, "refused")
    ]


def test_commune_units_escalate_to_the_provincial_hall(stream: Stream) -> None:
    commune = {"id": "commune:120101", "kind": "local_authority", "province": "KH-12"}
    state = evolve(SlaState(), stream("CaseAssigned", local(12, 9), unit=commune, level=0), POLICY)
    state = evolve(state, stream("CaseRefused", local(12, 10), unit_id="commune:120101"), POLICY)
    [escalation] = decide_due(state, local(12, 10), POLICY.ladder, next_unit)
    assert isinstance(escalation, Escalation)
    assert escalation.to_unit == "provincial-hall:KH-12"


def test_level_one_escalates_to_the_working_group_named_by_the_ladder(stream: Stream) -> None:
    # Confidential complaints are assigned straight to the provincial level.
    state = evolve(SlaState(), stream("CaseAssigned", local(12, 9), unit=PROVINCIAL, level=1), POLICY)
    decisions = decide_due(state, local(13, 9), POLICY.ladder, next_unit)
    assert decisions[-1] == Escalation(
        "e1:escalate", "provincial-police:KH-12", "moi-working-group", 2, "unanswered"
    )


def test_top_of_the_ladder_records_breaches_but_does_not_escalate(stream: Stream) -> None:
    escalated = stream("CaseEscalated", local(12, 9), from_unit=PROVINCIAL, to_unit=WORKING_GROUP, level=2)
    state = evolve(SlaState(category="theft"), escalated, POLICY)
    assert decide_due(state, local(13, 9), POLICY.ladder, next_unit) == [
        Breach("e1:breach:acknowledgement", "acknowledgement", local(13, 9), "moi-working-group", 2)
    ]
    breached = stream(
        "SlaBreached", local(13, 9), clock="acknowledgement", unit_id="moi-working-group", level=2
    )
    state = evolve(state, breached, POLICY)
    assert decide_due(state, local(13, 10), POLICY.ladder, next_unit) == []
    assert next_due(state, POLICY.ladder) == state.clocks["resolution"].due_at
    refused = stream("CaseRefused", local(13, 11), unit_id="moi-working-group")
    assert decide_due(evolve(state, refused, POLICY), local(13, 11), POLICY.ladder, next_unit) == []


def test_triage_deadline_belongs_to_the_working_group(stream: Stream) -> None:
    state = evolve(SlaState(), stream("CaseNeedsTriage", local(12, 9), reason="no location"), POLICY)
    assert decide_due(state, local(13, 9), POLICY.ladder, next_unit) == [
        Breach("e1:breach:triage", "triage", local(13, 9), "moi-working-group", 2)
    ]


def test_working_group_assigning_itself_restarts_at_level_two(stream: Stream) -> None:
    state = evolve(SlaState(), stream("CaseNeedsTriage", local(12, 9), reason="no location"), POLICY)
    state = evolve(state, stream("CaseAssigned", local(12, 10), unit=WORKING_GROUP, level=0), POLICY)
    assert set(state.clocks) == {"acknowledgement", "resolution"}
    assert (state.unit_id, state.level) == ("moi-working-group", 2)
    assert state.clocks["acknowledgement"].due_at == local(13, 10)  # level 2: 1 business day


def test_resolved_case_has_nothing_due(stream: Stream) -> None:
    state = evolve(assigned(stream), stream("CaseResolved", local(12, 11), unit_id="police:1203"), POLICY)
    assert state.clocks == {}
    assert decide_due(state, local(30, 9), POLICY.ladder, next_unit) == []
    assert next_due(state, POLICY.ladder) is None


def test_info_request_pauses_and_reply_resumes_with_the_business_time_left(stream: Stream) -> None:
    state = assigned(stream)
    before = state.clocks["acknowledgement"].due_at
    paused = evolve(state, stream("CaseInfoRequested", local(12, 16), question="Which village?"), POLICY)
    assert all(clock.paused for clock in paused.clocks.values())
    assert decide_due(paused, local(16, 9), POLICY.ladder, next_unit) == []
    # Paused from Monday 16:00 to Friday 09:00: 1 + 7 + 7 + 7 + 1 = 23 business hours.
    resumed = evolve(paused, stream("CitizenReplied", local(16, 9), text="Phum Thmei"), POLICY)
    after = resumed.clocks["acknowledgement"].due_at
    assert before is not None
    assert after is not None
    assert CAL.business_between(before, after) == timedelta(hours=23)
    assert after == CAL.add_business(before, timedelta(hours=23))


def test_pause_in_plain_time_moves_the_deadline_by_the_plain_time_paused(stream: Stream) -> None:
    state = assigned(stream, policy=DEMO)
    before = state.clocks["resolution"].due_at
    state = evolve(state, stream("CaseInfoRequested", local(12, 9, 1), question="?"), DEMO)
    state = evolve(state, stream("CitizenReplied", local(12, 9, 1) + timedelta(seconds=50), text="!"), DEMO)
    assert before is not None
    assert state.clocks["resolution"].due_at == before + timedelta(seconds=50)


def test_a_question_after_the_deadline_does_not_stop_the_clock(stream: Stream) -> None:
    state = assigned(stream)
    late = evolve(state, stream("CaseInfoRequested", local(14, 10), question="Which village?"), POLICY)
    assert late.clocks["acknowledgement"] == state.clocks["acknowledgement"]
    assert (
        decide_due(late, local(14, 10), POLICY.ladder, next_unit)[0].idempotency_key
        == "e2:breach:acknowledgement"
    )


def test_reply_without_a_request_changes_nothing(stream: Stream) -> None:
    state = assigned(stream)
    assert evolve(state, stream("CitizenReplied", local(13, 9), text="hello"), POLICY) == state


def test_events_the_sla_ignores(stream: Stream) -> None:
    state = assigned(stream)
    assert evolve(state, stream("VerdictRecorded", local(13, 9), verdict="substantiated"), POLICY) == state


def test_naive_times_are_rejected(stream: Stream) -> None:
    with pytest.raises(NaiveDatetimeError):
        evolve(SlaState(), stream("CaseNeedsTriage", datetime(2026, 1, 12, 9), reason="x"), POLICY)
    with pytest.raises(NaiveDatetimeError):
        decide_due(assigned(stream), datetime(2026, 1, 14, 9), POLICY.ladder, next_unit)


@given(st.timedeltas(timedelta(), timedelta(days=30)), st.timedeltas(timedelta(), timedelta(days=30)))
def test_pause_moves_the_deadline_by_exactly_the_time_paused(into: timedelta, paused_for: timedelta) -> None:
    for policy in (POLICY, DEMO):
        stream = Stream()
        state = assigned(stream, policy=policy)
        before = state.clocks["resolution"].due_at
        assert before is not None
        pause_at = min(local(12, 9) + into, before - timedelta(microseconds=1))  # still running
        state = evolve(state, stream("CaseInfoRequested", pause_at, question="?"), policy)
        state = evolve(state, stream("CitizenReplied", pause_at + paused_for, text="!"), policy)
        after = state.clocks["resolution"].due_at
        assert after is not None
        # The clocks resume at the reply, or where the wait for it ran out if that came first.
        resumed_at = min(pause_at + paused_for, policy.citizen_reply_wait.due(CAL, pause_at))
        if policy.deadlines_for("theft", 0).resolution.is_business:
            assert CAL.business_between(before, after) == CAL.business_between(pause_at, resumed_at)
        else:
            assert after - before == resumed_at - pause_at


def acknowledged_and_asked(
    stream: Stream, policy: SlaPolicy = POLICY, *, after: timedelta = HOUR
) -> SlaState:
    """`assigned`, acknowledged `after` it and a question asked `after` that."""
    state = assigned(stream, policy=policy)
    state = evolve(state, stream("CaseAcknowledged", local(12, 9) + after), policy)
    return evolve(state, stream("CaseInfoRequested", local(12, 9) + 2 * after, question="Which?"), policy)


def test_an_unanswered_question_holds_the_clocks_for_the_reply_wait_only(stream: Stream) -> None:
    asked = acknowledged_and_asked(stream)
    # 7 business days of 7 h from Monday 12 January 11:00; then the 68 business hours resolution had left.
    wait_ends = CAL.add_business(local(12, 11), timedelta(hours=49))
    due = CAL.add_business(wait_ends, timedelta(hours=68))
    assert asked.reply_due == wait_ends
    assert next_due(asked, POLICY.ladder) == due
    assert decide_due(asked, due - timedelta(seconds=1), POLICY.ladder, next_unit) == []
    assert decide_due(asked, due, POLICY.ladder, next_unit) == [
        Breach("e2:breach:resolution", "resolution", due, "police:1203", 0),
        Escalation("e2:escalate", "police:1203", "provincial-police:KH-12", 1, "unresolved"),
    ]


def test_a_reply_after_the_wait_ran_out_leaves_the_running_clocks_alone(stream: Stream) -> None:
    asked = acknowledged_and_asked(stream)
    assert asked.reply_due is not None
    late = evolve(
        asked, stream("CitizenReplied", asked.reply_due + timedelta(days=3), text="Phum Thmei"), POLICY
    )
    assert late.clocks["resolution"].due_at == asked.clocks["resolution"].due_at
    assert not late.clocks["resolution"].paused
    assert late.reply_due is None


def test_a_second_question_waits_anew_with_what_was_owed(stream: Stream) -> None:
    asked = acknowledged_and_asked(stream, policy=DEMO, after=timedelta(seconds=10))
    owed = asked.clocks["resolution"].left
    assert owed == timedelta(seconds=70)
    again_at = local(12, 9, 0) + timedelta(seconds=30)
    again = evolve(asked, stream("CaseInfoRequested", again_at, question="And the day?"), DEMO)
    assert again.clocks["resolution"].left == owed
    assert owed is not None
    assert again.clocks["resolution"].due_at == DEMO.citizen_reply_wait.due(CAL, again_at) + owed
    # Asked once the first wait has run out: the clock ran from the wait's end, and only its rest is owed.
    first_ends = asked.reply_due
    assert first_ends is not None
    later = first_ends + timedelta(seconds=5)
    after = evolve(asked, stream("CaseInfoRequested", later, question="Still there?"), DEMO)
    assert after.clocks["resolution"].left == owed - timedelta(seconds=5)


def test_a_unit_right_under_the_working_group_escalates_to_the_top_level(stream: Stream) -> None:
    state = assigned(stream)
    decisions = decide_due(state, local(14, 9), POLICY.ladder, lambda unit_id, level: "moi-working-group")
    assert decisions[-1] == Escalation("e2:escalate", "police:1203", "moi-working-group", 2, "unanswered")


def test_upcoming_names_the_next_deadline_and_its_owner(stream: Stream) -> None:
    state = assigned(stream)
    assert upcoming(state, POLICY.ladder) == Upcoming(local(14, 9), "acknowledgement", "police:1203", 0)
    acknowledged = evolve(state, stream("CaseAcknowledged", local(12, 10), unit_id="police:1203"), POLICY)
    assert upcoming(acknowledged, POLICY.ladder) == Upcoming(
        CAL.add_business(local(12, 9), timedelta(hours=70)), "resolution", "police:1203", 0
    )
    refused = evolve(state, stream("CaseRefused", local(12, 10), unit_id="police:1203"), POLICY)
    assert upcoming(refused, POLICY.ladder) == Upcoming(local(12, 10), "refusal", "police:1203", 0)
    paused = evolve(acknowledged, stream("CaseInfoRequested", local(12, 11), question="?"), POLICY)
    # Unanswered, the 68 business hours left of resolution run from the end of the 49 hours' wait.
    unanswered = CAL.add_business(CAL.add_business(local(12, 11), timedelta(hours=49)), timedelta(hours=68))
    assert upcoming(paused, POLICY.ladder) == Upcoming(unanswered, "resolution", "police:1203", 0)


def test_triage_is_upcoming_for_the_working_group(stream: Stream) -> None:
    state = evolve(SlaState(), stream("CaseNeedsTriage", local(12, 9), reason="no location"), POLICY)
    assert upcoming(state, POLICY.ladder) == Upcoming(local(13, 9), "triage", "moi-working-group", 2)


def test_decisions_name_the_event_that_caused_them(stream: Stream) -> None:
    breach, escalation = decide_due(assigned(stream), local(14, 9), POLICY.ladder, next_unit)
    assert (breach.caused_by, escalation.caused_by) == ("e2", "e2")

"""The console's pure rules: the lock, who sees a case, which actions the lifecycle offers, the unit
picker, the queue's filters, and forms read into commands."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from services.intake.console.access import may_view, responder_of
from services.intake.console.accounts import Account, account_problem, password_problem
from services.intake.console.actions import allowed
from services.intake.console.case_forms import FormProblemError, command_of
from services.intake.console.guard import safe_next
from services.intake.console.lockout import LOCKED_FOR, MAX_FAILURES, after_failure, is_locked
from services.intake.console.queue_filters import read_filter
from services.intake.console.unit_search import UnitFinder
from services.intake.domain.case import CaseState
from services.intake.domain.commands import Acknowledge, Assign, RecordVerdict, RequestInfo
from shared.events.types import ResolvedLocation, Subject, UnitRef
from shared.places.gazetteer import load_gazetteer
from shared.places.units import build_registry

pytestmark = pytest.mark.unit
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
UNIT = Account("sokha", "unit", "police:1203")
OTHER_UNIT = Account("dara", "unit", "police:1204")
GROUP = Account("chan", "working_group", None)
OPS = Account("ops1", "ops", None)


def case(status: str = "assigned", unit: str | None = "police:1203", level: int | None = 0) -> CaseState:
    return CaseState(
        case_id=uuid4(), version=2, reference="KH7F3K9Q", channel="web", status=status,  # type: ignore[arg-type]
        category="theft", location=ResolvedLocation(province="KH-12"), subject=Subject(), confidential=False,
        anonymous=False, citizen_id=None, language="km", text="t", filed_at=NOW, updated_at=NOW, level=level,
        unit=UnitRef(id=unit, kind="police", name=unit) if unit else None,
    )  # fmt: skip


def test_the_fifth_failure_in_a_row_locks_for_a_while() -> None:
    failures = 0
    for _ in range(MAX_FAILURES - 1):
        step = after_failure(failures, NOW)
        assert step.locked_until is None
        failures = step.failures
    locked = after_failure(failures, NOW)
    assert locked.locked_until == NOW + LOCKED_FOR
    assert is_locked(locked.locked_until, NOW + LOCKED_FOR - timedelta(seconds=1))
    assert not is_locked(locked.locked_until, NOW + LOCKED_FOR)


def test_accounts_and_passwords_are_checked() -> None:
    assert account_problem("sokha.police1203", "unit", "police:1203") is None
    assert account_problem("Sokha", "unit", "police:1203") is not None
    assert account_problem("chan", "working_group", "police:1203") is not None
    assert account_problem("sokha", "unit", None) is not None
    assert account_problem("x", "admin", None) is not None
    assert password_problem("short") is not None
    assert password_problem("long enough!") is None


def test_a_unit_sees_the_cases_it_holds_the_working_group_all_ops_none() -> None:
    assert may_view(UNIT, case())
    assert not may_view(OTHER_UNIT, case())
    assert not may_view(UNIT, case(status="needs_triage", unit=None, level=None))
    assert may_view(GROUP, case())
    assert not may_view(OPS, case())


def test_the_actions_offered_are_those_the_lifecycle_allows_now() -> None:
    assert allowed(case("assigned"), responder_of(UNIT)) == ["acknowledge", "refuse"]
    assert allowed(case("acknowledged"), responder_of(UNIT)) == ["request-info", "resolve"]
    # Resolving stays possible while the citizen is asked: the wait for them is bounded.
    assert allowed(case("awaiting_citizen"), responder_of(UNIT)) == ["resolve"]
    assert allowed(case("assigned"), responder_of(OTHER_UNIT)) == []
    assert allowed(case("needs_triage", None, None), responder_of(GROUP)) == ["assign", "verdict"]
    assert allowed(case("assigned"), responder_of(GROUP)) == ["assign", "verdict"]  # at any level
    at_top = case("assigned", "moi-working-group", 2)
    assert allowed(at_top, responder_of(GROUP)) == ["acknowledge", "refuse", "assign", "verdict"]


def test_the_account_is_the_actor() -> None:
    assert responder_of(UNIT).actor.model_dump() == {"kind": "unit", "id": "sokha"}
    assert responder_of(GROUP).actor.model_dump() == {"kind": "working_group", "id": "chan"}
    assert responder_of(GROUP).acts_as == "moi-working-group"


def test_the_unit_picker_finds_units_by_khmer_or_english_name_or_id() -> None:
    finder = UnitFinder(build_registry(load_gazetteer()))
    assert [u.id for u in finder.find("kandal provincial")][:2] == [
        "provincial-hall:KH-8",
        "provincial-police:KH-8",
    ]
    assert "provincial-police:KH-8" in [u.id for u in finder.find("ស្នងការដ្ឋាននគរបាលខេត្តកណ្តាល")]
    assert "provincial-police:KH-8" in [
        u.id for u in finder.find("ស្នងការដ្ឋាននគរបាលខេត្តកណ្ដាល")
    ]  # subscript DA
    assert [u.id for u in finder.find("police:1203")] == ["police:1203"]
    assert finder.find("   ") == []
    assert len(finder.find("commune")) == 20


def test_queue_filters_keep_only_known_choices() -> None:
    chosen = read_filter({"province": "KH-12", "category": "theft", "age": "7"}, {"KH-12"})
    assert (chosen.province, chosen.category, chosen.older_than_days) == ("KH-12", "theft", 7)
    assert chosen.filed_before(NOW) == NOW - timedelta(days=7)
    odd = read_filter({"province": "KH-99", "category": "x'; drop", "age": "5"}, {"KH-12"})
    assert (odd.province, odd.category, odd.older_than_days, odd.filed_before(NOW)) == (
        None,
        None,
        None,
        None,
    )


def assignment(unit_id: str, reason: str) -> Assign:
    if unit_id != "police:1203":
        raise LookupError(unit_id)
    return Assign(unit=UnitRef(id=unit_id, kind="police", name="x"), level=0, reason=reason)


def test_forms_are_read_into_commands_or_say_what_is_wrong() -> None:
    assert command_of("acknowledge", {"note": " ok "}, assignment) == Acknowledge(note="ok")
    assert command_of("request-info", {"question": "When?"}, assignment) == RequestInfo(question="When?")
    assert command_of("verdict", {"verdict": "false_report"}, assignment) == RecordVerdict(
        verdict="false_report"
    )
    assigned = command_of("assign", {"unit_id": "police:1203"}, assignment)
    assert isinstance(assigned, Assign)
    assert assigned.reason == "Assigned by the working group"
    for action, form, key in [
        ("request-info", {"question": ""}, "refused.question"),
        ("request-info", {"question": "x" * 161}, "refused.question"),
        ("verdict", {"verdict": "maybe"}, "refused.verdict"),
        ("assign", {"unit_id": "police:9999"}, "refused.unit"),
        ("resolve", {"note": "x" * 2001}, "refused.note"),
    ]:
        with pytest.raises(FormProblemError) as problem:
            command_of(action, form, assignment)
        assert problem.value.key == key


def test_signing_in_goes_back_only_to_a_page_of_this_site() -> None:
    assert safe_next("/console/cases/1") == "/console/cases/1"
    for elsewhere in ("https://evil.example", "//evil.example", "/\\evil.example", "", None):
        assert safe_next(elsewhere) is None


def test_a_case_held_by_no_unit_offers_a_unit_nothing() -> None:
    assert allowed(replace(case(), unit=None), responder_of(UNIT)) == []

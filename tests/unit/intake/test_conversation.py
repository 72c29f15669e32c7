"""The reading order of a citizen's message (docs/contract.md §Conversations), pure."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.intake.domain.answers import answer_text, status_text
from services.intake.domain.conversation import (
    Keyword,
    NewComplaint,
    OpenCase,
    Reply,
    Update,
    bare_reference,
    keyword_of,
    read,
    script_language,
)
from shared.events.types import Language

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
STOP_WORDS = ("STOP", "stopall", "Unsubscribe", "cancel", "END", "quit", "REVOKE", "optout", "Stop.")


def case(
    status: str, *, filed_days_ago: float = 10, updated_days_ago: float = 1, language: Language = "km"
) -> OpenCase:
    return OpenCase(
        case_id=uuid.uuid4(), reference="KH7F3K9Q", status=status, language=language, citizen_id=uuid.uuid4(),
        filed_at=NOW - timedelta(days=filed_days_ago), updated_at=NOW - timedelta(days=updated_days_ago),
    )  # fmt: skip


def reading(text: str, *cases: OpenCase, known: bool = False) -> object:
    return read(text, cases, now=NOW, window=WEEK, known_reference=known)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("STATUS KH7F3K9Q", Keyword("status", "en", "KH7F3K9Q")),
        ("  status kh7f 3k9q ", Keyword("status", "en", "KH7F3K9Q")),
        ("Status: KH7F-3K9Q.", Keyword("status", "en", "KH7F3K9Q")),
        ("STATUS", Keyword("status", "en")),
        ("ស្ថានភាព KH7F3K9Q", Keyword("status", "km", "KH7F3K9Q")),
        ("ស្ថានភាពKH7F3K9Q", Keyword("status", "km", "KH7F3K9Q")),
        ("STATUS NOPE", Keyword("status", "en", "NOPE")),
        *[(word, Keyword("stop", "en")) for word in STOP_WORDS],
        ("ឈប់", Keyword("stop", "km")),
        *[(word, Keyword("start", "en")) for word in ("START", "yes", "Unstop")],
        ("ចាប់ផ្ដើម", Keyword("start", "km")),
        ("ចាប់ផ្តើម", Keyword("start", "km")),
        ("HELP", Keyword("help", "en")),
        ("info", Keyword("help", "en")),
        ("ជំនួយ", Keyword("help", "km")),
    ],
)  # fmt: skip
def test_keywords_in_english_and_khmer(text: str, expected: Keyword) -> None:
    assert keyword_of(text) == expected
    assert reading(text, case("awaiting_citizen")) == expected  # a keyword comes before a reply


@pytest.mark.parametrize(
    "text",
    ["stop the noise at night", "STOP STOP", "help me please", "status of my land dispute is bad", "", "  "],
)
def test_keywords_with_more_words_are_not_keywords(text: str) -> None:
    assert keyword_of(text) is None


def test_a_bare_reference_is_a_status_question_only_when_a_case_has_it() -> None:
    assert bare_reference(" kh7f-3k9q ") == "KH7F3K9Q"
    assert bare_reference("HELPLESS") == "HELPLESS"  # shaped like one: only a known case makes it one
    assert reading("kh7f3k9q", known=True) == Keyword("status", "en", "KH7F3K9Q")
    assert reading("HELPLESS", case("awaiting_citizen"), known=False) != Keyword("status", "en", "HELPLESS")
    assert bare_reference("KH7F3K9") is None
    assert bare_reference("KH0F3K9Q") is None


def test_a_reply_goes_to_the_newest_filed_case_awaiting_the_citizen() -> None:
    older = case("awaiting_citizen", filed_days_ago=20, updated_days_ago=0)
    newer = case("awaiting_citizen", filed_days_ago=5, updated_days_ago=3)
    recent = case("acknowledged", filed_days_ago=1, updated_days_ago=0)
    assert reading("It was on Monday", older, newer, recent) == Reply(newer)


def test_an_update_goes_to_the_open_case_active_within_the_window() -> None:
    stale = case("acknowledged", updated_days_ago=8)
    active = case("assigned", updated_days_ago=6)
    assert reading("more details", stale, active) == Update(active)
    assert reading("more details", stale) == NewComplaint("more details", "en")
    assert reading("more details", case("resolved", updated_days_ago=0)) == NewComplaint("more details", "en")


def test_new_files_a_new_complaint_even_with_a_case_open() -> None:
    open_case = case("awaiting_citizen", updated_days_ago=0)
    assert reading("NEW theft at the market", open_case) == NewComplaint("theft at the market", "en")
    assert reading("ថ្មី ចោរលួចម៉ូតូ", open_case) == NewComplaint("ចោរលួចម៉ូតូ", "km")
    assert reading("News from the village", open_case) == Reply(open_case)
    assert reading("ថ្មីៗនេះ មានចោរ", open_case) == Reply(open_case)  # "recently": no keyword


def test_a_new_complaint_is_in_the_language_of_its_script() -> None:
    assert reading("ប៉ូលិសមិនព្រមទទួលពាក្យបណ្ដឹង") == NewComplaint("ប៉ូលិសមិនព្រមទទួលពាក្យបណ្ដឹង", "km")
    assert script_language("my moto was stolen") == "en"


@given(st.text(max_size=200))
def test_every_message_is_read_as_something(text: str) -> None:
    assert isinstance(reading(text, case("acknowledged")), Keyword | Reply | Update | NewComplaint)


def test_answers_exist_in_both_languages_and_name_the_holder() -> None:
    for language in ("km", "en"):
        assert "KH7F3K9Q" in answer_text("update", language, reference="KH7F3K9Q")
        text = status_text("KH7F3K9Q", "acknowledged", "Daun Penh police", language)
        assert "KH7F3K9Q" in text
        assert "Daun Penh police" in text
    assert "NEW" in answer_text("update", "en", reference="X")
    assert "ថ្មី" in answer_text("update", "km", reference="X")

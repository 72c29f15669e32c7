"""The console's words: every English key has a Khmer one with the same placeholders, and every key a
template or a module asks for exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.intake.console.catalogue import Catalogue, language_of, placeholders
from services.intake.console.statistics import CLOCKS, LEVELS
from services.intake.domain.case import LIFECYCLE_EVENTS, Status
from shared.events.types import Category, Verdict

pytestmark = pytest.mark.unit
CATALOGUE = Catalogue.load()
CONSOLE = Path(__file__).parents[4] / "services" / "intake" / "console"


def test_every_english_key_has_a_khmer_one_and_no_more() -> None:
    assert set(CATALOGUE.texts["en"]) == set(CATALOGUE.texts["km"])


def test_both_languages_fill_the_same_placeholders() -> None:
    for key, english in CATALOGUE.texts["en"].items():
        assert placeholders(english) == placeholders(CATALOGUE.texts["km"][key]), key


def test_the_khmer_texts_are_in_khmer() -> None:
    khmer = re.compile("[\u1780-\u17ff]")
    untranslated = [
        k for k, v in CATALOGUE.texts["km"].items() if not khmer.search(v) and k != "nav.other_language"
    ]
    # Names of things (Prometheus, Messenger) aside, a text without one Khmer letter was left in English.
    assert untranslated == ["actor.unit"]


def test_every_key_the_templates_ask_for_exists() -> None:
    literal = re.compile(r"""\bt\('([a-z_.0-9-]+)'\s*[,)]""")
    for template in (CONSOLE / "templates").glob("*.html"):
        for key in literal.findall(template.read_text(encoding="utf-8")):
            assert key in CATALOGUE.texts["en"], f"{template.name}: {key}"


@pytest.mark.parametrize(
    ("prefix", "names"),
    [
        ("status", Status.__args__),  # type: ignore[attr-defined]
        ("category", Category.__args__),  # type: ignore[attr-defined]
        ("verdict", Verdict.__args__),  # type: ignore[attr-defined]
        ("event", (*LIFECYCLE_EVENTS, "SlaBreached", "CitizenNotified", "CitizenNotificationFailed")),
        ("action", ("acknowledge", "resolve", "refuse", "request-info", "verdict", "assign")),
        ("done", ("acknowledge", "resolve", "refuse", "request-info", "verdict", "assign")),
        ("stats.clock", CLOCKS),
        ("level", tuple(str(level) for level in LEVELS)),
    ],
)
def test_every_name_a_page_translates_has_words(prefix: str, names: tuple[str, ...]) -> None:
    for name in names:
        assert f"{prefix}.{name}" in CATALOGUE.texts["en"]


def test_numbers_are_written_in_khmer_digits_for_khmer() -> None:
    assert CATALOGUE.text("km", "duration.hours", n=3) == "៣ ម៉ោង"
    assert CATALOGUE.text("en", "duration.hours", n=3) == "3 h"
    assert language_of("fr") == "km"
    assert language_of("en") == "en"

"""The shipped Khmer and English texts: complete, well-formed, and within their SMS budgets at worst."""

from pathlib import Path

import pytest

from services.notify.domain.texts import (
    CUT_MARK,
    LANGUAGES,
    TEMPLATE_FIELDS,
    Texts,
    TextsError,
    budget_of,
    load_texts,
)
from services.notify.settings import TEMPLATES
from shared.events.types import Language
from shared.places.gazetteer import load_gazetteer
from shared.places.units_file import load_units

pytestmark = pytest.mark.unit

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
REFERENCE = "KH7F3K9Q"  # references are always 8 characters
KHMER_QUESTION = ("តើហេតុការណ៍នេះកើតឡើងនៅម៉ោងប៉ុន្មាន ហើយមានសាក្សីទេ? " * 4)[:160]
QUESTIONS = {
    "km": KHMER_QUESTION,
    "en": ("At what time did it happen, and who else saw it? Please give the street name. " * 3)[:160],
}


@pytest.fixture(scope="module")
def texts() -> Texts:
    return load_texts(TEMPLATES)


@pytest.fixture(scope="module")
def longest_unit_names() -> dict[str, str]:
    units = list(load_units(DEPLOY / "units.yaml", load_gazetteer()))
    return {
        "km": max((u.name_km for u in units), key=len),
        "en": max((u.name_en for u in units), key=len),
    }


def worst_values(texts: Texts, language: Language, unit: str, question: str) -> dict[str, str]:
    words = texts.of(language)
    return {
        "reference": REFERENCE,
        "unit": unit,
        "question": question,
        "level": max(words.levels.values(), key=len),
        "verdict": max(words.verdicts.values(), key=len),
        "reason": max(words.reasons.values(), key=len),
    }


def render(texts: Texts, template: str, language: Language, values: dict[str, str]) -> tuple[int, bool, str]:
    wanted = {name: value for name, value in values.items() if name in TEMPLATE_FIELDS[template]}
    rendered = texts.render(template, language, wanted)
    return rendered.segments.count, rendered.shortened, rendered.body


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", sorted(TEMPLATE_FIELDS))
def test_worst_case_fits_the_budget_without_cutting_anything(
    texts: Texts, longest_unit_names: dict[str, str], template: str, language: Language
) -> None:
    """Longest unit name of the registry, longest level, verdict and reason, a full 160-character question
    in the reader's script: the receipt fits in 2 SMS, every other text in 3, and nothing is cut."""
    values = worst_values(texts, language, longest_unit_names[language], QUESTIONS[language])
    count, shortened, body = render(texts, template, language, values)
    assert count <= budget_of(template) <= 3, body
    assert not shortened, body
    assert budget_of("filed") == 2


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "question",
    ["😀" * 160, "ស្ត្រី" * 26 + "ក្ក", "a" * 150 + "€" * 10, "“" + "x" * 158 + "”"],
    ids=["emoji", "khmer-clusters", "gsm-extension", "curly-quotes"],
)
def test_any_question_of_160_characters_still_fits_by_cutting_it(
    texts: Texts, language: Language, question: str
) -> None:
    rendered = texts.render("info_requested", language, {"reference": REFERENCE, "question": question})
    assert rendered.segments.count <= 3
    if rendered.shortened:  # what is left of the question is its beginning, then the cut mark
        start = rendered.body.index(question[:3])
        kept = rendered.body[start : rendered.body.index(CUT_MARK, start)]
        assert kept
        assert question.startswith(kept)
        assert not kept.endswith("\u17d2")  # no Khmer subscript sign left without its consonant


def test_a_cut_keeps_khmer_clusters_whole(texts: Texts) -> None:
    question = "ស្ត្រី" * 40  # every cluster: consonant, subscript sign, consonant, subscript, consonant, vowel
    rendered = texts.render("info_requested", "km", {"reference": REFERENCE, "question": question})
    assert rendered.shortened
    kept = rendered.body[rendered.body.index("សំណួរ៖ ") + len("សំណួរ៖ ") : rendered.body.index(CUT_MARK)]
    assert kept
    assert len(kept) % len("ស្ត្រី") == 0
    assert rendered.segments.count == 3


def test_values_are_filled_in_both_languages(texts: Texts) -> None:
    km = texts.render("filed", "km", {"reference": REFERENCE})
    en = texts.render("filed", "en", {"reference": REFERENCE})
    assert km.body.count(REFERENCE) == 2
    assert "STATUS KH7F3K9Q" in en.body
    assert km.segments.encoding == "UCS-2"
    assert en.segments.encoding == "GSM-7"  # plain English costs 160 characters a part, not 70


def write_texts(folder: Path, language: str, text: str) -> None:
    (folder / f"{language}.yaml").write_text(text, encoding="utf-8")


def test_broken_files_are_refused_with_every_problem_listed(tmp_path: Path) -> None:
    english = (TEMPLATES / "en.yaml").read_text(encoding="utf-8")
    broken = english.replace("{verdict}", "{verdikt}").replace('  resolved: "', '  resolvedd: "')
    write_texts(tmp_path, "en", broken)
    write_texts(tmp_path, "km", "templates: [not, a, mapping]\n")
    with pytest.raises(TextsError) as refused:
        load_texts(tmp_path)
    problems = " | ".join(refused.value.problems)
    assert "template 'resolved' is missing" in problems
    assert "template 'resolvedd' is not one notify sends" in problems
    assert "'verdict' must use exactly {reference}, {verdict}; it uses {reference}, {verdikt}" in problems
    assert "km.yaml: templates" in problems


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    write_texts(tmp_path, "en", (TEMPLATES / "en.yaml").read_text(encoding="utf-8"))
    with pytest.raises(TextsError, match=r"km\.yaml"):
        load_texts(tmp_path)

"""The words of every SMS, in Khmer and English, read from data files (``services/notify/templates``).

A language file holds the templates, the names of the escalation levels (confidential cases name the
level, never the unit), the verdicts and the escalation reasons. Loading checks every file completely:
each template present, using exactly its placeholders. Rendering keeps a text within its SMS budget (2
parts for the receipt, 3 for the rest) by shortening the one value that can be long (a question, a unit
name) and marking the cut; with the shipped files and values in the reader's script that never happens.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from shared.events.types import EscalationReason, Language, Verdict
from shared.service.configuration import ConfigurationError
from shared.sms.segments import Segments, segment

# Each template and the placeholders it must use, no more, no less.
TEMPLATE_FIELDS: dict[str, frozenset[str]] = {
    "filed": frozenset({"reference"}),
    "assigned": frozenset({"reference", "unit"}),
    "assigned_confidential": frozenset({"reference", "level"}),
    "info_requested": frozenset({"reference", "question"}),
    "escalated": frozenset({"reference", "unit", "reason"}),
    "escalated_confidential": frozenset({"reference", "level", "reason"}),
    "resolved": frozenset({"reference"}),
    "verdict": frozenset({"reference", "verdict"}),
    "unit_assigned": frozenset({"reference", "unit"}),
    "unit_escalated": frozenset({"reference", "unit", "reason"}),
    "unit_replied": frozenset({"reference", "unit"}),
}
DEFAULT_BUDGET = 3
BUDGETS = {"filed": 2}  # the receipt is the first thing a citizen sees: keep it short
ELASTIC = ("question", "unit")  # the values that may be shortened to keep a text within its budget
LANGUAGES: tuple[Language, ...] = get_args(Language)
CUT_MARK = "..."  # GSM-7 characters: a cut never turns an English text into UCS-2
_COENG = "\u17d2"  # Khmer sign that joins the next consonant below: never cut right after it
_ZWJ = "\u200d"


class TextsError(ConfigurationError):
    """The template files cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class LanguageTexts(BaseModel):
    """One language's file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    templates: dict[str, str]
    levels: dict[int, str]
    verdicts: dict[Verdict, str]
    reasons: dict[EscalationReason, str]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A filled-in text: its words, its SMS parts, and whether a value was cut to fit the budget."""

    template: str
    language: Language
    body: str
    segments: Segments
    shortened: bool


def budget_of(template: str) -> int:
    return BUDGETS.get(template, DEFAULT_BUDGET)


class Texts:
    """The texts of every language."""

    def __init__(self, by_language: Mapping[Language, LanguageTexts]) -> None:
        self._by_language = dict(by_language)

    def of(self, language: Language) -> LanguageTexts:
        return self._by_language[language]

    def render(self, template: str, language: Language, values: Mapping[str, str]) -> Rendered:
        """``template`` in ``language`` with ``values`` filled in, within the template's SMS budget."""
        pattern = self.of(language).templates[template]
        budget = budget_of(template)
        body = pattern.format_map(values)
        parts = segment(body)
        if parts.count <= budget:
            return Rendered(template, language, body, parts, shortened=False)
        for name in ELASTIC:
            if name in values:
                fitted = _fit(pattern, dict(values), name, budget)
                if fitted is not None:
                    return Rendered(template, language, fitted, segment(fitted), shortened=True)
        # Only a template that does not fit even with its long value cut away gets here; the template
        # tests rule that out for the shipped files. Sending it long beats not sending it.
        return Rendered(template, language, body, parts, shortened=False)


def _fit(pattern: str, values: dict[str, str], name: str, budget: int) -> str | None:
    """The text with ``values[name]`` cut to the longest prefix that keeps it within ``budget`` parts."""
    original = values[name]
    low, high, best = 0, len(original) - 1, None
    while low <= high:  # fewer characters never cost more units, so the longest fit is found by halving
        middle = (low + high) // 2
        values[name] = _cut(original, middle)
        candidate = pattern.format_map(values)
        if segment(candidate).count <= budget:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best


def _cut(value: str, length: int) -> str:
    """``value`` cut to at most ``length`` characters on a boundary a reader sees, plus the cut mark."""
    end = length
    # Keep a Khmer cluster or an emoji sequence whole: no combining sign or modifier left without its
    # base, no subscript sign or joiner left without the character it joins.
    while 0 < end < len(value) and (
        unicodedata.category(value[end]) in ("Mn", "Mc", "Me", "Sk") or value[end - 1] in (_COENG, _ZWJ)
    ):
        end -= 1
    return value[:end].rstrip() + CUT_MARK


def load_texts(folder: Path) -> Texts:
    """Read ``<language>.yaml`` of each language in ``folder``; :class:`TextsError` lists every problem."""
    problems: list[str] = []
    loaded: dict[Language, LanguageTexts] = {}
    for language in LANGUAGES:
        path = folder / f"{language}.yaml"
        try:
            raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
            texts = LanguageTexts.model_validate(raw)
        except (OSError, yaml.YAMLError) as error:
            problems.append(f"{path}: {error}")
            continue
        except ValidationError as error:
            problems += [f"{path}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
            continue
        problems += [f"{path}: {problem}" for problem in _check(texts)]
        loaded[language] = texts
    if problems:
        raise TextsError(problems)
    return Texts(loaded)


def _check(texts: LanguageTexts) -> list[str]:
    problems = [f"template {name!r} is missing" for name in TEMPLATE_FIELDS if name not in texts.templates]
    problems += [
        f"template {name!r} is not one notify sends"
        for name in texts.templates
        if name not in TEMPLATE_FIELDS
    ]
    for name, pattern in texts.templates.items():
        wanted = TEMPLATE_FIELDS.get(name)
        try:
            used = {field for _, field, _, _ in string.Formatter().parse(pattern) if field is not None}
        except ValueError as error:
            problems.append(f"template {name!r}: {error}")
            continue
        if wanted is not None and used != wanted:
            problems.append(f"template {name!r} must use exactly {_braced(wanted)}; it uses {_braced(used)}")
    for section, wanted_keys in (
        ("levels", {0, 1, 2}),
        ("verdicts", set(get_args(Verdict))),
        ("reasons", set(get_args(EscalationReason))),
    ):
        missing = wanted_keys - set(getattr(texts, section))
        if missing:
            problems.append(f"{section}: missing {sorted(map(str, missing))}")
    return problems


def _braced(fields: set[str] | frozenset[str]) -> str:
    return ", ".join(f"{{{field}}}" for field in sorted(fields)) or "nothing"

"""The console's words in Khmer and English, from one catalogue per language (``i18n/<lang>.yaml``).

A key missing from a language, or a placeholder a text does not have, is an error at render time, not a
blank on the page; ``tests/unit/intake/console/test_catalogue.py`` checks that both files hold the same
keys with the same placeholders.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import yaml

Language = Literal["km", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT: Language = "km"
_FOLDER = Path(__file__).parent / "i18n"
_KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")


def language_of(value: str | None) -> Language:
    """A language the console speaks: ``value`` when it is one, else Khmer."""
    return value if value in LANGUAGES else DEFAULT


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass(frozen=True)
class Catalogue:
    """Texts by language and key."""

    texts: dict[Language, dict[str, str]]

    @classmethod
    def load(cls, folder: Path = _FOLDER) -> Catalogue:
        texts: dict[Language, dict[str, str]] = {}
        for language in LANGUAGES:
            loaded = yaml.safe_load((folder / f"{language}.yaml").read_text(encoding="utf-8"))
            texts[language] = {str(key): str(value) for key, value in loaded.items()}
        return cls(texts)

    def text(self, language: Language, key: str, **values: object) -> str:
        """The text of ``key``, its placeholders filled; numbers in Khmer digits for Khmer."""
        template = self.texts[language][key]
        if language == "km":
            values = {name: _khmer_digits(value) for name, value in values.items()}
        return template.format(**values) if values else template

    def number(self, language: Language, value: int) -> str:
        return str(_khmer_digits(value)) if language == "km" else f"{value:,}"


def _khmer_digits(value: object) -> object:
    return str(value).translate(_KHMER_DIGITS) if isinstance(value, int) else value

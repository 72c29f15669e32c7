"""Plain-text tables for the terminal, aligned by display width so Khmer text lines up."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Sequence

COENG = "\u17d2"  # Khmer: the consonant after it is written below the one before, in the same column
ZERO_WIDTH = frozenset({"Mn", "Mc", "Me", "Cf"})


def width(text: str) -> int:
    """Columns ``text`` takes: marks and format characters (Khmer vowel signs, ZWSP) and subscript
    consonants take none, East Asian wide characters two."""
    columns, previous = 0, ""
    for char in text:
        if previous != COENG and unicodedata.category(char) not in ZERO_WIDTH:
            columns += 2 if _wide(char) else 1
        previous = char
    return columns


def clip(text: str, columns: int) -> str:
    """``text`` cut to at most ``columns`` display columns, with an ellipsis when cut."""
    if width(text) <= columns:
        return text
    kept = ""
    for char in text:
        if width(kept + char) > columns - 1:
            break
        kept += char
    return kept + "…"


def render(headers: Sequence[str], rows: Sequence[Sequence[str]], *, right: Collection[int] = ()) -> str:
    """A table with a header line and a rule; every cell padded to its column's widest cell, on the left
    but for the columns numbered in ``right``."""
    widths = [max([width(header), *(width(row[i]) for row in rows)]) for i, header in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        padded = (
            f"{' ' * (w - width(cell))}{cell}" if i in right else f"{cell}{' ' * (w - width(cell))}"
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        )
        return "  ".join(padded).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(row) for row in rows)])


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")

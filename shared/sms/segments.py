"""How many SMS parts a text costs, the way operators and Twilio's message-segment-calculator count them.

An SMS carries 140 octets: 160 GSM-7 septets or 70 UCS-2 (UTF-16) code units. A longer text is sent as
concatenated parts, each losing room to its header: 153 septets or 67 units per part. One character
outside the GSM-7 alphabet (its basic table plus the extension table, whose characters cost an escape
septet each) makes the whole text UCS-2; Khmer is always UCS-2. A character is never split between two
parts: not an escaped GSM-7 character, not a surrogate pair (an emoji costs two units).

Used by notify (to keep every message within its budget) and by the dev SMS gateway (``num_segments``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38 basic character table (the escape code 0x1B is not a character of its own).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each is sent as ESC plus one septet, so it costs two.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE = {"GSM-7": 160, "UCS-2": 70}
PER_PART = {"GSM-7": 153, "UCS-2": 67}


@dataclass(frozen=True, slots=True)
class Segments:
    """A text's encoding, its length in that encoding's units (septets or UTF-16 units) and its parts."""

    encoding: Encoding
    units: int
    parts: tuple[str, ...]

    @property
    def count(self) -> int:
        """How many SMS the text is billed and sent as."""
        return len(self.parts)


def is_gsm7(text: str) -> bool:
    """True when every character of ``text`` is in the GSM-7 basic or extension table."""
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def encoding_of(text: str) -> Encoding:
    return "GSM-7" if is_gsm7(text) else "UCS-2"


def unit_cost(character: str, encoding: Encoding) -> int:
    """What one character costs: septets in GSM-7, UTF-16 code units in UCS-2."""
    if encoding == "GSM-7":
        return 2 if character in GSM7_EXTENSION else 1
    return 2 if ord(character) > 0xFFFF else 1


def segment(text: str) -> Segments:
    """Split ``text`` into the parts it is sent as (one part, possibly empty, for a text that fits)."""
    encoding = encoding_of(text)
    costs = [unit_cost(c, encoding) for c in text]
    units = sum(costs)
    if units <= SINGLE[encoding]:
        return Segments(encoding, units, (text,))
    room = PER_PART[encoding]
    parts: list[str] = []
    start, used = 0, 0
    for i, cost in enumerate(costs):
        if used + cost > room:  # the character goes whole into the next part
            parts.append(text[start:i])
            start, used = i, 0
        used += cost
    parts.append(text[start:])
    return Segments(encoding, units, tuple(parts))


def count_segments(text: str) -> int:
    """Shorthand for ``segment(text).count``."""
    return segment(text).count

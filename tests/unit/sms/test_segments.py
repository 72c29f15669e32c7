"""Segment accounting (shared/sms/segments.py), checked against what operators and Twilio's calculator do."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.sms.segments import GSM7_BASIC, GSM7_EXTENSION, PER_PART, SINGLE, count_segments, segment

pytestmark = pytest.mark.unit

KHMER = "សួស្តី"  # 6 UTF-16 units


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize(
    ("text", "encoding", "units", "count"),
    [
        ("", "GSM-7", 0, 1),
        ("Hello world", "GSM-7", 11, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # the extension table costs two septets each
        ("€" * 81, "GSM-7", 162, 2),
        ("a" * 70, "GSM-7", 70, 1),
        ("ក" * 70, "UCS-2", 70, 1),
        ("ក" * 71, "UCS-2", 71, 2),
        ("ក" * 134, "UCS-2", 134, 2),
        ("ក" * 135, "UCS-2", 135, 3),
        ("a" * 159 + "ក", "UCS-2", 160, 3),  # one Khmer letter makes the whole text UCS-2
        ("Hi 👋", "UCS-2", 5, 1),  # an emoji is two UTF-16 units
        ("😀" * 35, "UCS-2", 70, 1),
        ("😀" * 36, "UCS-2", 72, 2),
    ],
)
def test_encoding_units_and_count(text: str, encoding: str, units: int, count: int) -> None:
    parts = segment(text)
    assert (parts.encoding, parts.units, parts.count) == (encoding, units, count)
    assert count_segments(text) == count


def test_an_escaped_gsm_character_is_never_split_between_parts() -> None:
    parts = segment("a" * 152 + "€" + "b" * 10)
    assert parts.parts == ("a" * 152, "€" + "b" * 10)  # 152 + 2 septets would overflow the 153 of part one


def test_a_surrogate_pair_is_never_split_between_parts() -> None:
    parts = segment("a" * 66 + "😀" + "a" * 10)
    assert parts.parts == ("a" * 66, "😀" + "a" * 10)
    assert [utf16_units(part) for part in parts.parts] == [66, 12]


def test_khmer_counts_utf16_units_not_visible_letters() -> None:
    assert segment(KHMER).units == len(KHMER) == 6
    assert segment(KHMER * 12).count == 2  # 72 units


def test_every_character_of_both_gsm_tables_is_gsm7() -> None:
    assert segment("".join(sorted(GSM7_BASIC | GSM7_EXTENSION))).encoding == "GSM-7"
    assert segment("`").encoding == "UCS-2"  # the backtick is not in GSM 03.38


GSM7 = st.sampled_from(sorted(GSM7_BASIC | GSM7_EXTENSION))
texts = st.text(alphabet=GSM7 | st.sampled_from(["ក", "្", "😀", "é", "€"]), max_size=700)


def septets(text: str) -> int:
    return sum(2 if c in GSM7_EXTENSION else 1 for c in text)


@given(texts)
def test_parts_rebuild_the_text_and_each_fits_its_room(text: str) -> None:
    parts = segment(text)
    assert "".join(parts.parts) == text
    unit = utf16_units if parts.encoding == "UCS-2" else septets
    if parts.count == 1:
        assert unit(text) <= SINGLE[parts.encoding]
    else:
        assert all(unit(part) <= PER_PART[parts.encoding] for part in parts.parts)
        # Parts are filled greedily: each but the last is too full to take the next part's first character.
        for part, following in zip(parts.parts, parts.parts[1:], strict=False):
            assert unit(part + following[0]) > PER_PART[parts.encoding]

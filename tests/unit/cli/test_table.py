"""Terminal tables line up by display width, Khmer included."""

from __future__ import annotations

import pytest

from cli.table import clip, render, width

pytestmark = pytest.mark.unit


def test_khmer_vowel_signs_take_no_column() -> None:
    assert width("ភ្នំពេញ") == 3  # ភ្នំ ពេ ញ: the subscript consonant and the signs share their base's column
    assert width("abc") == 3


def test_rows_are_padded_to_the_widest_cell() -> None:
    table = render(["case", "status"], [["KH7F3K9Q", "resolved"], ["ភ្នំពេញ", "assigned"]])
    lines = table.splitlines()
    assert lines[0] == "case      status"
    assert lines[1] == "--------  --------"
    assert lines[3] == "ភ្នំពេញ" + " " * 7 + "assigned"


def test_clipped_text_ends_with_an_ellipsis() -> None:
    assert clip("a long complaint text", 10) == "a long co…"
    assert clip("short", 10) == "short"


def test_right_aligned_columns_are_padded_on_the_left_by_display_width() -> None:
    table = render(["province", "cases"], [["ភ្នំពេញ", "7"], ["Siem Reap", "1,204"]], right={1})
    assert table.splitlines()[2:] == ["ភ្នំពេញ" + " " * 8 + "    7", "Siem Reap  1,204"]

"""Display names: trimmed, NFC, 1 to 64 characters, no control or format characters."""

from __future__ import annotations

import pytest

from domain.kernel.text import DISPLAY_NAME_MAX, InvalidDisplayName, clean_display_name


def test_names_are_trimmed_and_normalised_to_nfc():
    assert clean_display_name("  Ada  ") == "Ada"
    assert clean_display_name("e\u0301") == "\u00e9"


def test_the_length_bound_is_exact_and_counted_after_trimming():
    assert clean_display_name("x" * DISPLAY_NAME_MAX) == "x" * DISPLAY_NAME_MAX
    assert clean_display_name(" " + "x" * DISPLAY_NAME_MAX + " ") == "x" * DISPLAY_NAME_MAX
    assert clean_display_name("x") == "x"
    with pytest.raises(InvalidDisplayName) as long:
        clean_display_name("x" * (DISPLAY_NAME_MAX + 1))
    assert long.value.message == f"display name must be 1 to {DISPLAY_NAME_MAX} characters"
    assert long.value.details == {"length": DISPLAY_NAME_MAX + 1}
    with pytest.raises(InvalidDisplayName) as empty:
        clean_display_name("   ")
    assert empty.value.details == {"length": 0}
    assert clean_display_name("x" * 10, max_length=10) == "x" * 10
    with pytest.raises(InvalidDisplayName, match="1 to 10 characters"):
        clean_display_name("x" * 11, max_length=10)


@pytest.mark.parametrize("name", ["a\x07b", "a\u200bb", "a\nb", "a\x7fb"])
def test_control_and_format_characters_are_refused(name):
    with pytest.raises(InvalidDisplayName) as refused:
        clean_display_name(name)
    assert refused.value.message == "display name must not contain control characters"
    assert refused.value.code == "invalid_display_name"

"""Rules for free text that players type (names), shared by every context."""

from __future__ import annotations

import unicodedata

from domain.kernel.errors import InvalidCommand

DISPLAY_NAME_MAX = 64


class InvalidDisplayName(InvalidCommand):
    code = "invalid_display_name"


def clean_display_name(name: str, max_length: int = DISPLAY_NAME_MAX) -> str:
    """Trimmed, NFC-normalised display name, or InvalidDisplayName."""
    cleaned = unicodedata.normalize("NFC", name).strip()
    if not 1 <= len(cleaned) <= max_length:
        raise InvalidDisplayName(f"display name must be 1 to {max_length} characters", length=len(cleaned))
    if any(unicodedata.category(ch).startswith("C") for ch in cleaned):
        raise InvalidDisplayName("display name must not contain control characters")
    return cleaned

"""Validating the free text people type: trimmed, NFC, bounded, no control characters."""

from __future__ import annotations

import unicodedata

from live.errors import Invalid


def clean_text(raw: str, field: str, max_len: int) -> str:
    """Required text: ``empty``, ``too_long`` or ``invalid`` errors name the field."""
    value = unicodedata.normalize("NFC", raw).strip()
    if not value:
        raise Invalid(f"{field} is empty", code="empty")
    if len(value) > max_len:
        raise Invalid(f"{field}: at most {max_len} characters", code="too_long")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
        raise Invalid(f"{field} has control characters")
    return value


def optional_clean(raw: str | None, field: str, max_len: int) -> str | None:
    """Optional text: None when absent or blank, else as ``clean_text``."""
    if raw is None or not raw.strip():
        return None
    return clean_text(raw, field, max_len)

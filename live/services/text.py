"""Cleaning the free text people type (chat, opinions, agenda, meetings share it).

The text is normalised to NFC; control characters other than newline and tab, and the
bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069) are removed; leading and
trailing blanks (including zero-width characters) are trimmed. What is left must not be empty
(``empty``) nor longer than the field allows (``too_long``); text that is not valid Unicode (a lone
surrogate) is ``invalid``. Errors name the field."""

from __future__ import annotations

import unicodedata

from live.errors import Invalid

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
KEPT_CONTROLS = frozenset("\n\t")
# Invisible characters that make a text look non-empty: zero-width space/joiners, word joiner,
# BOM, soft hyphen, Mongolian vowel separator, Hangul fillers, braille blank.
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u3164\u115f\u1160\uffa0\u2800\u034f")


def _kept(ch: str) -> bool:
    if ch in BIDI_CONTROLS:
        return False
    return ch in KEPT_CONTROLS or unicodedata.category(ch) != "Cc"


def _blank(ch: str) -> bool:
    return ch.isspace() or ch in INVISIBLE or unicodedata.category(ch) in ("Cf", "Zs", "Zl", "Zp")


def sanitize(raw: str, field: str) -> str:
    """NFC, without control or bidi-override characters, trimmed (may be empty)."""
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError as err:
        raise Invalid(f"{field} is not valid text", code="invalid", field=field) from err
    value = "".join(ch for ch in unicodedata.normalize("NFC", raw) if _kept(ch))
    start, end = 0, len(value)
    while start < end and _blank(value[start]):
        start += 1
    while end > start and _blank(value[end - 1]):
        end -= 1
    return value[start:end]


def clean_text(raw: object, field: str, max_len: int) -> str:
    """Required text: ``empty``, ``too_long`` or ``invalid`` errors name the field."""
    if not isinstance(raw, str):
        raise Invalid(f"{field} must be text", code="empty", field=field)
    value = sanitize(raw, field)
    if not value or all(_blank(ch) for ch in value):
        raise Invalid(f"{field} is empty", code="empty", field=field)
    if len(value) > max_len:
        raise Invalid(f"{field}: at most {max_len} characters", code="too_long", field=field)
    return value


def optional_clean(raw: str | None, field: str, max_len: int) -> str | None:
    """Optional text: None when absent or blank (after cleaning), else as ``clean_text``."""
    if raw is None:
        return None
    value = sanitize(raw, field)
    if not value or all(_blank(ch) for ch in value):
        return None
    return clean_text(value, field, max_len)

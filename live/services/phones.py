"""Mainland mobile numbers: personal data. Normalised to 11 digits; shown masked (138****1234)
to everyone but admins; never written to logs or exports."""

from __future__ import annotations

import re

from live.errors import Invalid

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_SEPARATORS = re.compile(r"[\s\-()]")


def normalize_phone(raw: str) -> str | None:
    """``raw`` as 11 digits if it is a mainland mobile number (``+86``/``0086``, spaces and dashes
    allowed), else None."""
    digits = _SEPARATORS.sub("", raw.strip())
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if digits.isascii() and _MOBILE.match(digits) else None


def require_phone(raw: str) -> str:
    phone = normalize_phone(raw)
    if phone is None:
        raise Invalid("phone: an 11-digit mainland mobile number, e.g. 13812341234", code="bad_phone")
    return phone


def mask_phone(phone: str | None) -> str | None:
    """``138****1234``: the first three and the last four digits."""
    if not phone:
        return None
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"

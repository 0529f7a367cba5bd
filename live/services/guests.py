"""Guests: a signed guest token, issued by the server only, identifies an anonymous person.

The token (``<guest id>.<signature>``) is the credential: the guest cookie's value, or the socket's
``auth.guest`` for clients without cookies. Other people only ever see the guest's *public id*
(``g:<opaque>``, derived from the guest id with the server's secret), which is neither the
credential nor a way to make one: ``verify_guest`` refuses anything the server did not sign."""

from __future__ import annotations

import hmac
import secrets
import unicodedata

from live.errors import Invalid
from live.services.accounts import sign
from live.services.actors import Actor
from live.services.defaults import DEFAULT_GUEST_NAME

STAFF_WORDS = ("管理员", "主持人", "书记", "网格员", "admin", "moderator", "host", "官方", "社区")
NAME_MAX = 24


def new_guest_id() -> str:
    return secrets.token_urlsafe(12)


def sign_guest(secret: str, guest_id: str) -> str:
    return f"{guest_id}.{sign(secret, 'guest:' + guest_id)}"


def verify_guest(secret: str, signed: str) -> str | None:
    """The guest id inside a signed cookie value, or None if the signature is wrong."""
    if not signed.isascii():
        return None  # a cookie byte above 0x7f: treated as no cookie at all
    guest_id, _, signature = signed.rpartition(".")
    if not guest_id or len(guest_id) > 64:
        return None
    if hmac.compare_digest(signature, sign(secret, "guest:" + guest_id)):
        return guest_id
    return None


def public_guest_key(secret: str, guest_id: str) -> str:
    """The person key (``author.id``, ``you.id``, moderation's ``user``) of a guest id."""
    return "g:" + sign(secret, "public:" + guest_id)[:20]


def guest_csrf(secret: str, guest_id: str) -> str:
    return sign(secret, "csrf:" + guest_id)


def clean_display_name(raw: object, *, staff: bool = False) -> str:
    """A display name: 1-24 characters, no control characters, no pretending to be staff."""
    if not isinstance(raw, str):
        raise Invalid("name must be text", code="bad_name")
    name = unicodedata.normalize("NFC", raw).strip()
    if not name or len(name) > NAME_MAX:
        raise Invalid(f"name: 1-{NAME_MAX} characters", code="bad_name")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in name):
        raise Invalid("name has control characters", code="bad_name")
    if not staff:
        folded = unicodedata.normalize("NFKC", name).casefold().replace(" ", "")
        if any(word in folded for word in STAFF_WORDS):
            raise Invalid("that name is reserved for staff", code="bad_name")
    return name


def guest_actor(secret: str, guest_id: str, name: str | None, address: str | None) -> Actor:
    key = public_guest_key(secret, guest_id)
    return Actor(key=key, name=name or DEFAULT_GUEST_NAME, role="guest", address=address)

"""Who is acting: a signed-in user or a guest, and what they may do.

``require_staff`` is the one place where role and community scoping is decided, for HTTP views
and socket handlers alike."""

from __future__ import annotations

from dataclasses import dataclass

from live.errors import Forbidden, Unauthenticated

ROLES = ("resident", "party", "moderator", "host", "admin")
STAFF_RANK = {"resident": 0, "guest": 0, "party": 0, "moderator": 1, "host": 2, "admin": 3}


@dataclass(frozen=True)
class Actor:
    """A person acting: ``key`` is ``u:<user id>`` or ``g:<guest id>``."""

    key: str
    name: str
    role: str = "guest"
    user_id: int | None = None
    community_id: int | None = None
    community_slug: str | None = None
    address: str | None = None
    #: For a responsible party's account (role ``party``): the party it acts for.
    party_id: int | None = None

    @property
    def is_user(self) -> bool:
        return self.user_id is not None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_staff(self) -> bool:
        return STAFF_RANK.get(self.role, 0) >= 1

    @property
    def public_id(self) -> str:
        """The id other people see (``author.id``, ``you.id``)."""
        return self.key

    def can(self, level: str, community_id: int) -> bool:
        """True if this actor holds ``level`` (moderator/host/admin) in ``community_id``."""
        if self.role == "admin":
            return True
        if STAFF_RANK.get(self.role, 0) < STAFF_RANK[level]:
            return False
        return self.community_id == community_id


def require_user(actor: Actor) -> None:
    if not actor.is_user:
        raise Unauthenticated("sign in first")


def require_staff(actor: Actor, level: str, community_id: int) -> None:
    """Raise unless ``actor`` is at least ``level`` in ``community_id`` (admins everywhere)."""
    if not actor.is_user and STAFF_RANK[level] > 0:
        raise Unauthenticated("sign in first")
    if not actor.can(level, community_id):
        raise Forbidden(f"needs {level} of this community")


def require_admin(actor: Actor) -> None:
    require_user(actor)
    if not actor.is_admin:
        raise Forbidden("needs admin")

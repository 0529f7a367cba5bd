"""What the navigation offers a person: for staff, the live console of their community and
the number of opinions waiting in triage."""

from __future__ import annotations

from dataclasses import dataclass

from live.services.actors import Actor
from live.storage import navigation as queries
from live.storage.db import Database


@dataclass(frozen=True)
class NavState:
    live_session: int | None = None
    new_opinions: int = 0


class Navigation:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def for_actor(self, actor: Actor) -> NavState:
        """Staff see their community's live session and triage count; admins see every community."""
        if not actor.is_user or not actor.is_staff:
            return NavState()
        community = None if actor.is_admin else actor.community_id
        if community is None and not actor.is_admin:
            return NavState()
        async with self.db.read() as s:
            live = await queries.live_session_id(s, community)
            new = await queries.new_opinion_count(s, community)
        return NavState(live_session=live, new_opinions=new)

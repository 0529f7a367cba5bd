"""Communities and their places."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from live.errors import Conflict, Invalid, NotFound
from live.storage.db import Database
from live.storage.places import Community, Compound, Grid, all_communities, community_by_slug

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class Places:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_community(self, slug: str, name: str) -> Community:
        slug = slug.strip().lower()
        if not SLUG.match(slug):
            raise Invalid("slug: lowercase letters, digits and dashes")
        if not name.strip():
            raise Invalid("name is required")
        async with self.db.transaction() as s:
            if await community_by_slug(s, slug):
                raise Conflict(f"community {slug} exists")
            community = Community(slug=slug, name=name.strip())
            s.add(community)
            await s.flush()
            return community

    async def communities(self) -> list[Community]:
        async with self.db.read() as s:
            return await all_communities(s)

    async def by_slug(self, slug: str) -> Community:
        async with self.db.read() as s:
            community = await community_by_slug(s, slug)
        if community is None:
            raise NotFound(f"no community {slug}")
        return community

    async def by_id(self, community_id: int) -> Community:
        async with self.db.read() as s:
            community = await s.get(Community, community_id)
        if community is None:
            raise NotFound("no such community")
        return community

    async def counts(self) -> dict[str, int]:
        async with self.db.read() as s:
            return {
                "communities": await s.scalar(select(func.count(Community.id))) or 0,
                "compounds": await s.scalar(select(func.count(Compound.id))) or 0,
                "grids": await s.scalar(select(func.count(Grid.id))) or 0,
            }

    async def compounds(self, community_id: int) -> list[Compound]:
        async with self.db.read() as s:
            rows = await s.execute(
                select(Compound).where(Compound.community_id == community_id).order_by(Compound.id)
            )
            return list(rows.scalars())

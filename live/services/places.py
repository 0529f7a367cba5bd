"""Communities and their places."""

from __future__ import annotations

import re

from live.errors import Conflict, Invalid, NotFound
from live.storage import places as store
from live.storage.db import Database
from live.storage.places import Community, Compound

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
PLACE_ROWS_MAX = 5000


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
            if await store.community_by_slug(s, slug):
                raise Conflict(f"community {slug} exists")
            community = Community(slug=slug, name=name.strip())
            await store.add_place(s, community)
            return community

    async def communities(self) -> list[Community]:
        async with self.db.read() as s:
            return await store.all_communities(s)

    async def by_slug(self, slug: str) -> Community:
        async with self.db.read() as s:
            community = await store.community_by_slug(s, slug)
        if community is None:
            raise NotFound(f"no community {slug}")
        return community

    async def by_id(self, community_id: int) -> Community:
        async with self.db.read() as s:
            community = await store.community_by_id(s, community_id)
        if community is None:
            raise NotFound("no such community")
        return community

    async def counts(self) -> dict[str, int]:
        async with self.db.read() as s:
            return await store.place_counts(s)

    async def compounds(self, community_id: int) -> list[Compound]:
        async with self.db.read() as s:
            return await store.compounds_of(s, community_id)

    async def labels(self, community_slug: str) -> list[str]:
        """The community's places as labels ("compound", "compound building", "compound
        building unit"), in order, for tagging an opinion."""
        community = await self.by_slug(community_slug)
        labels: dict[str, None] = {}
        async with self.db.read() as s:
            rows = await store.place_rows(s, community.id, PLACE_ROWS_MAX)
        for compound, building, unit in rows:
            labels[compound] = None
            if building:
                labels[f"{compound} {building}"] = None
                if unit:
                    labels[f"{compound} {building} {unit}"] = None
        return list(labels)

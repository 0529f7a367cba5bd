"""Opinion categories: global rows, defaults seeded idempotently on first use, edited by admins."""

from __future__ import annotations

import asyncio
import re

from live.errors import Conflict, Invalid, NotFound
from live.services.actors import Actor, require_admin
from live.services.defaults import DEFAULT_CATEGORIES as DEFAULT_CATEGORIES
from live.storage import categories as store
from live.storage.db import Database, Duplicate
from live.storage.opinions import Category

KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
NAME_MAX = 64


class Categories:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._seeded = False
        self._lock = asyncio.Lock()

    async def ensure_defaults(self) -> None:
        """Insert the default categories that are missing (safe to run from many processes)."""
        if self._seeded:
            return
        async with self._lock:
            if self._seeded:
                return
            for position, (key, zh, en) in enumerate(DEFAULT_CATEGORIES):
                try:
                    async with self.db.transaction() as s:
                        if not await store.has_category(s, key):
                            await store.add_category(s, key, zh, en, position)
                except Duplicate:
                    pass  # another process inserted it first
            self._seeded = True

    async def all(self, *, include_inactive: bool = False) -> list[Category]:
        await self.ensure_defaults()
        async with self.db.read() as s:
            return await store.list_categories(s, include_inactive=include_inactive)

    async def keys(self) -> set[str]:
        return {c.key for c in await self.all()}

    async def check(self, key: str | None) -> str:
        """A valid, active category key (``other`` when none is given)."""
        if key is None or key == "":
            return "other"
        if key not in await self.keys():
            raise Invalid(f"unknown category {key}", code="bad_category")
        return key

    async def add(self, actor: Actor, key: str, name_zh: str, name_en: str) -> Category:
        require_admin(actor)
        await self.ensure_defaults()
        if not KEY.match(key):
            raise Invalid("key: lowercase letters, digits, underscores", code="bad_key")
        name_zh, name_en = _name(name_zh, "name_zh"), _name(name_en or name_zh, "name_en")
        try:
            async with self.db.transaction() as s:
                if await store.has_category(s, key):
                    raise Conflict(f"category {key} exists")
                return await store.add_category(s, key, name_zh, name_en)
        except Duplicate as err:
            raise Conflict(f"category {key} exists") from err

    async def update(
        self,
        actor: Actor,
        key: str,
        *,
        name_zh: str | None = None,
        name_en: str | None = None,
        position: int | None = None,
        active: bool | None = None,
        response_days: int | None = None,
        resolve_days: int | None = None,
    ) -> Category:
        """Names, order, on/off, and the working-day limits (every community's default)."""
        require_admin(actor)
        for name, days in (("response_days", response_days), ("resolve_days", resolve_days)):
            if days is not None and (
                isinstance(days, bool) or not isinstance(days, int) or not 0 < days <= 250
            ):
                raise Invalid(f"{name}: a whole number of working days, 1-250", code="bad_days")
        await self.ensure_defaults()
        async with self.db.transaction() as s:
            category = await store.get_category(s, key)
            if category is None:
                raise NotFound(f"no category {key}")
            if name_zh is not None:
                category.name_zh = _name(name_zh, "name_zh")
            if name_en is not None:
                category.name_en = _name(name_en, "name_en")
            if position is not None:
                category.position = position
            if active is not None:
                if not active and key == "other":
                    raise Invalid("the category other cannot be switched off")
                category.active = active
            if response_days is not None:
                category.response_days = response_days
            if resolve_days is not None:
                category.resolve_days = resolve_days
            return category


def _name(value: str, field: str) -> str:
    value = value.strip()
    if not value or len(value) > NAME_MAX:
        raise Invalid(f"{field}: 1-{NAME_MAX} characters")
    return value

"""The opinion categories' queries (the ``Category`` model lives with the opinions)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from live.storage.opinions import Category


async def get_category(s: AsyncSession, key: str) -> Category | None:
    result: Category | None = await s.scalar(select(Category).where(Category.key == key))
    return result


async def has_category(s: AsyncSession, key: str) -> bool:
    return await s.scalar(select(Category.id).where(Category.key == key)) is not None


async def list_categories(s: AsyncSession, *, include_inactive: bool = False) -> list[Category]:
    """In their order (position, then id); the switched-off ones only when asked."""
    query = select(Category).order_by(Category.position, Category.id)
    if not include_inactive:
        query = query.where(Category.active.is_(True))
    return list((await s.execute(query)).scalars())


async def add_category(
    s: AsyncSession, key: str, name_zh: str, name_en: str, position: int | None = None
) -> Category:
    """A new category, last in the order unless ``position`` is given; flushed (a duplicate key
    raises ``db.Duplicate`` here)."""
    if position is None:
        last = await s.scalar(select(Category.position).order_by(Category.position.desc()))
        position = (last or 0) + 1
    category = Category(key=key, name_zh=name_zh, name_en=name_en, position=position)
    s.add(category)
    await s.flush()
    return category

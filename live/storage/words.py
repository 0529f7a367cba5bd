"""The word list's queries (the ``Word`` model lives with the other moderation tables)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from live.storage.moderation import Word


async def all_words(s: AsyncSession) -> list[str]:
    return list((await s.execute(select(Word.word).order_by(Word.word))).scalars())


def add_word(s: AsyncSession, word: str, at: datetime) -> None:
    s.add(Word(word=word, created_at=at))


async def remove_words(s: AsyncSession, words: list[str]) -> int:
    """Deletes the listed words; the number deleted."""
    result = await s.execute(delete(Word).where(Word.word.in_(words)))
    return int(getattr(result, "rowcount", 0) or 0)


async def signature(s: AsyncSession) -> tuple[int, int]:
    """(how many words, the newest id): changes whenever any process adds or removes one."""
    row = (await s.execute(select(func.count(Word.id), func.max(Word.id)))).one()
    return int(row[0] or 0), int(row[1] or 0)

"""The word list: chat messages containing a listed word are held for review."""

from __future__ import annotations

import unicodedata

from sqlalchemy import delete, select

from live.clock import Clock
from live.errors import Invalid
from live.storage.db import Database
from live.storage.moderation import Word


def normalise_word(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold().strip()


class WordList:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self.version = 0

    async def add(self, words: list[str]) -> list[str]:
        added: list[str] = []
        async with self.db.transaction() as s:
            existing = set((await s.execute(select(Word.word))).scalars())
            for raw in words:
                word = normalise_word(raw)
                if not word or len(word) > 64:
                    raise Invalid(f"bad word: {raw!r}")
                if word not in existing:
                    s.add(Word(word=word, created_at=self.clock.now()))
                    existing.add(word)
                    added.append(word)
        self.version += 1
        return added

    async def remove(self, words: list[str]) -> int:
        targets = [normalise_word(w) for w in words]
        async with self.db.transaction() as s:
            result = await s.execute(delete(Word).where(Word.word.in_(targets)))
        self.version += 1
        return int(getattr(result, "rowcount", 0) or 0)

    async def all(self) -> list[str]:
        async with self.db.read() as s:
            return list((await s.execute(select(Word.word).order_by(Word.word))).scalars())

"""The word list: chat messages containing a listed word are held for review."""

from __future__ import annotations

import unicodedata

from live.clock import Clock
from live.errors import Invalid
from live.storage import words as store
from live.storage.db import Database


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
            existing = set(await store.all_words(s))
            for raw in words:
                word = normalise_word(raw)
                if not word or len(word) > 64:
                    raise Invalid(f"bad word: {raw!r}")
                if word not in existing:
                    store.add_word(s, word, self.clock.now())
                    existing.add(word)
                    added.append(word)
        self.version += 1
        return added

    async def remove(self, words: list[str]) -> int:
        targets = [normalise_word(w) for w in words]
        async with self.db.transaction() as s:
            removed = await store.remove_words(s, targets)
        self.version += 1
        return removed

    async def all(self) -> list[str]:
        async with self.db.read() as s:
            return await store.all_words(s)

    async def signature(self) -> tuple[int, int]:
        """(how many words, the newest id), as every process sees the list now."""
        async with self.db.read() as s:
            return await store.signature(s)

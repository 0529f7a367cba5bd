"""Word-list matching: an Aho-Corasick automaton over normalised text.

Normalisation folds full-width to half-width (NFKC), case, and drops spaces, punctuation,
symbols and zero-width characters, so "Ｂ Ａ-Ｄ" and "b\u200bad" both match "bad"."""

from __future__ import annotations

import unicodedata

import ahocorasick

from live.clock import Clock
from live.services.words import WordList

#: Seconds between checks that another process (or the CLI) changed the list.
RECHECK_S = 1.0
_DROP_CATEGORIES = ("Z", "P", "S", "C")


def normalise_text(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if not unicodedata.category(ch).startswith(_DROP_CATEGORIES))


class WordFilter:
    """Answers "does this text contain a listed word?"; rebuilt when the list changes."""

    def __init__(self, words: WordList, clock: Clock) -> None:
        self.words = words
        self.clock = clock
        self._automaton: ahocorasick.Automaton | None = None
        self._local_version = -1
        self._signature: tuple[int, int] | None = None
        self._checked_at = float("-inf")

    async def _rebuild(self) -> None:
        automaton = ahocorasick.Automaton()
        for word in await self.words.all():
            key = normalise_text(word)
            if key:
                automaton.add_word(key, word)
        if len(automaton):
            automaton.make_automaton()
            self._automaton = automaton
        else:
            self._automaton = None

    async def refresh(self, *, force: bool = False) -> None:
        now = self.clock.monotonic()
        stale = force or self._local_version != self.words.version
        if not stale and now - self._checked_at < RECHECK_S:
            return
        self._checked_at = now
        signature = await self.words.signature()
        if stale or signature != self._signature:
            self._local_version = self.words.version
            self._signature = signature
            await self._rebuild()

    async def matches(self, text: str) -> list[str]:
        """The listed words found in ``text`` (empty when it is clean)."""
        await self.refresh()
        if self._automaton is None:
            return []
        return sorted({word for _end, word in self._automaton.iter(normalise_text(text))})

"""Reading a whole list in keyset batches: each batch asks for the rows after the last one read."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TypeVar

Row = TypeVar("Row")


async def keyset_batches(
    fetch: Callable[[int | None], Awaitable[Sequence[Row]]], key: Callable[[Row], int], batch: int
) -> AsyncIterator[Sequence[Row]]:
    """Yield ``fetch(after)`` batches until one comes back shorter than ``batch``."""
    after: int | None = None
    while True:
        rows = await fetch(after)
        if rows:
            yield rows
        if len(rows) < batch:
            return
        after = key(rows[-1])

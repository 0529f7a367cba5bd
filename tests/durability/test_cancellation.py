"""A cancelled task stays cancelled: what waits for SQLite's one writer, and the app's cleanup."""

from __future__ import annotations

import asyncio
from pathlib import Path

from live.storage.db import Database


async def test_a_writer_cancelled_as_the_lock_is_granted_is_cancelled(tmp_path: Path) -> None:
    """The lock is released and the waiting task cancelled in one loop turn. With Python 3.11's
    ``asyncio.wait_for`` around the lock, the waiter got the lock and ran its transaction all the
    same, its cancellation lost: a background job cancelled at shutdown then ran forever and
    the application's cleanup, waiting for it, hung a clean clone's suite for 15 minutes."""
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'one.db'}")
    entered, release = asyncio.Event(), asyncio.Event()
    ran: list[str] = []
    waiter: asyncio.Task[None] | None = None

    async def wait_to_write() -> None:
        async with db.transaction():
            ran.append("second")

    async def hold_then_cancel() -> None:
        async with db.transaction():
            entered.set()
            await release.wait()
        # the lock was released on leaving the block, within this same step of the loop
        assert waiter is not None
        waiter.cancel()

    try:
        holder = asyncio.create_task(hold_then_cancel())
        await entered.wait()
        waiter = asyncio.create_task(wait_to_write())
        for _ in range(5):  # let it queue for the lock
            await asyncio.sleep(0)
        release.set()
        await holder
        outcome = (await asyncio.gather(waiter, return_exceptions=True))[0]
        assert isinstance(outcome, asyncio.CancelledError), outcome
        assert ran == []
        async with db.transaction():  # and the lock is free again
            ran.append("third")
        assert ran == ["third"]
    finally:
        await db.close()

"""Waiting in tests: for an event or a condition, always with a deadline, never a fixed sleep.

``eventually`` is the one place a test polls: for state that offers no event to wait on (a row
in a database, a process's HTTP answer). It returns as soon as the condition holds."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def eventually(
    check: Callable[[], Any], within: float = 10.0, *, every: float = 0.05, what: str = "condition"
) -> Any:
    """Call ``check()`` (sync or async) until it returns something truthy; return that. Fails
    after ``within`` seconds with ``what`` in the message."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        value = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if loop.time() >= deadline:
            raise AssertionError(f"{what} not reached within {within} s")
        await asyncio.sleep(every)  # a poll interval, not a wait for time to pass


async def within(awaitable: Awaitable[T], seconds: float, what: str = "event") -> T:
    """``awaitable`` with a deadline and a clear failure."""
    try:
        return await asyncio.wait_for(awaitable, seconds)
    except TimeoutError:
        raise AssertionError(f"{what} did not happen within {seconds} s") from None

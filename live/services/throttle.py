"""Sliding-window failure counting (login throttling), in memory or in Redis."""

from __future__ import annotations

from collections import defaultdict, deque
from typing import Protocol

from live.clock import Clock
from live.services.redis_health import REDIS_ERRORS, RedisHealth


class FailureCounter(Protocol):
    async def recent(self, key: str, window_s: float) -> int: ...

    async def add(self, key: str, window_s: float) -> None: ...

    async def clear(self, key: str) -> None: ...


class MemoryFailureCounter:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._times: dict[str, deque[float]] = defaultdict(deque)

    def _trim(self, key: str, window_s: float) -> deque[float]:
        times = self._times[key]
        cutoff = self.clock.monotonic() - window_s
        while times and times[0] <= cutoff:
            times.popleft()
        if not times:
            self._times.pop(key, None)
        return times

    async def recent(self, key: str, window_s: float) -> int:
        return len(self._trim(key, window_s))

    async def add(self, key: str, window_s: float) -> None:
        self._trim(key, window_s)
        self._times[key].append(self.clock.monotonic())

    async def clear(self, key: str) -> None:
        self._times.pop(key, None)


class FailoverFailureCounter:
    """Counts in Redis, or in this process while Redis is away."""

    def __init__(self, shared: FailureCounter, local: FailureCounter, health: RedisHealth) -> None:
        self.shared = shared
        self.local = local
        self.health = health

    async def recent(self, key: str, window_s: float) -> int:
        try:
            count = await self.shared.recent(key, window_s)
        except REDIS_ERRORS as error:
            self.health.failed(error)
            return await self.local.recent(key, window_s)
        self.health.ok()
        return max(count, await self.local.recent(key, window_s))

    async def add(self, key: str, window_s: float) -> None:
        await self.local.add(key, window_s)
        try:
            await self.shared.add(key, window_s)
        except REDIS_ERRORS as error:
            self.health.failed(error)

    async def clear(self, key: str) -> None:
        await self.local.clear(key)
        try:
            await self.shared.clear(key)
        except REDIS_ERRORS as error:
            self.health.failed(error)

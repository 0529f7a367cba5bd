"""Sliding-window failure counting in Redis, shared by every process."""

from __future__ import annotations

import uuid
from typing import Any

from live.clock import Clock


class RedisFailureCounter:
    def __init__(self, redis: Any, clock: Clock, prefix: str = "rt:fail:") -> None:
        self.redis = redis
        self.clock = clock
        self.prefix = prefix

    async def recent(self, key: str, window_s: float) -> int:
        now = self.clock.now().timestamp()
        name = self.prefix + key
        await self.redis.zremrangebyscore(name, 0, now - window_s)
        return int(await self.redis.zcard(name))

    async def add(self, key: str, window_s: float) -> None:
        now = self.clock.now().timestamp()
        name = self.prefix + key
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(name, {uuid.uuid4().hex: now})
            pipe.expire(name, int(window_s) + 5)
            await pipe.execute()

    async def clear(self, key: str) -> None:
        await self.redis.delete(self.prefix + key)

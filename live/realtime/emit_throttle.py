"""At most one emit per key per interval, across processes, without losing the last change.

``poke(key)`` says "something about ``key`` changed". The first poke of a quiet key emits at
once; pokes during the following interval are folded into one trailing emit at its end. The emit
callback reads the current state itself, so whatever emits last shows every change that was
committed before its poke.

With Redis the interval is shared by every process: a lock key (``SET NX PX``) decides who may
emit now; a version counter and a "sent" mark let a process skip its trailing emit when another
process's emit already covered its change."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from live.services.redis_health import REDIS_ERRORS

log = logging.getLogger(__name__)
Emit = Callable[[int], Awaitable[None]]

# sent = max(sent, ARGV[1])
_RAISE_TO = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
return 1
"""
KEEP_S = 86400


class EmitThrottle:
    def __init__(
        self,
        emit: Emit,
        *,
        interval_s: float = 1.0,
        redis: Any = None,
        prefix: str = "rt",
        name: str = "poll",
    ) -> None:
        self.emit = emit
        self.name = name
        self.interval_s = interval_s
        self.redis = redis
        self.prefix = prefix
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._wanted: dict[int, int] = {}  # key -> highest version this process must see covered
        self._last: dict[int, float] = {}  # memory mode: when this key last emitted

    async def poke(self, key: int) -> None:
        if self.redis is not None:
            try:
                version = int(await self.redis.incr(self._k(key, "ver")))
                await self.redis.expire(self._k(key, "ver"), KEEP_S)
            except REDIS_ERRORS:
                log.warning(
                    "Redis unavailable: %s %s updates are throttled in this process only", self.name, key
                )
            else:
                self._wanted[key] = max(self._wanted.get(key, 0), version)
                self._start(key, self._run_redis)
                return
        self._poke_memory(key)

    async def now(self, key: int) -> None:
        """Emit at once (a poll opened or closed), and start a new interval."""
        if self.redis is None:
            self._last[key] = asyncio.get_running_loop().time()
            await self._safe_emit(key)
            return
        try:
            version = int(await self.redis.incr(self._k(key, "ver")))
            await self.redis.set(self._k(key, "lock"), "1", px=int(self.interval_s * 1000))
        except REDIS_ERRORS:  # Redis away: this process's viewers get it at once all the same
            self._last[key] = asyncio.get_running_loop().time()
            await self._safe_emit(key)
            return
        await self._safe_emit(key)
        with contextlib.suppress(*REDIS_ERRORS):
            await self.redis.eval(_RAISE_TO, 1, self._k(key, "sent"), version, KEEP_S)

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    # memory: one process

    def _poke_memory(self, key: int) -> None:
        if key in self._tasks:
            return  # a trailing emit is already scheduled; it will read the newest state
        self._start(key, self._run_memory)

    async def _run_memory(self, key: int) -> None:
        loop = asyncio.get_running_loop()
        wait = self._last.get(key, -1e9) + self.interval_s - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        self._last[key] = loop.time()
        del self._tasks[key]  # pokes from now on schedule the next emit
        await self._safe_emit(key)

    # redis: every process

    async def _run_redis(self, key: int) -> None:
        redis = self.redis
        while True:
            wanted = self._wanted.get(key, 0)
            sent = int(await redis.get(self._k(key, "sent")) or 0)
            if sent >= wanted:
                break
            if await redis.set(self._k(key, "lock"), "1", nx=True, px=int(self.interval_s * 1000)):
                version = int(await redis.get(self._k(key, "ver")) or 0)
                await self._safe_emit(key)
                await redis.eval(_RAISE_TO, 1, self._k(key, "sent"), version, KEEP_S)
                continue
            ttl_ms = int(await redis.pttl(self._k(key, "lock")))
            await asyncio.sleep(max(ttl_ms, 5) / 1000)
        self._tasks.pop(key, None)
        # a poke that came in while this task was finishing starts the next round
        if self._wanted.get(key, 0) > int(await redis.get(self._k(key, "sent")) or 0):
            self._start(key, self._run_redis)

    def _start(self, key: int, run: Callable[[int], Awaitable[None]]) -> None:
        if key in self._tasks:
            return
        self._tasks[key] = asyncio.create_task(self._guard(run, key))

    async def _guard(self, run: Callable[[int], Awaitable[None]], key: int) -> None:
        try:
            await run(key)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("throttled emit of %s failed", key)
            self._tasks.pop(key, None)

    async def _safe_emit(self, key: int) -> None:
        try:
            await self.emit(key)
        except Exception:
            log.exception("emit of %s failed", key)

    def _k(self, key: int, part: str) -> str:
        return f"{self.prefix}:throttle:{self.name}:{key}:{part}"

"""Whether Redis answers: each Redis-backed part reports its failures and successes here.

While Redis is away each process keeps serving its own clients alone — chat in its rooms,
presence and rate limits counted in memory — says so in ``/healthz`` (``redis: false``,
``degraded: true``) and in the log (once when Redis goes, once when it is back), and catches up
when it returns (presence is re-announced by the next heartbeat)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

#: What a call to an unreachable Redis raises.
REDIS_ERRORS: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError, OSError)

log = logging.getLogger("live.redis")


class RedisHealth:
    def __init__(self, client: Any = None) -> None:
        self.client = client
        self.up = True
        self.down_since: float | None = None

    @property
    def configured(self) -> bool:
        return self.client is not None

    def failed(self, error: BaseException) -> None:
        if self.up:
            self.up = False
            self.down_since = time.monotonic()
            log.error(
                "Redis unavailable (%s): degraded, this process serves its own clients only "
                "(no cross-process rooms, presence and limits per process) until Redis is back",
                error,
            )

    def ok(self) -> None:
        if not self.up:
            gone = time.monotonic() - (self.down_since or time.monotonic())
            self.up = True
            self.down_since = None
            log.warning("Redis is back after %.0f s: sharing rooms, presence and limits again", gone)

    async def check(self) -> bool:
        """Ping Redis now; True when it answered."""
        if self.client is None:
            return True
        try:
            async with asyncio.timeout(2):  # (3.11's wait_for can lose a cancellation)
                await self.client.ping()
        except REDIS_ERRORS as error:  # (TimeoutError is an OSError)
            self.failed(error)
            return False
        self.ok()
        return True

    async def watch(self, every_s: float = 1.0) -> None:
        """A background task: notice Redis leaving and coming back even without traffic."""
        while True:
            with contextlib.suppress(Exception):
                await self.check()
            await asyncio.sleep(every_s)

    def payload(self) -> dict[str, bool]:
        if self.client is None:
            return {}
        return {"redis": self.up, "degraded": not self.up}

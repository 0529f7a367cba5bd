"""Token buckets (chat, opinions, supports): in memory for one process, in Redis for several;
kept on the person and on their address (``PersonLimit``)."""

from __future__ import annotations

import math
from typing import Any, Protocol

from live.clock import Clock
from live.services.actors import Actor
from live.services.redis_health import REDIS_ERRORS, RedisHealth
from live.services.sanctions import address_applies


class TokenBucket(Protocol):
    async def take(self, key: str) -> bool:
        """Spend one token of ``key``'s bucket; False when it is empty."""


class MemoryTokenBucket:
    def __init__(self, clock: Clock, rate_per_s: float, burst: int) -> None:
        self.clock = clock
        self.rate = rate_per_s
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self.max_keys = 100_000

    async def take(self, key: str) -> bool:
        now = self.clock.now().timestamp()
        tokens, at = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + max(0.0, now - at) * self.rate)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > self.max_keys:
            self._sweep(now)
        return allowed

    def _sweep(self, now: float) -> None:
        """Bounded memory: forget the buckets that have refilled (they hold no information)."""
        full_after = self.burst / max(self.rate, 1e-9)
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full_after}
        if len(self._buckets) > self.max_keys:
            self._buckets.clear()


_TAKE = """
local v = redis.call('HMGET', KEYS[1], 't', 'at')
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tokens, at = tonumber(v[1]), tonumber(v[2])
if tokens == nil then tokens = burst; at = now end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local ok = 0
if tokens >= 1 then tokens = tokens - 1; ok = 1 end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return ok
"""


class RedisTokenBucket:
    """The same bucket, kept in Redis so that it holds across processes."""

    def __init__(self, redis: Any, clock: Clock, rate_per_s: float, burst: int, prefix: str) -> None:
        self.redis = redis
        self.clock = clock
        self.rate = rate_per_s
        self.burst = burst
        self.prefix = prefix + ":bucket:"
        self.ttl = max(5, math.ceil(burst / max(rate_per_s, 0.001)) + 5)
        self._script = redis.register_script(_TAKE)

    async def take(self, key: str) -> bool:
        now = self.clock.now().timestamp()
        ok = await self._script(keys=[self.prefix + key], args=[self.rate, self.burst, now, self.ttl])
        return bool(int(ok))


class FailoverTokenBucket:
    """The Redis bucket, or — while Redis is away — this process's own bucket of the same size
    (each process then limits the people it serves)."""

    def __init__(self, shared: TokenBucket, local: TokenBucket, health: RedisHealth) -> None:
        self.shared = shared
        self.local = local
        self.health = health

    async def take(self, key: str) -> bool:
        try:
            allowed = await self.shared.take(key)
        except REDIS_ERRORS as error:
            self.health.failed(error)
            return await self.local.take(key)
        self.health.ok()
        return allowed


def shared_bucket(
    redis: Any, health: RedisHealth | None, clock: Clock, rate_per_s: float, burst: int, prefix: str
) -> TokenBucket:
    """A bucket shared through Redis (falling back to memory while it is away), or in memory."""
    local = MemoryTokenBucket(clock, rate_per_s, burst)
    if redis is None:
        return local
    shared = RedisTokenBucket(redis, clock, rate_per_s, burst, prefix)
    return FailoverTokenBucket(shared, local, health or RedisHealth(redis))


def make_bucket(
    redis: Any, clock: Clock, rate_per_s: float, burst: int, prefix: str, health: RedisHealth | None = None
) -> TokenBucket:
    """A token bucket in Redis (shared by every process, falling back to memory while Redis is
    away) when there is one, else in memory."""
    return shared_bucket(redis, health, clock, rate_per_s, burst, prefix)


class PersonLimit:
    """One limit kept twice: on the person, and on the address they act from, so that a fresh
    identity from the same address resets nothing. Loopback and unknown addresses, and staff,
    are never limited by address (``address_applies``)."""

    def __init__(self, person: TokenBucket, address: TokenBucket) -> None:
        self.person = person
        self.address = address

    @classmethod
    def build(
        cls,
        redis: Any,
        clock: Clock,
        rate_per_s: float,
        burst: int,
        prefix: str,
        address_factor: float = 1.0,
        health: RedisHealth | None = None,
    ) -> PersonLimit:
        factor = max(address_factor, 0.01)
        address_burst = max(1, round(burst * factor))
        return cls(
            make_bucket(redis, clock, rate_per_s, burst, prefix, health),
            make_bucket(redis, clock, rate_per_s * factor, address_burst, prefix + ":addr", health),
        )

    async def take(self, actor: Actor) -> bool:
        if not await self.person.take(actor.key):
            return False
        if address_applies(actor) and actor.address:
            return await self.address.take(actor.address)
        return True

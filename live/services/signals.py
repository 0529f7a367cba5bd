"""Signals between the processes of one deployment (e.g. "disconnect this banned person").

Handlers run in this process at once; with Redis, the signal is also published so that every
other process runs its handlers too."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from live.services.redis_health import REDIS_ERRORS, RedisHealth

log = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any]], Awaitable[None]]


class Signals:
    def __init__(
        self, redis: Any = None, channel: str = "rt:signals", *, health: RedisHealth | None = None
    ) -> None:
        self.redis = redis
        self.health = health or RedisHealth(redis)
        self.channel = channel
        self.origin = uuid.uuid4().hex
        self._handlers: dict[str, list[Handler]] = defaultdict(list)

    def on(self, kind: str, handler: Handler) -> None:
        self._handlers[kind].append(handler)

    async def publish(self, kind: str, payload: dict[str, Any]) -> None:
        await self._dispatch(kind, payload)
        if self.redis is not None:
            message = json.dumps({"origin": self.origin, "kind": kind, "payload": payload})
            try:
                await self.redis.publish(self.channel, message)
            except REDIS_ERRORS as error:  # this process has acted; the others miss this one
                self.health.failed(error)

    async def _dispatch(self, kind: str, payload: dict[str, Any]) -> None:
        for handler in list(self._handlers.get(kind, ())):
            try:
                await handler(payload)
            except Exception:
                log.exception("signal handler failed for %s", kind)

    async def listen(self, ready: asyncio.Event | None = None, retry_s: float = 1.0) -> None:
        """Run the handlers of signals published by other processes (a background task). When
        Redis goes away, subscribe again as soon as it is back."""
        if self.redis is None:
            return
        while True:
            try:
                await self._listen_once(ready)
            except REDIS_ERRORS as error:
                self.health.failed(error)
                await asyncio.sleep(retry_s)

    async def _listen_once(self, ready: asyncio.Event | None) -> None:
        pubsub = self.redis.pubsub()
        try:
            await pubsub.subscribe(self.channel)
            self.health.ok()
            if ready is not None:
                ready.set()
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if message is None:
                    continue
                try:
                    data = json.loads(message["data"])
                except (ValueError, TypeError):
                    continue
                if isinstance(data, dict) and data.get("origin") != self.origin:
                    await self._dispatch(str(data.get("kind")), dict(data.get("payload") or {}))
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()

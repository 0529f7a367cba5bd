"""The room's Redis backends inside one process: presence with heartbeats, shared token buckets."""

from __future__ import annotations

import os
import uuid
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from live.clock import FakeClock
from live.keys import SERVICES
from live.settings import Settings
from tests.realtime.conftest import Connect, Room, open_peer

pytestmark = pytest.mark.redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Presence and rate limits in Redis, under a prefix of this test's own."""
    return replace(settings, redis_url=REDIS_URL, redis_prefix=f"rt-test-{uuid.uuid4().hex[:10]}")


async def test_redis_presence_and_limits_in_one_process(
    client: TestClient[Any, Any], connect: Connect, room: Room, clock: FakeClock
) -> None:
    services = client.app[SERVICES]
    assert services.presence.redis is not None
    tab1 = await connect(name="王阿姨", guest="guest-alice-1")
    tab2 = await connect(name="王阿姨", guest="guest-alice-1")
    await tab1.call("join", {"session": room.id})
    assert (await tab2.call("join", {"session": room.id}))["viewers"] == {
        "current": 1,
        "peak": 1,
        "unique": 1,
    }
    errors = [(await tab1.chat(room.id, f"第{i}条")).get("error") for i in range(25)]
    assert "rate_limited" in errors and errors[0] is None
    clock.advance(20)  # the bucket refills with time
    assert (await tab2.chat(room.id, "过了一会儿"))["ok"]
    clock.advance(services.settings.presence_ttl_s + 1)
    assert await services.presence.current(int(room.id)) == 0  # no heartbeat within the TTL
    await services.presence.heartbeat()
    assert await services.presence.current(int(room.id)) == 1


async def test_a_redis_outage_is_logged_once_not_every_retry(caplog: pytest.LogCaptureFixture) -> None:
    """The fan-out's listener retries every couple of seconds while Redis is away; the log says
    so once (then again a minute on), not at every retry."""
    import asyncio
    import logging
    import socket

    from live.realtime.manager import FastRedisManager

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    manager = FastRedisManager(f"redis://127.0.0.1:{port}/0", channel="rt-test-outage", write_only=True)
    manager.MAX_RETRY_S = 0.01
    retries = 0

    def counting(record: logging.LogRecord) -> bool:
        nonlocal retries
        retries += record.getMessage().startswith("cannot receive from Redis")
        return True

    logger = logging.getLogger("live.realtime.manager")
    logger.addFilter(counting)
    caplog.set_level(logging.DEBUG, logger="live.realtime.manager")
    listening = manager._redis_listen_with_retries()
    try:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(listening.__anext__(), 1.0)
    finally:
        logger.removeFilter(counting)
        await listening.aclose()
    assert retries >= 5  # it kept trying
    errors = [r for r in caplog.records if r.name == "live.realtime.manager" and r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]


@pytest.mark.parametrize("fanout", ["fast", "stock"])
async def test_no_redis_listener_outlives_its_application(
    aiohttp_client: Any, settings: Settings, fanout: str
) -> None:
    """python-socketio starts the pub/sub listener and never stops it; the application's cleanup
    does, or a finished application goes on subscribing to its Redis for the rest of the process
    (a clean clone's run logged a fault test's Redis as down for 17 minutes after that test)."""
    import asyncio

    from live.app import create_app

    def listeners() -> list[asyncio.Task[Any]]:
        return [t for t in asyncio.all_tasks() if "PubSubManager._thread" in t.get_coro().__qualname__]

    before = set(listeners())
    client: TestClient[Any, Any] = await aiohttp_client(create_app(replace(settings, fanout=fanout)))
    peer = await open_peer(str(client.make_url("")).rstrip("/"), guest="guest-alice-1")
    started = [t for t in listeners() if t not in before]
    assert len(started) == 1  # the listener runs from the first connection on
    await peer.sio.disconnect()
    await client.close()
    assert started[0].done()
    assert [t for t in listeners() if t not in before] == []

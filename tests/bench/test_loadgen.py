"""The load generator counts correctly, against every server the benchmark runs (no timing asserts)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
import socketio
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from tests.conftest import World, login
from tests.waiting import eventually


def assert_clean(result: dict[str, Any], clients: int) -> None:
    assert result["connected"] == clients and result["joined"] == clients, result
    assert result["acked"] == result["sent"] > 0, result
    assert result["ack_errors"] == {} and result["unacked"] == 0, result
    assert result["expected_deliveries"] == result["acked"] * clients, result
    assert result["delivered"] == result["expected_deliveries"], result
    assert result["lost"] == 0 and result["duplicates"] == 0 and result["out_of_order"] == 0, result
    assert result["shape_errors"] == 0, result["first_shape_error"]
    assert result["latency_ms"]["p50"] is not None


async def test_loadgen_against_the_node_reference(bench_server: Any, loadgen: Any) -> None:
    url = bench_server("node")
    result = await loadgen(url, "s1", clients=30, rate=20, duration=2)
    assert_clean(result, 30)


async def test_loadgen_against_vanilla_and_fast_python_socketio(bench_server: Any, loadgen: Any) -> None:
    for manager in ("vanilla", "fast"):
        url = bench_server("python", "--manager", manager, "--no-uvloop")
        result = await loadgen(url, "s1", clients=30, rate=40, duration=2)
        assert_clean(result, 30)


@pytest.mark.redis
async def test_fast_path_across_two_processes_through_redis(bench_server: Any, loadgen: Any) -> None:
    """Clients split over two server processes sharing rooms through Redis all get everything."""
    channel = f"bench-test-{uuid.uuid4().hex}"
    common = ("--manager", "fast", "--redis", "redis://127.0.0.1:6379/0", "--channel", channel)
    a, b = bench_server("python", *common), bench_server("python", *common)
    # python-socketio subscribes on a server's first connection: connect once to each, then wait
    # until both subscriptions are in, so no published message can precede a listener.
    for url in (a, b):
        probe = socketio.AsyncClient(reconnection=False)
        await probe.connect(url, transports=["websocket"], wait_timeout=10)
        await probe.disconnect()
    redis = Redis.from_url("redis://127.0.0.1:6379/0")
    try:

        async def both_subscribed() -> bool:
            return dict(await redis.pubsub_numsub(channel)).get(channel.encode(), 0) >= 2

        await eventually(both_subscribed, 20, what="both pub/sub listeners")
    finally:
        await redis.aclose()
    result = await loadgen(f"{a},{b}", "s1", clients=40, rate=30, duration=2)
    assert_clean(result, 40)


async def test_loadgen_against_roundtable(client: TestClient[Any, Any], world: World, loadgen: Any) -> None:
    """The real handlers with persistence, through the fast path: nothing lost, every ack committed."""
    csrf = await login(client, "host-a")
    created = await client.post(
        "/api/sessions", json={"community": "hexie", "title": "压测"}, headers={"X-CSRF-Token": csrf}
    )
    assert created.status == 201, await created.text()
    session = (await created.json())["id"]
    assert (await client.post(f"/api/sessions/{session}/start", headers={"X-CSRF-Token": csrf})).status == 200
    url = str(client.make_url("")).rstrip("/")
    result = await loadgen(url, session, clients=25, rate=10, duration=2)
    assert_clean(result, 25)
    stored = await (await client.get(f"/api/sessions/{session}/messages", params={"limit": "1000"})).json()
    assert len(stored) == result["acked"]


async def test_a_socketio_client_reads_coalesced_lists(client: TestClient[Any, Any], world: World) -> None:
    """Messages posted back to back may arrive as one list; a stock client sees them all in order."""
    csrf = await login(client, "host-a")
    created = await client.post(
        "/api/sessions", json={"community": "hexie", "title": "合并"}, headers={"X-CSRF-Token": csrf}
    )
    session = (await created.json())["id"]
    await client.post(f"/api/sessions/{session}/start", headers={"X-CSRF-Token": csrf})
    url = str(client.make_url("")).rstrip("/")
    received: list[dict[str, Any]] = []
    done = asyncio.Event()
    listener = socketio.AsyncClient(reconnection=False)

    async def on_chat(data: Any) -> None:
        received.extend(data if isinstance(data, list) else [data])
        if len(received) >= 20:
            done.set()

    listener.on("chat", on_chat)
    senders = [socketio.AsyncClient(reconnection=False) for _ in range(4)]
    try:
        for i, sio in enumerate([listener, *senders]):
            await sio.connect(url, auth={"name": f"居民{i}"}, transports=["websocket"], wait_timeout=10)
            assert (await sio.call("join", {"session": session}, timeout=10))["ok"]

        async def send(sio: socketio.AsyncClient, who: int) -> None:
            for n in range(5):
                ack = await sio.call(
                    "chat", {"session": session, "text": f"{who}-{n}", "nonce": f"{who}.{n}"}
                )
                assert ack["ok"], ack

        await asyncio.gather(*(send(s, i) for i, s in enumerate(senders)))
        await asyncio.wait_for(done.wait(), 15)
        assert len(received) == 20 and len({m["id"] for m in received}) == 20
        for who in range(4):
            mine = [m["text"] for m in received if m["nonce"].startswith(f"{who}.")]
            assert mine == [f"{who}-{n}" for n in range(5)]
    finally:
        for sio in [listener, *senders]:
            await sio.disconnect()

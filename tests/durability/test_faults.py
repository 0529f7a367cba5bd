"""Faults under load, on servers of the test's own (never the shared ones): PostgreSQL restarted
while requests pour in — each answered 2xx or a clear 503, nothing half-written, the pool
recovering by itself — and Redis gone — each process keeps serving its own clients, says so in
/healthz and the logs, and catches up when Redis is back."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from live.app import create_app
from live.keys import SERVICES
from live.settings import Settings
from live.storage.agenda import AgendaEvent, AgendaItem
from live.storage.db import Database
from tests.conftest import PASSWORD, login
from tests.durability.own_services import OwnPostgres, OwnRedis, own_postgres, own_redis  # noqa: F401
from tests.realtime.conftest import Peer, open_peer
from tests.waiting import eventually, within

pytestmark = [pytest.mark.slow]


async def fresh_database(server: OwnPostgres, name: str) -> str:
    async def connect() -> Any:
        try:
            return await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{server.port}/postgres")
        except (OSError, asyncpg.PostgresError):
            return None

    conn = await eventually(connect, 30, what="our own PostgreSQL")
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return f"postgresql+asyncpg://postgres@127.0.0.1:{server.port}/{name}"


async def test_postgres_restart_under_load(
    aiohttp_client: Any,
    own_postgres: OwnPostgres,  # noqa: F811
    tmp_path: Path,
) -> None:
    url = await fresh_database(own_postgres, "rt_fault")
    client: TestClient[Any, Any] = await aiohttp_client(
        create_app(Settings(database_url=url, data_dir=tmp_path / "data", secret="fault-secret"))
    )
    services = client.app[SERVICES]
    await services.places.add_community("hexie", "和谐社区")
    await services.accounts.create_user("host-a", PASSWORD, "host", "hexie", "和谐书记")
    csrf = await login(client, "host-a")

    acked: list[str] = []
    statuses: Counter[int] = Counter()
    unexpected: list[tuple[int, str]] = []
    running = True

    async def worker(n: int) -> None:
        i = 0
        while running:
            title = f"议题{n}-{i}"
            i += 1
            try:
                response = await client.post(
                    "/api/agenda", json={"community": "hexie", "title": title}, headers={"X-CSRF-Token": csrf}
                )
                body = await response.json()
            except Exception as exc:  # the test server itself must never fail
                unexpected.append((0, repr(exc)))
                continue
            statuses[response.status] += 1
            if response.status == 201:
                acked.append(title)
            elif response.status != 503 or body.get("error") != "unavailable":
                unexpected.append((response.status, str(body)))

    workers = [asyncio.create_task(worker(n)) for n in range(6)]
    try:
        await eventually(lambda: len(acked) >= 20, 60, what="acknowledged writes before the restart")
        await asyncio.to_thread(own_postgres.stop)  # sessions cut mid-query, then refused
        await eventually(lambda: statuses[503] >= 5, 60, what="503s while the database is down")
        await asyncio.to_thread(own_postgres.start)
        before = len(acked)
        await eventually(lambda: len(acked) >= before + 20, 60, what="the pool to recover")
    finally:
        running = False
        await within(asyncio.gather(*workers), 60, "the workers to finish")

    assert unexpected == [], unexpected[:5]
    assert statuses[503] >= 5 and statuses[201] >= 40
    db = Database.from_url(url)
    try:
        async with db.read() as s:
            stored = set((await s.execute(select(AgendaItem.title))).scalars())
            without_event = await s.scalar(
                select(func.count(AgendaItem.id)).where(
                    ~select(AgendaEvent.id).where(AgendaEvent.item_id == AgendaItem.id).exists()
                )
            )
    finally:
        await db.close()
    assert set(acked) <= stored  # every acknowledged write is there
    assert without_event == 0  # and nothing half-written: each item has its creation event
    logging.getLogger(__name__).info("restart: %s", dict(statuses))


async def test_redis_gone_each_process_serves_its_own_and_catches_up(
    aiohttp_client: Any,
    own_redis: OwnRedis,  # noqa: F811
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from redis.asyncio import Redis

    probe = Redis.from_url(own_redis.url)

    async def answers() -> bool:
        try:
            return bool(await probe.ping())
        except Exception:
            return False

    await eventually(answers, 20, what="our own Redis")
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'live.db'}",
        data_dir=tmp_path / "data",
        secret="fault-secret",
        redis_url=own_redis.url,
        redis_prefix="rt-fault",
        presence_ttl_s=3.0,
    )
    client: TestClient[Any, Any] = await aiohttp_client(create_app(settings))
    services = client.app[SERVICES]
    await services.places.add_community("hexie", "和谐社区")
    await services.accounts.create_user("host-a", PASSWORD, "host", "hexie", "和谐书记")
    csrf = await login(client, "host-a")
    made = await client.post(
        "/api/sessions", json={"community": "hexie", "title": "停电演练"}, headers={"X-CSRF-Token": csrf}
    )
    session = (await made.json())["id"]
    assert (await client.post(f"/api/sessions/{session}/start", headers={"X-CSRF-Token": csrf})).status == 200
    url = str(client.make_url("")).rstrip("/")
    peers: list[Peer] = []

    async def joined(name: str, token: str) -> Peer:
        peer = await open_peer(url, name=name, guest=token)
        peers.append(peer)
        ack = await peer.call("join", {"session": session})
        assert ack["ok"], ack
        return peer

    async def health() -> dict[str, Any]:
        return dict(await (await client.get("/healthz")).json())

    try:
        alice = await joined("王阿姨", "guest-alice-1")
        bob = await joined("李叔", "guest-bob-01")
        assert await health() == {"ok": True, "redis": True, "degraded": False}
        sent = (await alice.chat(session, "停电前"))["message"]
        await bob.wait_for("chat", lambda m: m["id"] == sent["id"])

        caplog.set_level(logging.WARNING, logger="live.redis")
        own_redis.stop()
        await eventually(lambda: health_is(health, degraded=True), 15, what="/healthz to say degraded")
        assert any("Redis unavailable" in r.getMessage() for r in caplog.records)

        # this process keeps serving its own clients: chat both ways, a newcomer joins and counts
        during = await alice.chat(session, "Redis 不在的时候")
        assert during["ok"], during
        await bob.wait_for("chat", lambda m: m["id"] == during["message"]["id"])
        carol = await joined("赵大爷", "guest-zhao-1")
        assert (await carol.call("join", {"session": session}))["viewers"]["current"] == 3
        reply = await carol.chat(session, "我也来了")
        await alice.wait_for("chat", lambda m: m["id"] == reply["message"]["id"])

        own_redis.start()  # the same port: Redis is back, empty
        await eventually(lambda: health_is(health, degraded=False), 20, what="/healthz to say Redis is back")
        assert any("Redis is back" in r.getMessage() for r in caplog.records)

        # and it catches up: the heartbeat announces this process's three viewers to Redis again
        async def shared_count() -> bool:
            try:
                return bool(await probe.zcard(f"rt-fault:presence:s:{session}") == 3)
            except Exception:
                return False

        await eventually(shared_count, 20, what="presence back in Redis")
        assert await services.presence.current(int(session)) == 3
        after = await bob.chat(session, "恢复了")
        await carol.wait_for("chat", lambda m: m["id"] == after["message"]["id"])
    finally:
        for peer in peers:
            if peer.sio.connected:
                await peer.sio.disconnect()
        await probe.aclose()


async def health_is(health: Any, *, degraded: bool) -> bool:
    body = await health()
    return body.get("ok") is True and body.get("degraded") is degraded and body.get("redis") is not degraded

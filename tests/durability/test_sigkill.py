"""Anything acknowledged is durable: a burst of chat, opinions, supports and agenda changes from
many clients, the server SIGKILLed in the middle of it, restarted on the same database — and
every acknowledged item is there (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
import socketio
from sqlalchemy import func, select

from live.clock import SystemClock
from live.events import EventBus
from live.services.accounts import Accounts
from live.services.places import Places
from live.services.throttle import MemoryFailureCounter
from live.storage.agenda import AgendaEvent, AgendaItem
from live.storage.chat import Message
from live.storage.db import Database
from live.storage.opinions import Opinion, OpinionSupport
from tests.conftest import PASSWORD
from tests.durability.server import ServerProcess
from tests.waiting import within

pytestmark = [pytest.mark.slow]

CHATTERS = 10
AUTHORS = 5
SUPPORTERS = 8
WS = ["websocket"]
# the server is killed once at least this much has been acknowledged (and more is in flight)
KILL_AFTER = {"chat": 150, "opinion": 15, "support": 12, "agenda": 6}


@dataclass
class Acked:
    """What the server acknowledged before it died."""

    chat: dict[int, str] = field(default_factory=dict)
    opinion: dict[int, str] = field(default_factory=dict)
    support: Counter[int] = field(default_factory=Counter)
    agenda: list[str] = field(default_factory=list)  # outcomes, in the order they were acked
    agenda_sent: list[str] = field(default_factory=list)
    refused: Counter[int] = field(default_factory=Counter)  # support answers other than 200, by status
    enough: asyncio.Event = field(default_factory=asyncio.Event)

    def counts(self) -> dict[str, int]:
        return {
            "chat": len(self.chat),
            "opinion": len(self.opinion),
            "support": sum(self.support.values()),
            "agenda": len(self.agenda),
        }

    def check(self) -> None:
        counts = self.counts()
        if all(counts[k] >= n for k, n in KILL_AFTER.items()):
            self.enough.set()


async def seed(db_url: str) -> None:
    db = Database.from_url(db_url)
    try:
        clock = SystemClock()
        await Places(db).add_community("hexie", "和谐社区")
        accounts = Accounts(db, clock, MemoryFailureCounter(clock), EventBus())
        await accounts.create_user("host-a", PASSWORD, "host", "hexie", "和谐书记")
    finally:
        await db.close()


@pytest.fixture
async def server(db_url: str, tmp_path: Path) -> AsyncIterator[ServerProcess]:
    await seed(db_url)
    process = ServerProcess(
        {
            "DATABASE_URL": db_url,
            "LIVE_SECRET": "durability-secret",
            "LIVE_DATA_DIR": str(tmp_path / "data"),
            "LIVE_CHAT_RATE": "1000",
            "LIVE_CHAT_BURST": "1000",
            "REDIS_URL": "",
        },
        tmp_path / "server.log",
    )
    await process.start()
    yield process
    process.stop()


async def signed_in(url: str) -> tuple[aiohttp.ClientSession, str]:
    http = aiohttp.ClientSession(base_url=url, cookie_jar=aiohttp.CookieJar(unsafe=True))
    csrf = (await (await http.get("/api/me")).json())["csrf"]
    response = await http.post(
        "/api/auth/login", json={"username": "host-a", "password": PASSWORD}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status == 200, await response.text()
    return http, str((await response.json())["csrf"])


async def guest(url: str) -> tuple[aiohttp.ClientSession, str]:
    http = aiohttp.ClientSession(base_url=url, cookie_jar=aiohttp.CookieJar(unsafe=True))
    await http.get("/")  # a browser's first visit gets a guest cookie
    return http, str((await (await http.get("/api/me")).json())["csrf"])


async def test_every_acknowledged_item_survives_sigkill(server: ServerProcess, db_url: str) -> None:
    host, csrf = await signed_in(server.url)
    sockets: list[socketio.AsyncClient] = []
    sessions = [host]
    try:
        made = await host.post(
            "/api/sessions", json={"community": "hexie", "title": "断电演练"}, headers={"X-CSRF-Token": csrf}
        )
        assert made.status == 201, await made.text()
        session = (await made.json())["id"]
        started = await host.post(f"/api/sessions/{session}/start", headers={"X-CSRF-Token": csrf})
        assert started.status == 200
        item = await host.post(
            "/api/agenda", json={"community": "hexie", "title": "楼道照明"}, headers={"X-CSRF-Token": csrf}
        )
        assert item.status == 201, await item.text()
        item_id = (await item.json())["id"]

        acked = Acked()
        seed_opinions: list[int] = []
        for n in range(3):  # opinions to support from the start
            response = await host.post(
                "/api/opinions",
                json={"community": "hexie", "text": f"路灯坏了第{n}处，晚上很黑"},
                headers={"X-CSRF-Token": csrf},
            )
            assert response.status == 201
            seed_opinions.append(int((await response.json())["id"]))

        async def chatter(n: int) -> None:
            sio = socketio.AsyncClient(reconnection=False)
            sockets.append(sio)
            await sio.connect(server.url, auth={"name": f"居民{n}"}, transports=WS, wait_timeout=20)
            assert (await sio.call("join", {"session": session}, timeout=20))["ok"]
            i = 0
            while True:
                text = f"第{n}号居民的第{i}条消息"
                ack = await sio.call(
                    "chat", {"session": session, "text": text, "nonce": uuid.uuid4().hex}, timeout=20
                )
                if ack.get("ok"):
                    acked.chat[int(ack["message"]["id"])] = text
                    acked.check()
                i += 1

        async def author(n: int) -> None:
            sio = socketio.AsyncClient(reconnection=False)
            sockets.append(sio)
            await sio.connect(server.url, auth={"name": f"提议人{n}"}, transports=WS, wait_timeout=20)
            assert (await sio.call("join", {"session": session}, timeout=20))["ok"]
            for i in range(9):  # within one person's burst of opinions
                text = f"提议人{n}：第{i}个问题，垃圾清运不及时"
                ack = await sio.call("opinion", {"session": session, "text": text}, timeout=20)
                if ack.get("ok"):
                    acked.opinion[int(ack["opinion"]["id"])] = text
                    acked.check()
            await asyncio.Event().wait()  # done; wait to be cancelled

        async def supporter(n: int) -> None:
            http, token = await guest(server.url)
            sessions.append(http)
            targets = seed_opinions + [o for o in list(acked.opinion) if o % SUPPORTERS == n]
            for opinion_id in targets:
                while True:
                    response = await http.post(
                        f"/api/opinions/{opinion_id}/support", headers={"X-CSRF-Token": token}
                    )
                    if response.status == 200:
                        acked.support[opinion_id] += 1
                        acked.check()
                        break
                    acked.refused[response.status] += 1
                    # 503 (the database is busy) is a refusal to retry; anything else is a bug
                    assert response.status == 503, (response.status, await response.text())
            await asyncio.Event().wait()

        async def agenda() -> None:
            i = 0
            while True:
                outcome = f"第{i}次更新：已联系物业更换灯泡"
                acked.agenda_sent.append(outcome)
                response = await host.patch(
                    f"/api/agenda/{item_id}", json={"outcome": outcome}, headers={"X-CSRF-Token": csrf}
                )
                if response.status == 200:
                    acked.agenda.append(outcome)
                    acked.check()
                i += 1

        tasks = [
            *(asyncio.create_task(chatter(n)) for n in range(CHATTERS)),
            *(asyncio.create_task(author(n)) for n in range(AUTHORS)),
            *(asyncio.create_task(supporter(n)) for n in range(SUPPORTERS)),
            asyncio.create_task(agenda()),
        ]
        try:
            try:
                await within(acked.enough.wait(), 120, "the burst")
            except AssertionError:
                # say which kind fell short, and why a client stopped (its task's exception)
                stopped = [t for t in tasks if t.done() and not t.cancelled()]
                died = [repr(t.exception()) for t in stopped if t.exception() is not None]
                raise AssertionError(
                    f"the burst did not reach {KILL_AFTER} within 120 s: acknowledged {acked.counts()};"
                    f" supports refused, by status: {dict(acked.refused)}; clients that stopped: {died[:5]}"
                ) from None
            server.kill()  # mid-burst: every client still has a request in flight
            assert set(acked.refused) <= {503}, f"supports refused, by status: {dict(acked.refused)}"
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        snapshot = (dict(acked.chat), dict(acked.opinion), Counter(acked.support), list(acked.agenda))
        sent_outcomes = list(acked.agenda_sent)
    finally:
        for sio in sockets:
            with contextlib.suppress(Exception):
                await sio.disconnect()
        for http in sessions:
            await http.close()

    await server.start()  # the same database, a new process
    chat, opinions, supports, outcomes = snapshot
    db = Database.from_url(db_url)
    try:
        async with db.read() as s:
            stored_chat = dict((await s.execute(select(Message.id, Message.text))).all())
            stored_opinions = dict((await s.execute(select(Opinion.id, Opinion.text))).all())
            support_rows = Counter(
                dict(
                    (
                        await s.execute(
                            select(OpinionSupport.opinion_id, func.count(OpinionSupport.id)).group_by(
                                OpinionSupport.opinion_id
                            )
                        )
                    ).all()
                )
            )
            supporters = dict((await s.execute(select(Opinion.id, Opinion.supporters))).all())
            outcome = await s.scalar(select(AgendaItem.outcome).where(AgendaItem.id == int(item_id)))
            changes = await s.scalar(
                select(func.count(AgendaEvent.id)).where(AgendaEvent.item_id == int(item_id))
            )
    finally:
        await db.close()

    assert len(chat) >= KILL_AFTER["chat"]
    lost = {i: t for i, t in chat.items() if stored_chat.get(i) != t}
    assert lost == {}, f"{len(lost)} acknowledged chat messages lost"
    assert {i: t for i, t in opinions.items() if stored_opinions.get(i) != t} == {}
    for opinion_id, count in supports.items():
        # the author's own support, plus every acknowledged "me too"
        assert support_rows[opinion_id] >= 1 + count, opinion_id
    # nothing half-written: each opinion's count is exactly its rows
    assert all(supporters[o] == support_rows[o] for o in stored_opinions), "a count disagrees with its rows"
    # the last acknowledged change is there (or the one in flight after it, which may have committed)
    last = outcomes[-1]
    assert outcome in sent_outcomes[sent_outcomes.index(last) :], (outcome, last)
    assert (changes or 0) >= len(outcomes)
    async with aiohttp.ClientSession() as http:  # and the restarted server serves them
        messages = await (await http.get(f"{server.url}/api/sessions/{session}/messages?limit=1000")).json()
        assert {int(m["id"]) for m in messages} & set(chat)

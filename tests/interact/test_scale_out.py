"""Polls and the question queue on two real server processes sharing PostgreSQL and Redis:
``poll`` reaches viewers on both, at most once a second while votes pour in on both, and the last
update shows every vote; questions reach staff on one process and the room on the other."""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

import aiohttp

from live.clock import SystemClock
from live.events import EventBus
from live.services.accounts import Accounts
from live.services.throttle import MemoryFailureCounter
from live.storage.db import Database
from tests.conftest import PASSWORD
from tests.realtime.conftest import Peer, fanout, open_peer  # noqa: F401
from tests.realtime.test_scale_out import Server, live_session, pg_url, servers  # noqa: F401

VOTERS = 24


async def guest(url: str) -> tuple[aiohttp.ClientSession, str]:
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    csrf = (await (await http.get(url + "/api/me")).json())["csrf"]
    return http, csrf


async def test_polls_and_questions_across_two_processes(servers: list[Server]) -> None:  # noqa: F811
    a, b = servers
    session_id, host_cookie = (await live_session(a.url)).split("|")
    peers: list[Peer] = []
    opened: list[aiohttp.ClientSession] = []

    async def join(url: str, **kw: Any) -> Peer:
        peer = await open_peer(url, **kw)
        peers.append(peer)
        assert (await peer.call("join", {"session": session_id}))["ok"]
        return peer

    try:
        host_socket = await join(a.url, name=None, headers={"Cookie": host_cookie})
        viewer_a = await join(a.url, name="王阿姨")
        viewer_b = await join(b.url, name="李叔")
        host = aiohttp.ClientSession(headers={"Cookie": host_cookie})
        opened.append(host)
        csrf = (await (await host.get(a.url + "/api/me")).json())["csrf"]

        created = await host.post(
            f"{a.url}/api/sessions/{session_id}/polls",
            json={"question": "加装电梯您同意吗？", "options": ["同意", "不同意"]},
            headers={"X-CSRF-Token": csrf},
        )
        assert created.status == 201
        poll = await created.json()
        for viewer in (viewer_a, viewer_b):
            shown = await viewer.wait_for("poll", lambda p: p["id"] == poll["id"])
            assert shown["open"] is True and shown["question"] == "加装电梯您同意吗？"
        agree, disagree = (o["id"] for o in poll["options"])

        # votes pour in on both processes at once
        loop = asyncio.get_running_loop()
        before = len(viewer_b.received("poll"))
        started = loop.time()

        async def vote(i: int) -> None:
            url = (a, b)[i % 2].url
            http, token = await guest(url)
            opened.append(http)
            answer = await http.post(
                f"{url}/api/polls/{poll['id']}/vote",
                json={"options": [agree if i % 3 else disagree]},
                headers={"X-CSRF-Token": token},
            )
            assert answer.status == 200, await answer.text()

        await asyncio.gather(*(vote(i) for i in range(VOTERS)))
        expected = [sum(1 for i in range(VOTERS) if i % 3), sum(1 for i in range(VOTERS) if not i % 3)]
        for viewer in (viewer_a, viewer_b):
            final = await viewer.wait_for(
                "poll", lambda p: [o["votes"] for o in p["options"]] == expected, within=15
            )
            assert final["voters"] == VOTERS
        elapsed = loop.time() - started
        updates = len(viewer_b.received("poll")) - before
        print(f"poll: {VOTERS} votes on two processes, {updates} updates in {elapsed:.2f} s")
        # at most one update per second (the interval is shared by both processes), plus the
        # trailing one that shows the last votes
        assert 1 <= updates <= math.ceil(elapsed) + 1, (updates, elapsed)

        # the question queue: a resident on B asks; only staff (on A) see it while pending
        asker, token = await guest(b.url)
        opened.append(asker)
        asked = await asker.post(
            f"{b.url}/api/sessions/{session_id}/questions",
            json={"text": "电梯费用怎么分摊？"},
            headers={"X-CSRF-Token": token},
        )
        question = await asked.json()
        pending = await host_socket.wait_for("question", lambda q: q["id"] == question["id"])
        assert pending["status"] == "pending"
        approved = await host.patch(
            f"{a.url}/api/questions/{question['id']}",
            json={"status": "approved"},
            headers={"X-CSRF-Token": csrf},
        )
        assert approved.status == 200
        seen = await viewer_b.wait_for("question", lambda q: q["id"] == question["id"])
        assert seen["status"] == "approved" and seen["text"] == "电梯费用怎么分摊？"
        assert not [q for q in viewer_a.received("question") if q.get("status") == "pending"]
        upvoter, token = await guest(b.url)
        opened.append(upvoter)
        await upvoter.post(f"{b.url}/api/questions/{question['id']}/upvote", headers={"X-CSRF-Token": token})
        await viewer_a.wait_for("question", lambda q: q["id"] == question["id"] and q["votes"] == 1)
        await host.patch(
            f"{a.url}/api/questions/{question['id']}",
            json={"status": "answering"},
            headers={"X-CSRF-Token": csrf},
        )
        await viewer_b.wait_for(
            "question", lambda q: q["id"] == question["id"] and q["status"] == "answering"
        )
    finally:
        for peer in peers:
            if peer.sio.connected:
                await peer.sio.disconnect()
        for http in opened:
            await http.close()


class Staff:
    """A signed-in account on one server (cookie and CSRF token)."""

    def __init__(self, url: str, http: aiohttp.ClientSession, csrf: str) -> None:
        self.url, self.http, self.csrf = url, http, csrf

    @classmethod
    async def sign_in(cls, url: str, username: str) -> Staff:
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        csrf = (await (await http.get(url + "/api/me")).json())["csrf"]
        signed = await http.post(
            url + "/api/auth/login",
            json={"username": username, "password": PASSWORD},
            headers={"X-CSRF-Token": csrf},
        )
        assert signed.status == 200, await signed.text()
        return cls(url, http, (await signed.json())["csrf"])

    async def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        async with self.http.request(
            method, self.url + path, json=body, headers={"X-CSRF-Token": self.csrf}
        ) as answer:
            text = await answer.text()
            assert answer.status == expect, (method, path, answer.status, text)
            return json.loads(text) if text else None


HOUSEHOLDS = 12


async def test_votes_and_registrations_push_live_across_two_processes(
    servers: list[Server],  # noqa: F811
    pg_url: str,  # noqa: F811
) -> None:
    """Household votes: ``vote`` (turnout; counts of an open ballot) reaches an item page's
    socket on the other process, at most once a second while ballots come in on both, the last
    update showing every ballot; a secret ballot's counts never go out before it closes.
    Meetings: ``meeting`` with its counts reaches the pages watching it when people register,
    cancel (the waiting list moves up) and are checked in, whichever process took the request."""
    a, b = servers
    db = Database.from_url(pg_url)
    try:
        clock = SystemClock()
        accounts = Accounts(db, clock, MemoryFailureCounter(clock), EventBus())
        await accounts.create_user("admin", PASSWORD, "admin", None, "管理员")
        residents = [
            await accounts.create_user(f"r{i}", PASSWORD, "resident", None, f"居民{i}")
            for i in range(HOUSEHOLDS)
        ]
    finally:
        await db.close()
    admin = await Staff.sign_in(a.url, "admin")
    host_a, host_b = await Staff.sign_in(a.url, "host-a"), await Staff.sign_in(b.url, "host-a")
    peers: list[Peer] = []
    try:
        compound = await admin.call(
            "POST", "/api/admin/places", {"kind": "compound", "community": "hexie", "name": "阳光小区"}, 201
        )
        building = await admin.call(
            "POST",
            "/api/admin/places",
            {"kind": "building", "community": "hexie", "name": "3栋", "parent": compound["id"]},
            201,
        )
        unit = await admin.call(
            "POST",
            "/api/admin/places",
            {"kind": "unit", "community": "hexie", "name": "1单元", "parent": building["id"]},
            201,
        )
        households = []
        for i, user in enumerate(residents):
            made = await admin.call(
                "POST",
                "/api/households/verify",
                {"user": str(user.id), "unit": unit["id"], "room": f"{101 + i}"},
            )
            households.append(made["household"]["id"])
        item = await host_a.call(
            "POST", "/api/agenda", {"community": "hexie", "title": "加装电梯", "opinions": []}, 201
        )

        watcher = await open_peer(b.url, name="李叔")  # the item page, on the other process
        peers.append(watcher)
        assert (await watcher.call("watch", {"item": item["id"]}))["ok"]
        assert (await watcher.call("watch", {"item": "999999"}))["ok"] is False
        assert (await watcher.call("watch", {}))["ok"] is False

        vote = await host_a.call(
            "POST",
            f"/api/agenda/{item['id']}/votes",
            {"question": "同意加装电梯吗？", "options": ["同意", "反对"]},
            201,
        )
        opened = await watcher.wait_for("vote", lambda v: v["id"] == vote["id"])
        assert opened["open"] is True and opened["turnout"] == 0 and opened["eligible"] == HOUSEHOLDS
        yes, no = (o["id"] for o in vote["options"])

        loop = asyncio.get_running_loop()
        before = len(watcher.received("vote"))
        started = loop.time()

        async def enter(i: int) -> None:
            staff = (host_a, host_b)[i % 2]
            body = {"household": households[i], "option": yes if i % 3 else no, "channel": "paper"}
            await staff.call(
                "POST", f"/api/votes/{vote['id']}/entries", {**body, "voter_name": f"居民{i}"}, 201
            )

        await asyncio.gather(*(enter(i) for i in range(HOUSEHOLDS)))
        expected = [
            sum(1 for i in range(HOUSEHOLDS) if i % 3),
            sum(1 for i in range(HOUSEHOLDS) if not i % 3),
        ]
        final = await watcher.wait_for(
            "vote", lambda v: v["id"] == vote["id"] and v["turnout"] == HOUSEHOLDS, within=15
        )
        assert [o["votes"] for o in final["options"]] == expected
        assert final["mine"] is None and final["can_vote"] is False
        elapsed = loop.time() - started
        updates = len(watcher.received("vote")) - before
        print(f"vote: {HOUSEHOLDS} ballots on two processes, {updates} updates in {elapsed:.2f} s")
        assert 1 <= updates <= math.ceil(elapsed) + 1, (updates, elapsed)
        await host_b.call("POST", f"/api/votes/{vote['id']}/close")
        closed = await watcher.wait_for("vote", lambda v: v["id"] == vote["id"] and not v["open"])
        assert [o["votes"] for o in closed["options"]] == expected

        # a secret ballot: turnout goes out live, the counts only once it has closed
        secret = await host_a.call(
            "POST",
            f"/api/agenda/{item['id']}/votes",
            {"question": "选哪家施工单位？", "options": ["甲", "乙"], "secret": True},
            201,
        )
        await watcher.wait_for("vote", lambda v: v["id"] == secret["id"])
        first = secret["options"][0]["id"]
        await host_b.call(
            "POST",
            f"/api/votes/{secret['id']}/entries",
            {"household": households[0], "option": first, "channel": "paper", "voter_name": "居民0"},
            201,
        )
        await watcher.wait_for("vote", lambda v: v["id"] == secret["id"] and v["turnout"] == 1)
        await host_a.call("POST", f"/api/votes/{secret['id']}/close")
        await watcher.wait_for("vote", lambda v: v["id"] == secret["id"] and not v["open"])
        for shown in watcher.received("vote"):
            if shown["id"] == secret["id"] and shown["open"]:
                assert all("votes" not in o for o in shown["options"]), shown

        # a meeting of two places: its page (on B) and the door (on A) follow the counts
        meeting = await host_a.call(
            "POST",
            "/api/meetings",
            {
                "community": "hexie",
                "format": "roundtable",
                "title": "电梯议事会",
                "starts_at": "2030-01-01T19:00:00+08:00",
                "place": "活动室",
                "agenda": [item["id"]],
            },
            201,
        )
        await host_a.call("PATCH", f"/api/meetings/{meeting['id']}", {"capacity": 2})
        page = await open_peer(b.url, name="王阿姨")
        door = await open_peer(a.url, name="门口")
        peers.extend([page, door])
        for peer in (page, door):
            assert (await peer.call("watch", {"meeting": meeting["id"]}))["ok"]

        def counts(registered: int, waitlisted: int, attended: int) -> Any:
            return lambda m: (
                m["id"] == meeting["id"]
                and (m["registered"], m["waitlisted"], m["attended"])
                == (
                    registered,
                    waitlisted,
                    attended,
                )
            )

        people = []
        for i, server in enumerate((a, b, a)):
            person, token = await guest(server.url)
            people.append((server.url, person, token))
            answer = await person.post(
                f"{server.url}/api/meetings/{meeting['id']}/registrations",
                json={"name": f"居民{i}"},
                headers={"X-CSRF-Token": token},
            )
            assert answer.status == 201
        registrations = [
            (await (await p.get(f"{u}/api/meetings/{meeting['id']}/registrations")).json())[0]
            for u, p, _ in people
        ]
        for peer in (page, door):
            await peer.wait_for("meeting", counts(2, 1, 0))
        url, first_person, token = people[0]
        cancelled = await first_person.delete(
            f"{url}/api/meetings/{meeting['id']}/registrations/{registrations[0]['id']}",
            headers={"X-CSRF-Token": token},
        )
        assert cancelled.status == 204
        for peer in (page, door):
            await peer.wait_for("meeting", counts(2, 0, 0))  # the waiting list moved up
        await host_b.call(
            "POST", f"/api/meetings/{meeting['id']}/checkin", {"code": registrations[2]["code"]}
        )
        for peer in (page, door):
            await peer.wait_for("meeting", counts(2, 0, 1))
        for _, person, _ in people:
            await person.close()
    finally:
        for peer in peers:
            if peer.sio.connected:
                await peer.sio.disconnect()
        for staff in (admin, host_a, host_b):
            await staff.http.close()

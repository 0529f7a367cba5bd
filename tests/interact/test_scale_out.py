"""Polls and the question queue on two real server processes sharing PostgreSQL and Redis:
``poll`` reaches viewers on both, at most once a second while votes pour in on both, and the last
update shows every vote; questions reach staff on one process and the room on the other."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import aiohttp

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

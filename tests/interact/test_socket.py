"""One process, no Redis: the room's ``poll`` and ``question`` events reach real socket clients."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.interact.conftest import People
from tests.realtime.conftest import Connect, Peer, Room, connect, room, staff  # noqa: F401


async def test_poll_and_question_events_in_one_process(
    client: TestClient[Any, Any],
    connect: Connect,  # noqa: F811
    room: Room,  # noqa: F811
    staff: Peer,  # noqa: F811
    people: People,
) -> None:
    viewer = await connect(name="王阿姨")
    assert (await viewer.call("join", {"session": room.id}))["ok"]
    mod = await people("mod-a")
    status, poll = await mod.call(
        "POST", f"/api/sessions/{room.id}/polls", {"question": "同意吗？", "options": ["同意", "反对"]}
    )
    assert status == 201
    await viewer.wait_for("poll", lambda p: p["id"] == poll["id"] and p["open"])
    first = poll["options"][0]["id"]
    for _ in range(5):
        voter = await people()
        await voter.call("POST", f"/api/polls/{poll['id']}/vote", {"options": [first]})
    await viewer.wait_for("poll", lambda p: p["id"] == poll["id"] and p["options"][0]["votes"] == 5)
    await mod.call("POST", f"/api/polls/{poll['id']}/close")
    await viewer.wait_for("poll", lambda p: p["id"] == poll["id"] and not p["open"])

    asker = await people()
    status, question = await asker.call("POST", f"/api/sessions/{room.id}/questions", {"text": "几点结束？"})
    await staff.wait_for("question", lambda q: q["id"] == question["id"] and q["status"] == "pending")
    status, _ = await mod.call("PATCH", f"/api/questions/{question['id']}", {"status": "rejected"})
    gone = await viewer.wait_for("question", lambda q: q["id"] == question["id"])
    assert gone == {"id": question["id"], "session": room.id, "status": "rejected"}

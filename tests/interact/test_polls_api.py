"""Polls over HTTP on SQLite and PostgreSQL: who may open and close, one ballot per person
(a new vote replaces the old), single and multiple choice, end times, the room's ``poll`` event."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from live.clock import FakeClock
from live.events import PollChanged
from live.keys import SERVICES
from tests.interact.conftest import Live, People
from tests.waiting import eventually


async def open_poll(live: Live, **extra: Any) -> dict[str, Any]:
    body = {"question": "周末停车怎么安排？", "options": ["划线车位", "错峰停车", "维持现状"], **extra}
    status, poll = await live.host.call("POST", f"/api/sessions/{live.id}/polls", body)
    assert status == 201, poll
    return poll  # type: ignore[no-any-return]


async def test_open_vote_replace_close(live: Live, people: People) -> None:
    poll = await open_poll(live)
    assert poll["open"] is True and poll["question"] == "周末停车怎么安排？"
    assert [o["text"] for o in poll["options"]] == ["划线车位", "错峰停车", "维持现状"]
    assert all(o["votes"] == 0 and isinstance(o["id"], str) for o in poll["options"])
    first, second, third = (o["id"] for o in poll["options"])

    alice, bob = await people(), await people()
    status, after = await alice.call("POST", f"/api/polls/{poll['id']}/vote", {"options": [first]})
    assert status == 200 and after["mine"] == [first]
    await bob.call("POST", f"/api/polls/{poll['id']}/vote", {"options": [first]})
    # alice changes her mind: her new vote replaces the old one
    status, after = await alice.call("POST", f"/api/polls/{poll['id']}/vote", {"options": [third]})
    assert [o["votes"] for o in after["options"]] == [1, 0, 1]
    assert after["voters"] == 2
    # and the same vote twice counts once
    await bob.call("POST", f"/api/polls/{poll['id']}/vote", {"options": [first]})
    status, read = await (await people()).call("GET", f"/api/polls/{poll['id']}")
    assert status == 200 and [o["votes"] for o in read["options"]] == [1, 0, 1]

    # single choice: two options are refused; unknown options too
    status, err = await alice.call("POST", f"/api/polls/{poll['id']}/vote", {"options": [first, second]})
    assert status == 400 and err["error"] == "one_option"
    status, err = await alice.call("POST", f"/api/polls/{poll['id']}/vote", {"options": ["999999"]})
    assert status == 400 and err["error"] == "bad_option"

    # residents can't close; the moderator of the community can
    status, err = await alice.call("POST", f"/api/polls/{poll['id']}/close")
    assert status == 401
    mod = await people("mod-a")
    status, closed = await mod.call("POST", f"/api/polls/{poll['id']}/close")
    assert status == 200 and closed["open"] is False
    status, err = await bob.call("POST", f"/api/polls/{poll['id']}/vote", {"options": [second]})
    assert status == 409 and err["error"] == "closed"


async def test_multiple_choice(live: Live, people: People) -> None:
    poll = await open_poll(live, multiple=True)
    ids = [o["id"] for o in poll["options"]]
    voter = await people()
    status, after = await voter.call("POST", f"/api/polls/{poll['id']}/vote", {"options": ids[:2]})
    assert status == 200 and [o["votes"] for o in after["options"]] == [1, 1, 0]
    status, after = await voter.call("POST", f"/api/polls/{poll['id']}/vote", {"options": ids[1:]})
    assert [o["votes"] for o in after["options"]] == [0, 1, 1] and after["voters"] == 1


async def test_who_may_open_and_bad_polls(live: Live, people: People) -> None:
    path = f"/api/sessions/{live.id}/polls"
    good = {"question": "同意吗？", "options": ["同意", "不同意"]}
    status, _ = await (await people()).call("POST", path, good)
    assert status == 401
    status, _ = await (await people("host-b")).call("POST", path, good)
    assert status == 403
    status, _ = await (await people("mod-a")).call("POST", path, good)
    assert status == 201
    for bad, code in [
        ({"question": "只有一个？", "options": ["一"]}, "bad_options"),
        ({"question": "九个？", "options": [str(i) for i in range(9)]}, "bad_options"),
        ({"question": "重复？", "options": ["是", "是"]}, "bad_options"),
        ({"question": "", "options": ["是", "否"]}, "empty"),
        ({"question": "类型", "options": "是,否"}, "bad_options"),
        ({"question": "过去", "options": ["是", "否"], "closes_at": "2000-01-01T00:00:00Z"}, "bad_closes_at"),
        ({"question": "多选", "options": ["是", "否"], "multiple": "yes"}, "invalid"),
    ]:
        status, err = await live.host.call("POST", path, bad)
        assert (status, err["error"]) == (400, code), bad
    status, err = await live.host.call("POST", "/api/sessions/999999/polls", good)
    assert status == 404
    status, err = await live.host.call("POST", "/api/polls/abc/vote", {"options": []})
    assert status == 404


async def test_end_time_closes_the_poll(
    client: TestClient[Any, Any], live: Live, people: People, clock: FakeClock
) -> None:
    closes = (clock.now() + timedelta(minutes=5)).isoformat()
    poll = await open_poll(live, closes_at=closes)
    assert poll["closes_at"] is not None
    voter = await people()
    first = poll["options"][0]["id"]
    status, _ = await voter.call("POST", f"/api/polls/{poll['id']}/vote", {"options": [first]})
    assert status == 200
    services = client.app[SERVICES]
    services.events.keep_history = True
    clock.advance(301)
    status, err = await voter.call("POST", f"/api/polls/{poll['id']}/vote", {"options": [first]})
    assert status == 409 and err["error"] == "closed"
    # The background job may be closing it at this moment: on PostgreSQL it holds the row lock
    # (skip_locked), so this call skips the poll and the job publishes after its commit. Wait for
    # the one event, then let every published event be delivered: still exactly one.
    await services.polls.close_due()

    def closed() -> list[tuple[int, str]]:
        events = services.events.of_type(PollChanged)
        return [(e.poll_id, e.change) for e in events if isinstance(e, PollChanged)]

    await eventually(closed, what="the poll's closed event")
    await services.events.idle()
    assert closed() == [(int(poll["id"]), "closed")]
    status, read = await voter.call("GET", f"/api/polls/{poll['id']}")
    assert read["open"] is False and read["options"][0]["votes"] == 1
    assert read["closed_offset_ms"] == 300_000


async def test_ending_the_broadcast_closes_its_polls(live: Live, people: People) -> None:
    poll = await open_poll(live)
    status, _ = await live.host.call("POST", f"/api/sessions/{live.id}/end")
    assert status == 200
    status, read = await (await people()).call("GET", f"/api/polls/{poll['id']}")
    assert read["open"] is False
    status, listed = await live.host.call("GET", f"/api/sessions/{live.id}/polls")
    assert [p["id"] for p in listed] == [poll["id"]]
    status, err = await live.host.call(
        "POST", f"/api/sessions/{live.id}/polls", {"question": "晚了", "options": ["a", "b"]}
    )
    assert status == 409 and err["error"] == "session_ended"

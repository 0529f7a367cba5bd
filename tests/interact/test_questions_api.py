"""The question queue over HTTP: ask, upvote once per person, pending only for staff, most votes
first, now answering / answered with the moment in the recording, merge."""

from __future__ import annotations

from typing import Any

from live.clock import FakeClock
from tests.interact.conftest import Live, People


async def ask(person: Any, live: Live, text: str) -> dict[str, Any]:
    status, question = await person.call("POST", f"/api/sessions/{live.id}/questions", {"text": text})
    assert status == 201, question
    return question  # type: ignore[no-any-return]


async def test_queue_order_visibility_and_answers(live: Live, people: People, clock: FakeClock) -> None:
    alice, bob, carol = await people(), await people(), await people()
    mod = await people("mod-a")
    first = await ask(alice, live, "地下车库什么时候开放？")
    assert first["votes"] == 0 and first["status"] == "pending" and first["text"] == "地下车库什么时候开放？"
    second = await ask(bob, live, "电动车充电桩装在哪里？")

    # pending questions are for staff only
    status, public = await carol.call("GET", f"/api/sessions/{live.id}/questions")
    assert status == 200 and public == []
    status, staff = await mod.call("GET", f"/api/sessions/{live.id}/questions")
    assert {q["id"] for q in staff} == {first["id"], second["id"]}
    status, _ = await carol.call("GET", f"/api/questions/{first['id']}")
    assert status == 404

    # residents can't moderate; staff approve
    status, _ = await carol.call("PATCH", f"/api/questions/{first['id']}", {"status": "approved"})
    assert status == 401
    status, _ = await (await people("host-b")).call(
        "PATCH", f"/api/questions/{first['id']}", {"status": "approved"}
    )
    assert status == 403
    for q in (first, second):
        status, approved = await mod.call("PATCH", f"/api/questions/{q['id']}", {"status": "approved"})
        assert status == 200 and approved["status"] == "approved"
    status, err = await mod.call("PATCH", f"/api/questions/{first['id']}", {"status": "pending"})
    assert status == 400 and err["error"] == "bad_status"

    # upvotes: once per person; most votes first
    for person in (alice, carol, carol):
        status, body = await person.call("POST", f"/api/questions/{second['id']}/upvote")
        assert status == 200
    assert body["votes"] == 2
    status, body = await bob.call("POST", f"/api/questions/{first['id']}/upvote")
    assert body["votes"] == 1
    status, public = await carol.call("GET", f"/api/sessions/{live.id}/questions")
    assert [(q["id"], q["votes"]) for q in public] == [(second["id"], 2), (first["id"], 1)]
    status, paged = await carol.call("GET", f"/api/sessions/{live.id}/questions?limit=1&after={second['id']}")
    assert [q["id"] for q in paged] == [first["id"]]

    # the host answers the top question, then moves on to the next: the first becomes answered
    clock.advance(65)
    status, answering = await live.host.call(
        "PATCH", f"/api/questions/{second['id']}", {"status": "answering"}
    )
    assert answering["status"] == "answering" and answering["answering_offset_ms"] == 65_000
    clock.advance(30)
    status, _ = await live.host.call("PATCH", f"/api/questions/{first['id']}", {"status": "answering"})
    status, read = await carol.call("GET", f"/api/questions/{second['id']}")
    assert read["status"] == "answered" and read["answered_offset_ms"] == 95_000
    clock.advance(20)
    status, done = await live.host.call("PATCH", f"/api/questions/{first['id']}", {"status": "answered"})
    assert done["answered_offset_ms"] == 115_000 and done["answering_offset_ms"] == 95_000


async def test_reject_merge_and_bad_input(live: Live, people: People) -> None:
    alice, bob = await people(), await people()
    mod = await people("mod-a")
    one = await ask(alice, live, "物业费能不能公开？")
    same = await ask(bob, live, "物业费账目公开吗？")
    spam = await ask(bob, live, "广告")
    await alice.call("POST", f"/api/questions/{same['id']}/upvote")
    status, kept = await mod.call("POST", f"/api/questions/{same['id']}/merge", {"into": one["id"]})
    assert status == 200 and kept["id"] == one["id"] and kept["votes"] == 1 and kept["status"] == "approved"
    status, _ = await mod.call("PATCH", f"/api/questions/{spam['id']}", {"status": "rejected"})
    status, public = await alice.call("GET", f"/api/sessions/{live.id}/questions")
    assert [q["id"] for q in public] == [one["id"]]
    status, err = await alice.call("POST", f"/api/questions/{spam['id']}/upvote")
    assert status == 404
    status, err = await mod.call("POST", f"/api/questions/{spam['id']}/upvote")
    assert status == 409 and err["error"] == "closed"

    for body, code in [({"text": ""}, "empty"), ({"text": "长" * 501}, "too_long"), ({}, "missing_field")]:
        status, err = await alice.call("POST", f"/api/sessions/{live.id}/questions", body)
        assert (status, err["error"]) == (400, code)
    status, err = await alice.call("POST", "/api/sessions/424242/questions", {"text": "有人吗"})
    assert status == 404


async def test_two_opposite_merges_at_once_one_wins(live: Live, people: People) -> None:
    """Two moderators merge A into B and B into A at the same moment: one merge is made, the other
    is refused as already merged (both rows are locked in one order, so neither deadlocks into a
    500 on PostgreSQL)."""
    import asyncio

    alice, bob = await people(), await people()
    mod, other = await people("mod-a"), await people("mod-a")
    a = await ask(alice, live, "小区门禁卡怎么补办？")
    b = await ask(bob, live, "门禁卡丢了去哪里补？")
    answers = await asyncio.gather(
        mod.call("POST", f"/api/questions/{a['id']}/merge", {"into": b["id"]}),
        other.call("POST", f"/api/questions/{b['id']}/merge", {"into": a["id"]}),
    )
    assert sorted(status for status, _ in answers) == [200, 409], answers

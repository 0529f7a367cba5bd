"""网格员代录: a moderator enters an opinion, a support and a household vote on behalf of a named
resident with their consent; each counts once with everything else, is tagged with its channel
and who entered it, is audited, and the statistics show it by channel."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from live.keys import SERVICES
from live.services.actors import Actor
from tests.interact.conftest import People
from tests.interact.test_votes import Estate, estate  # noqa: F401


async def test_entries_on_behalf_count_once_and_show_by_channel(estate: Estate, people: People) -> None:  # noqa: F811
    mod = await people("mod-a")
    household = estate.households["a3"]
    who = {"household": household, "resident": "赵奶奶", "consent": True}

    status, err = await mod.call(
        "POST", "/api/on-behalf/opinions", {**who, "consent": False, "text": "楼道灯坏了"}
    )
    assert status == 400 and err["error"] == "consent_required"
    status, err = await (await people("a1")).call(
        "POST", "/api/on-behalf/opinions", {**who, "text": "楼道灯坏了"}
    )
    assert status == 403
    status, err = await (await people("host-b")).call("POST", "/api/on-behalf/opinions", {**who, "text": "x"})
    assert status == 403

    status, opinion = await mod.call(
        "POST", "/api/on-behalf/opinions", {**who, "text": "楼道灯坏了，晚上看不见"}
    )
    assert status == 201 and opinion["supporters"] == 1 and opinion["source"] == "on_behalf"
    assert opinion["author"]["name"] == "赵奶奶"

    # someone else's opinion, supported online by a resident and on behalf of 赵奶奶 twice: +2, not +3
    resident = await people("a1")
    status, other = await resident.call("POST", "/api/opinions", {"community": "hexie", "text": "电梯经常坏"})
    assert status == 201
    await (await people("b1")).call("POST", f"/api/opinions/{other['id']}/support")
    for _ in range(2):
        status, supported = await mod.call("POST", "/api/on-behalf/supports", {**who, "opinion": other["id"]})
        assert status == 200
    assert supported["supporters"] == 3

    # a household vote entered on behalf: the household counts once, the last ballot wins
    status, vote = await mod.call(
        "POST",
        f"/api/agenda/{estate.item}/votes",
        {"question": "同意加装电梯吗？", "options": ["同意", "反对"]},
    )
    yes, no = (o["id"] for o in vote["options"])
    await (await people("a3")).call("POST", f"/api/votes/{vote['id']}/ballot", {"option": yes})
    status, after = await mod.call("POST", "/api/on-behalf/votes", {**who, "vote": vote["id"], "option": no})
    assert status == 201 and after["turnout"] == 1 and after["channels"] == {"on_behalf": 1}
    assert [o["votes"] for o in after["options"]] == [0, 1]

    # audited: who entered what, for whom, through which channel
    status, log = await mod.call("GET", "/api/on-behalf?community=hexie")
    assert [(e["kind"], e["resident"], e["channel"], e["entered_by"]["name"]) for e in log] == [
        ("opinion", "赵奶奶", "on_behalf", "和谐网格员"),
        ("support", "赵奶奶", "on_behalf", "和谐网格员"),
        ("vote", "赵奶奶", "on_behalf", "和谐网格员"),
    ]
    status, _ = await resident.call("GET", "/api/on-behalf?community=hexie")
    assert status == 403

    # statistics by channel
    status, stats = await (await people()).call("GET", "/api/stats/channels?community=hexie")
    assert status == 200
    assert stats["opinions"]["on_behalf"] == 1 and stats["opinions"]["form"] == 1
    assert stats["supports"]["on_behalf"] == 1 and stats["supports"]["form"] == 1
    assert stats["votes"]["on_behalf"] == 1 and sum(stats["votes"].values()) == 1


async def test_a_rating_entered_on_behalf_counts_once_by_channel(estate: Estate, people: People) -> None:  # noqa: F811
    """A moderator rates a resolved item on behalf of a resident who raised it (on behalf too):
    consent ticked, one rating per resident (a second entry replaces the first), tagged with its
    channel and who entered it, audited, and shown by channel in the statistics."""
    mod = await people("mod-a")
    household = estate.households["a3"]
    who = {"household": household, "resident": "赵奶奶", "consent": True}
    status, raised = await mod.call("POST", "/api/on-behalf/opinions", {**who, "text": "路灯坏了三个月"})
    assert status == 201
    online = await people("a1")
    status, _ = await online.call("POST", f"/api/opinions/{raised['id']}/support")
    assert status == 200
    status, item = await mod.call(
        "POST", "/api/agenda", {"community": "hexie", "title": "修路灯", "opinions": [raised["id"]]}
    )
    assert status == 201, item
    path = f"/api/agenda/{item['id']}"
    rate = {**who, "item": item["id"], "rating": "satisfied"}

    status, err = await mod.call("POST", "/api/on-behalf/ratings", rate)
    assert status == 409 and err["error"] == "not_resolved"
    for step in ("scheduled", "deliberating", "decided", "in_progress", "resolved"):
        status, _ = await mod.call("PATCH", path, {"status": step, "note": ""})
        assert status == 200, step

    status, err = await mod.call("POST", "/api/on-behalf/ratings", {**rate, "consent": False})
    assert status == 400 and err["error"] == "consent_required"
    status, err = await mod.call("POST", "/api/on-behalf/ratings", {**rate, "rating": "meh"})
    assert status == 400 and err["error"] == "bad_rating"
    status, _ = await (await people("host-b")).call("POST", "/api/on-behalf/ratings", rate)
    assert status == 403
    status, _ = await online.call("POST", "/api/on-behalf/ratings", rate)
    assert status == 403
    # someone of the same household who never raised or supported it cannot be rated for
    status, err = await mod.call("POST", "/api/on-behalf/ratings", {**rate, "resident": "钱大爷"})
    assert status == 403 and err["error"] == "not_a_participant"

    status, counts = await mod.call("POST", "/api/on-behalf/ratings", {**rate, "rating": "unsatisfied"})
    assert status == 200 and counts["ratings"] == {"satisfied": 0, "basically_satisfied": 0, "unsatisfied": 1}
    # entered again from a paper form: it replaces the first (one resident, one rating)
    status, counts = await mod.call("POST", "/api/on-behalf/ratings", {**rate, "channel": "paper"})
    assert counts["ratings"] == {"satisfied": 1, "basically_satisfied": 0, "unsatisfied": 0}
    status, counts = await online.call("POST", f"{path}/rating", {"rating": "basically_satisfied"})
    assert status == 200
    assert counts["ratings"] == {"satisfied": 1, "basically_satisfied": 1, "unsatisfied": 0}
    status, shown = await (await people()).call("GET", path)
    assert shown["ratings"] == counts["ratings"]

    status, log = await mod.call("GET", "/api/on-behalf?community=hexie")
    ratings = [(e["kind"], e["target"], e["resident"], e["channel"]) for e in log if e["kind"] == "rating"]
    assert ratings == [
        ("rating", str(item["id"]), "赵奶奶", "on_behalf"),
        ("rating", str(item["id"]), "赵奶奶", "paper"),
    ]
    assert all(e["entered_by"]["name"] == "和谐网格员" for e in log)
    status, stats = await (await people()).call("GET", "/api/stats/channels?community=hexie")
    assert stats["ratings"] == {"chat": 0, "form": 1, "voice": 0, "on_behalf": 0, "paper": 1}


async def hexie_units(client: TestClient[Any, Any]) -> dict[str, int]:
    """hexie's units by their label (阳光小区 3栋 1单元, 春晖园 8栋 2单元)."""
    services = client.app[SERVICES]
    community = await services.places.by_slug("hexie")
    return {u.label: u.unit.id for u in await services.households.store.units_of(community.id)}


async def test_a_household_named_by_unit_and_room_is_found_or_made(
    client: TestClient[Any, Any],
    estate: Estate,  # noqa: F811
    people: People,
) -> None:
    """The grid worker names the household by unit and room: the room a3 lives in is found (its
    ballot counts once, a second one changes the vote), a room nobody was verified in is made
    once (audited) and is not eligible to vote; refusals have their own codes."""
    units = await hexie_units(client)
    unit_a = units["阳光小区 3栋 1单元"]
    mod = await people("mod-a")
    who = {"unit": unit_a, "room": "302室", "resident": "赵奶奶", "consent": True}

    status, err = await mod.call(
        "POST", "/api/on-behalf/opinions", {"resident": "赵奶奶", "consent": True, "text": "x"}
    )
    assert status == 400 and err["error"] == "household_required"
    status, err = await mod.call("POST", "/api/on-behalf/opinions", {**who, "room": "3 0 2!", "text": "x"})
    assert status == 400 and err["error"] == "bad_room"
    status, err = await mod.call("POST", "/api/on-behalf/opinions", {**who, "unit": 999_999, "text": "x"})
    assert status == 404 and err["error"] == "unknown_unit"
    status, err = await (await people("host-b")).call("POST", "/api/on-behalf/opinions", {**who, "text": "x"})
    assert status == 403
    status, err = await mod.call("POST", "/api/on-behalf/opinions", {**who, "channel": "fax", "text": "x"})
    assert status == 400 and err["error"] == "bad_channel"

    status, opinion = await mod.call(
        "POST", "/api/on-behalf/opinions", {**who, "channel": "voice", "text": "楼道灯坏了"}
    )
    assert status == 201 and opinion["source"] == "voice"
    for _ in range(2):
        status, _made = await mod.call(
            "POST",
            "/api/on-behalf/opinions",
            {**who, "room": "502", "resident": "钱大爷", "text": "垃圾桶太少"},
        )
        assert status == 201
    status, log = await mod.call("GET", "/api/on-behalf?community=hexie")
    households = [e["household"] for e in log]
    assert households[0] == str(estate.households["a3"])
    assert households[1] == households[2] != households[0]
    assert [e["channel"] for e in log] == ["voice", "on_behalf", "on_behalf"]
    services = client.app[SERVICES]
    community = await services.places.by_slug("hexie")
    admin = Actor(key="u:1", name="admin", role="admin", user_id=1)
    entries = await services.moderation.audit_log(admin, community_id=community.id)
    made = [r for r in entries if r.action == "household_create"]
    assert [r.target for r in made] == [f"household:{households[1]}"]

    status, vote = await mod.call(
        "POST",
        f"/api/agenda/{estate.item}/votes",
        {"question": "同意加装电梯吗？", "options": ["同意", "反对"]},
    )
    yes, no = (o["id"] for o in vote["options"])
    ballot = {**who, "vote": vote["id"], "channel": "paper"}
    status, after = await mod.call("POST", "/api/on-behalf/votes", {**ballot, "option": yes})
    assert status == 201 and after["replaced"] is False and after["turnout"] == 1
    status, after = await mod.call(
        "POST", "/api/on-behalf/votes", {**ballot, "option": no, "channel": "voice"}
    )
    assert status == 201 and after["replaced"] is True and after["turnout"] == 1
    assert [o["votes"] for o in after["options"]] == [0, 1] and after["channels"] == {"voice": 1}
    status, err = await mod.call("POST", "/api/on-behalf/votes", {**ballot, "room": "502", "option": yes})
    assert status == 403 and err["error"] == "not_eligible"
    status, err = await mod.call("POST", "/api/on-behalf/votes", {**ballot, "consent": False, "option": yes})
    assert status == 400 and err["error"] == "consent_required"
    status, _closed = await mod.call("POST", f"/api/votes/{vote['id']}/close")
    assert status == 200
    status, err = await mod.call("POST", "/api/on-behalf/votes", {**ballot, "option": yes})
    assert status == 409 and err["error"] == "closed"
    status, shown = await mod.call("GET", f"/api/votes/{vote['id']}")
    assert shown["turnout"] == 1 and [o["votes"] for o in shown["options"]] == [0, 1]


async def test_the_desk_page_is_for_the_communitys_moderators(
    client: TestClient[Any, Any],
    estate: Estate,  # noqa: F811
    people: People,
) -> None:
    """/on-behalf: signed out to the sign-in page, residents and other communities' staff 403,
    the community's moderators see its units, open votes and latest entries; triage links to it."""
    response = await (await people()).http.get("/on-behalf?community=hexie", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/login?next=")
    for username in ("a1", "host-b"):
        response = await (await people(username)).http.get("/on-behalf?community=hexie")
        assert response.status == 403, username
    mod = await people("mod-a")
    status, vote = await mod.call(
        "POST",
        f"/api/agenda/{estate.item}/votes",
        {"question": "同意加装电梯吗？", "options": ["同意", "反对"]},
    )
    assert status == 201
    page = await (await mod.http.get("/on-behalf")).text()
    assert "阳光小区 3栋 1单元" in page and "春晖园 8栋 2单元" in page
    assert f'value="{vote["id"]}:{vote["options"][0]["id"]}"' in page and "同意加装电梯吗？" in page
    triage = await (await mod.http.get("/triage")).text()
    assert 'href="/on-behalf?community=hexie"' in triage
    response = await (await people("admin")).http.get("/on-behalf?community=xingfu")
    assert response.status == 200 and "本社区还没有单元" in await response.text()

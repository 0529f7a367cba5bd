"""Household votes (表决): one ballot per verified household of the item's community or of named
compounds, the last ballot counts, households that are not eligible are refused, staff enter
paper and on-behalf ballots, a secret vote's choices are never readable by staff."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from live.keys import SERVICES
from live.services.actors import Actor
from tests.conftest import PASSWORD
from tests.interact.conftest import People, Person


@dataclass
class Estate:
    compound_a: str
    compound_b: str
    households: dict[str, int]  # resident username -> household id (verified)
    item: str


async def place(admin: Person, kind: str, name: str, parent: str | None = None) -> str:
    body = {"kind": kind, "community": "hexie", "name": name, **({"parent": parent} if parent else {})}
    status, made = await admin.call("POST", "/api/admin/places", body)
    assert status == 201, made
    return str(made["id"])


@pytest.fixture
async def estate(client: TestClient[Any, Any], people: People) -> Estate:
    """Two compounds of hexie; residents a1 and a2 share household A-301, a3 lives in A-302,
    b1 in B-101; nobody verified x1; an agenda item to vote on."""
    services = client.app[SERVICES]
    admin = await people("admin")
    compound_a = await place(admin, "compound", "阳光小区")
    unit_a = await place(admin, "unit", "1单元", await place(admin, "building", "3栋", compound_a))
    compound_b = await place(admin, "compound", "春晖园")
    unit_b = await place(admin, "unit", "2单元", await place(admin, "building", "8栋", compound_b))
    admin_user = await services.accounts.create_user("admin2", PASSWORD, "admin", None, "管理员二")
    staff = Actor(key=f"u:{admin_user.id}", name="管理员二", role="admin", user_id=admin_user.id)
    households: dict[str, int] = {}
    for username, unit, room in (
        ("a1", unit_a, "301"),
        ("a2", unit_a, "301"),
        ("a3", unit_a, "302"),
        ("b1", unit_b, "101"),
        ("x1", None, None),
    ):
        user = await services.accounts.create_user(username, PASSWORD, "resident", None, f"居民{username}")
        if unit is not None:
            households[username] = (await services.households.verify(staff, user.id, int(unit), room)).id
    mod = await people("mod-a")
    status, item = await mod.call(
        "POST", "/api/agenda", {"community": "hexie", "title": "加装电梯", "opinions": []}
    )
    assert status == 201, item
    return Estate(compound_a, compound_b, households, str(item["id"]))


async def test_open_ballot_twice_changed_and_not_eligible(estate: Estate, people: People) -> None:
    mod = await people("mod-a")
    status, vote = await mod.call(
        "POST",
        f"/api/agenda/{estate.item}/votes",
        {"question": "是否同意加装电梯？", "options": ["同意", "反对"], "compounds": [estate.compound_a]},
    )
    assert status == 201, vote
    assert vote["eligible"] == 2 and vote["turnout"] == 0 and vote["secret"] is False
    yes, no = (o["id"] for o in vote["options"])
    path = f"/api/votes/{vote['id']}"
    a1, a2, a3, b1, x1 = [await people(u) for u in ("a1", "a2", "a3", "b1", "x1")]

    status, after = await a1.call("POST", f"{path}/ballot", {"option": yes})
    assert status == 200 and after["mine"] == yes and after["can_vote"]
    # the same household votes again through another member: counts once, the last vote wins
    status, after = await a2.call("POST", f"{path}/ballot", {"option": no})
    assert after["turnout"] == 1 and [o["votes"] for o in after["options"]] == [0, 1]
    # a3 changes her mind
    await a3.call("POST", f"{path}/ballot", {"option": yes})
    status, after = await a3.call("POST", f"{path}/ballot", {"option": no})
    assert after["turnout"] == 2 and [o["votes"] for o in after["options"]] == [0, 2]
    assert after["turnout_rate"] == 1.0
    # not eligible: another compound, an unverified resident, a guest, a paper ballot out of scope
    for person, code in ((b1, 403), (x1, 403), (await people(), 401)):
        status, err = await person.call("POST", f"{path}/ballot", {"option": yes})
        assert status == code, err
    status, err = await mod.call(
        "POST",
        f"{path}/entries",
        {"household": estate.households["b1"], "option": yes, "channel": "paper", "voter_name": "李叔"},
    )
    assert status == 403 and err["error"] == "not_eligible"
    status, err = await a1.call("POST", f"{path}/close")
    assert status == 403

    # close: turnout and result are published on the item and in its timeline
    status, closed = await mod.call("POST", f"{path}/close")
    assert status == 200 and closed["open"] is False
    status, err = await a1.call("POST", f"{path}/ballot", {"option": yes})
    assert status == 409 and err["error"] == "closed"
    status, votes = await (await people()).call("GET", f"/api/agenda/{estate.item}/votes")
    assert [(v["turnout"], v["eligible"], [o["votes"] for o in v["options"]]) for v in votes] == [
        (2, 2, [0, 2])
    ]
    page = await (await people()).http.get(f"/agenda/{estate.item}")
    assert "表决结果" in await page.text()
    status, audit = await mod.call("GET", f"{path}/audit")
    assert [(e["household"], e["option"], e["channel"]) for e in audit["entries"]] == [
        (str(estate.households["a1"]), yes, "form"),
        (str(estate.households["a1"]), no, "form"),
        (str(estate.households["a3"]), yes, "form"),
        (str(estate.households["a3"]), no, "form"),
    ]


def links_household_to_choice(value: Any) -> bool:
    """True if some object in the answer names both a household and a chosen option."""
    if isinstance(value, dict):
        if "household" in value and ("option" in value or "mine" in value):
            return True
        return any(links_household_to_choice(v) for v in value.values())
    if isinstance(value, list):
        return any(links_household_to_choice(v) for v in value)
    return False


async def test_secret_ballot_choices_are_never_readable_by_staff(estate: Estate, people: People) -> None:
    mod = await people("mod-a")
    status, vote = await mod.call(
        "POST",
        f"/api/agenda/{estate.item}/votes",
        {"question": "物业选聘", "options": ["甲公司", "乙公司"], "secret": True},
    )
    assert status == 201 and vote["eligible"] == 3
    first, second = (o["id"] for o in vote["options"])
    path = f"/api/votes/{vote['id']}"
    a1 = await people("a1")
    await a1.call("POST", f"{path}/ballot", {"option": second})
    # paper ballot and on-behalf ballot, tagged with who entered them; on behalf needs consent
    status, _ = await mod.call(
        "POST",
        f"{path}/entries",
        {"household": estate.households["b1"], "option": first, "channel": "paper", "voter_name": "李叔"},
    )
    assert status == 201
    body = {
        "household": estate.households["a3"],
        "option": second,
        "channel": "on_behalf",
        "voter_name": "赵奶奶",
    }
    status, err = await mod.call("POST", f"{path}/entries", body)
    assert status == 400 and err["error"] == "consent_required"
    status, entered = await mod.call("POST", f"{path}/entries", {**body, "consent": True})
    assert status == 201 and entered["turnout"] == 3
    assert entered["channels"] == {"form": 1, "paper": 1, "on_behalf": 1}

    # while open, no counts; never a household's choice, in any answer staff can read
    readable = []
    for endpoint in (path, f"{path}/audit", f"/api/agenda/{estate.item}/votes", f"/api/agenda/{estate.item}"):
        status, answer = await mod.call("GET", endpoint)
        assert status == 200
        readable.append(json.dumps(answer))
    status, shown = await mod.call("GET", path)
    assert all("votes" not in o for o in shown["options"]) and shown["mine"] is None
    status, audit = await mod.call("GET", f"{path}/audit")
    assert len(audit["entries"]) == 3 and all("option" not in e for e in audit["entries"])
    assert {e["channel"]: e["entered_by"] is not None for e in audit["entries"]} == {
        "form": False,
        "paper": True,
        "on_behalf": True,
    }
    for text in readable:
        assert not links_household_to_choice(json.loads(text)), text

    # the voter sees their own household's choice
    status, own = await a1.call("GET", path)
    assert own["mine"] == second
    status, closed = await mod.call("POST", f"{path}/close")
    assert [o["votes"] for o in closed["options"]] == [1, 2]
    status, audit = await mod.call("GET", f"{path}/audit")
    assert all("option" not in e for e in audit["entries"])

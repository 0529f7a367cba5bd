"""A community with a moderator, two parties with accounts, and an item raised by residents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from live.keys import SERVICES
from tests.conftest import PASSWORD, World, login
from tests.opinions.conftest import Api


async def signed_in(client: TestClient[Any, Any], username: str) -> Api:
    """A separate browser (own cookie jar) signed in as ``username``."""
    session = aiohttp.ClientSession(
        base_url=str(client.make_url("/")), cookie_jar=aiohttp.CookieJar(unsafe=True)
    )
    csrf = (await (await session.get("/api/me")).json())["csrf"]
    response = await session.post(
        "/api/auth/login", json={"username": username, "password": PASSWORD}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status == 200, await response.text()
    return Api(session, (await response.json())["csrf"])


async def guest(client: TestClient[Any, Any]) -> Api:
    session = aiohttp.ClientSession(
        base_url=str(client.make_url("/")), cookie_jar=aiohttp.CookieJar(unsafe=True)
    )
    me = await (await session.get("/api/me")).json()
    return Api(session, me["csrf"])


@dataclass
class Desk:
    mod: Api
    admin: Api
    property: dict[str, Any]
    committee: dict[str, Any]
    other_party: dict[str, Any]
    prop_account: Api
    committee_account: Api
    other_account: Api
    residents: list[Api]
    item: dict[str, Any]
    sessions: list[aiohttp.ClientSession]


@pytest.fixture
async def desk(client: TestClient[Any, Any], world: World) -> Any:
    services = client.app[SERVICES]
    mod = Api(client, await login(client, "mod-a"))
    admin = await signed_in(client, "admin")
    prop = await mod.post(
        "/api/parties",
        {"community": "hexie", "name": "幸福物业", "kind": "property", "contact": "0571-8888"},
        expect=201,
    )
    committee = await admin.post("/api/parties", {"name": "街道城管科", "kind": "department"}, expect=201)
    other = await admin.post(
        "/api/parties",
        {"community": "xingfu", "name": "幸福社区业委会", "kind": "owners_committee"},
        expect=201,
    )
    for username, party in (("prop", prop), ("cityops", committee), ("otherparty", other)):
        await services.accounts.create_user(username, PASSWORD, "party", None, username, int(party["id"]))
    residents = [await guest(client) for _ in range(5)]
    opinion = await residents[0].post(
        "/api/opinions", {"community": "hexie", "text": "3号楼电梯经常坏", "category": "property"}, expect=201
    )
    for r in residents[1:]:
        await r.post(f"/api/opinions/{opinion['id']}/support")
    item = await mod.post(
        "/api/agenda",
        {"community": "hexie", "title": "3号楼电梯维修", "opinions": [opinion["id"]]},
        expect=201,
    )
    accounts = [await signed_in(client, u) for u in ("prop", "cityops", "otherparty")]
    sessions = [a.http for a in [admin, *accounts, *residents]]
    yield Desk(mod, admin, prop, committee, other, *accounts, residents, item, sessions)  # type: ignore[arg-type]
    for s in sessions:
        await s.close()  # type: ignore[union-attr]


async def walk_to(mod: Api, item_id: str, target: str) -> None:
    flow = ["proposed", "scheduled", "deliberating", "decided", "in_progress", "resolved"]
    current = (await mod.get(f"/api/agenda/{item_id}"))["status"]
    for step in flow[flow.index(current) + 1 : flow.index(target) + 1]:
        await mod.patch(f"/api/agenda/{item_id}", {"status": step, "note": ""})

"""The two numbers: ``supporters`` (people) and ``verified_households`` (distinct verified
households among them), on opinions, agenda items, their exports, kept right when people
support, when opinions merge and when memberships change. Real HTTP, both databases."""

from __future__ import annotations

import csv
import io
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from live.keys import SERVICES
from tests.conftest import World
from tests.identity.conftest import Api, guest_api, signed_in


async def _resident(client: TestClient[Any, Any], username: str) -> int:
    user = await client.app[SERVICES].accounts.create_user(
        username, World.password, "resident", None, username
    )
    return user.id


async def test_people_and_verified_households_on_opinions_items_and_exports(
    client: TestClient[Any, Any],
    world: World,
    units: dict[str, str],
    other_browser: aiohttp.ClientSession,
) -> None:
    services = client.app[SERVICES]
    mod = await signed_in(client, "mod-a")
    # Two members of 301 and one of 302.
    ids = {name: await _resident(client, name) for name in ("wang", "wang-wife", "li")}
    for name, room in (("wang", "301"), ("wang-wife", "301"), ("li", "302")):
        await mod.post(
            "/api/households/verify", {"user": str(ids[name]), "unit": units["hexie"], "room": room}
        )

    # A verified resident raises an opinion: one person, one household.
    wang = await signed_in(other_browser, "wang")
    made = await wang.post("/api/opinions", {"community": "hexie", "text": "3栋门口路灯不亮"}, expect=201)
    assert (made["supporters"], made["verified_households"]) == (1, 1)
    opinion = made["id"]
    await other_browser.post("/api/auth/logout", headers={"X-CSRF-Token": wang.csrf})
    other_browser.cookie_jar.clear()

    async def support(api: Api) -> dict[str, Any]:
        return await api.post(f"/api/opinions/{opinion}/support")  # type: ignore[no-any-return]

    # The same household again: a person more, not a household more.
    assert await support(await signed_in(other_browser, "wang-wife")) == {
        "supporters": 2,
        "verified_households": 1,
        "opinion": opinion,
    }
    other_browser.cookie_jar.clear()
    # A guest: a person more.
    counted = await support(await guest_api(other_browser))
    assert (counted["supporters"], counted["verified_households"]) == (3, 1)
    other_browser.cookie_jar.clear()
    # Another household.
    counted = await support(await signed_in(other_browser, "li"))
    assert (counted["supporters"], counted["verified_households"]) == (4, 2)

    item = await mod.post(
        "/api/agenda", {"community": "hexie", "title": "修路灯", "opinions": [opinion]}, expect=201
    )
    assert (item["supporters"], item["verified_households"]) == (4, 2)

    # A second opinion by li merged into the first: li counts once on the survivor.
    second = await (await signed_in(other_browser, "li")).post(
        "/api/opinions", {"community": "hexie", "text": "路灯坏了好几天"}, expect=201
    )
    merged = await mod.post(f"/api/opinions/{second['id']}/merge", {"into": opinion})
    assert (merged["supporters"], merged["verified_households"]) == (4, 2)

    # Li's household membership is revoked: one household fewer, everywhere.
    await mod.post("/api/households/revoke", {"user": str(ids["li"])})
    shown = await mod.get("/api/opinions?community=hexie")
    first = next(o for o in shown if o["id"] == opinion)
    assert (first["supporters"], first["verified_households"]) == (4, 1)
    board = await mod.get("/api/agenda?community=hexie")
    assert (board[0]["supporters"], board[0]["verified_households"]) == (4, 1)
    one = await mod.get(f"/api/agenda/{item['id']}")
    assert (one["supporters"], one["verified_households"]) == (4, 1)

    exported = await client.get("/api/opinions.csv?community=hexie", headers={"X-CSRF-Token": mod.csrf})
    rows = list(csv.DictReader(io.StringIO((await exported.read()).decode("utf-8-sig"))))
    row = next(r for r in rows if r["id"] == opinion)
    assert (row["supporters"], row["verified_households"]) == ("4", "1")
    exported = await client.get("/api/agenda.csv?community=hexie")
    rows = list(csv.DictReader(io.StringIO((await exported.read()).decode("utf-8-sig"))))
    assert (rows[0]["supporters"], rows[0]["verified_households"]) == ("4", "1")

    # Who supported the item, verified households first (for satisfaction ratings).
    from live.storage.support_counts import supporters_of_item

    async with services.db.read() as s:
        people = await supporters_of_item(s, int(item["id"]))
    assert len(people) == 4
    assert [p[1] for p in people[:2]] == sorted([ids["wang"], ids["wang-wife"]])
    assert all(p[2] is None for p in people[2:])

"""The host desk and console: who may open them, scheduling with agenda items."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from live.keys import SERVICES
from live.storage.agenda import AgendaItem
from tests.conftest import World, login

from .test_whip_whep import create_session


async def add_agenda_item(client: TestClient[Any, Any], community: str, title: str) -> int:
    services = client.app[SERVICES]
    community_row = await services.places.by_slug(community)
    now = services.clock.now()
    async with services.db.transaction() as s:
        item = AgendaItem(
            community_id=community_row.id, title=title, created_by="test", created_at=now, updated_at=now
        )
        s.add(item)
        await s.flush()
        return item.id


async def test_staff_pages_need_a_host_of_the_community(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession
) -> None:
    session, _, _ = await create_session(client)
    for path in ("/host", f"/host/{session}"):
        signed_out = await other_browser.get(path, allow_redirects=False)
        assert signed_out.status == 303
        assert signed_out.headers["Location"] == f"/login?next={path}"
    await login(client, "host-b")
    assert (await client.get(f"/host/{session}")).status == 403
    await login(client, "resident")
    assert (await client.get("/host")).status == 403
    await login(client, "host-a")
    html = await (await client.get(f"/host/{session}")).text()
    for hook in ('data-testid="go-live"', 'data-testid="end-live"', 'data-testid="chat-list"'):
        assert hook in html
    assert "开始直播" in html
    await login(client, "admin")
    assert (await client.get(f"/host/{session}")).status == 200


async def test_desk_schedules_a_session_with_agenda_items(client: TestClient[Any, Any], world: World) -> None:
    ours = await add_agenda_item(client, "hexie", "三号楼电梯加装")
    theirs = await add_agenda_item(client, "xingfu", "幸福路停车")
    csrf = await login(client, "host-a")
    desk = await (await client.get("/host")).text()
    assert "三号楼电梯加装" in desk and "幸福路停车" not in desk
    response = await client.post(
        "/host",
        data={
            "csrf": csrf,
            "community": "hexie",
            "title": "电梯加装说明会",
            "description": "",
            "scheduled_at": "2026-12-01T19:30",
            "agenda": str(ours),
        },
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    session = response.headers["Location"].rsplit("/", 1)[1]
    detail = await (await client.get(f"/api/sessions/{session}")).json()
    assert detail["scheduled_at"] == "2026-12-01T11:30:00+00:00"  # typed in Beijing time
    console = await (await client.get(f"/host/{session}")).text()
    assert "三号楼电梯加装" in console
    assert "电梯加装说明会" in await (await client.get("/host")).text()
    # another community's agenda item is refused
    refused = await client.post(
        "/host",
        data={"csrf": csrf, "community": "hexie", "title": "x", "agenda": str(theirs)},
    )
    assert refused.status == 400

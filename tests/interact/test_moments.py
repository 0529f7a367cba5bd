"""From raised to resolved, in the recording: the item's page shows the moment its first opinion
was raised in a replay and the moment a host presented its outcome on a later broadcast."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from live.clock import FakeClock
from tests.interact.conftest import People
from tests.realtime.conftest import Connect, Room, connect, room, session_cookie  # noqa: F401


async def test_item_page_plays_where_it_was_raised_and_announced(
    client: TestClient[Any, Any],
    connect: Connect,  # noqa: F811
    room: Room,  # noqa: F811
    people: People,
    clock: FakeClock,
    settings: Any,
) -> None:
    host, mod, resident = await people("host-a"), await people("mod-a"), await people()
    clock.advance(125)
    status, opinion = await resident.call(
        "POST", "/api/opinions", {"community": "hexie", "session": room.id, "text": "路灯坏了"}
    )
    assert status == 201 and opinion["offset_ms"] == 125_000
    status, item = await mod.call(
        "POST", "/api/agenda", {"community": "hexie", "title": "修路灯", "opinions": [opinion["id"]]}
    )
    assert status == 201
    await host.call("POST", f"/api/sessions/{room.id}/end")

    # a week later, the host reports the outcome on another broadcast
    clock.advance(7 * 86400)
    status, later = await host.call("POST", "/api/sessions", {"community": "hexie", "title": "你说我办"})
    await host.call("POST", f"/api/sessions/{later['id']}/start")
    clock.advance(300)
    peer = await connect(name=None, headers={"Cookie": await session_cookie(client, "host-a")})
    assert (await peer.call("join", {"session": later["id"]}))["ok"]
    assert (await peer.call("showcase", {"session": later["id"], "item": item["id"]}))["ok"]
    await host.call("POST", f"/api/sessions/{later['id']}/end")

    page = await (await (await people()).http.get(f"/agenda/{item['id']}")).text()
    raised = re.search(r'data-testid="moment-raised" data-session="(\d+)" data-offset="(\d+)"', page)
    announced = re.search(r'data-testid="moment-announced" data-session="(\d+)" data-offset="(\d+)"', page)
    assert raised and raised.groups() == (room.id, "125")
    assert announced and announced.groups() == (str(later["id"]), "300")
    assert "在直播«你说我办»中通报了办理结果" in page
    # no recording was kept of either: nothing to play in place, the replay link says so
    assert 'data-role="play-moment"' not in page and 'data-playlist=""' in page
    assert "没有保存录像" in page or "no recording was kept" in page

    # once the first broadcast's recording is there, its moment plays in place, from its playlist
    from tests.archive.conftest import write_hls_recording

    write_hls_recording(settings.data_dir / "hls" / room.id, seconds=2)
    page = await (await (await people()).http.get(f"/agenda/{item['id']}")).text()
    raised_part = page.split('data-testid="moment-raised"')[1].split("</figure>")[0]
    assert f'data-playlist="/hls/{room.id}/index.m3u8"' in raised_part
    assert 'data-role="play-moment"' in raised_part
    announced_part = page.split('data-testid="moment-announced"')[1].split("</figure>")[0]
    assert 'data-role="play-moment"' not in announced_part

"""Chromium at 360 px: an agenda item's page plays, in place, the moment it was first raised and
the moment its outcome was announced on a later broadcast, each from its own recording (real
H.264 HLS through hls.js), starting at its moment and moving on."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from live.clock import FakeClock
from tests.archive.conftest import write_hls_recording
from tests.interact.conftest import People
from tests.realtime.conftest import Connect, Room, connect, room, session_cookie  # noqa: F401

PLAYING_FROM = """([testid, start]) => {
  const v = document.querySelector(`[data-testid="${testid}"] video`);
  // playing, moved on past the moment, and it began there (not from the recording's start)
  return v && !v.hidden && !v.paused && v.currentTime > start + 0.3 && v.played.length > 0
    && v.played.start(0) >= start - 1;
}"""


async def test_an_items_moments_play_in_place_in_chromium(
    client: TestClient[Any, Any],
    connect: Connect,  # noqa: F811
    room: Room,  # noqa: F811
    people: People,
    clock: FakeClock,
    settings: Any,
    phone: Any,
    base_url: str,
) -> None:
    host, mod, resident = await people("host-a"), await people("mod-a"), await people()
    clock.advance(5)
    status, opinion = await resident.call(
        "POST", "/api/opinions", {"community": "hexie", "session": room.id, "text": "路灯坏了"}
    )
    assert status == 201 and opinion["offset_ms"] == 5_000
    status, item = await mod.call(
        "POST", "/api/agenda", {"community": "hexie", "title": "修路灯", "opinions": [opinion["id"]]}
    )
    assert status == 201
    await host.call("POST", f"/api/sessions/{room.id}/end")
    clock.advance(7 * 86400)
    status, later = await host.call("POST", "/api/sessions", {"community": "hexie", "title": "你说我办"})
    await host.call("POST", f"/api/sessions/{later['id']}/start")
    clock.advance(8)
    peer = await connect(name=None, headers={"Cookie": await session_cookie(client, "host-a")})
    assert (await peer.call("join", {"session": later["id"]}))["ok"]
    assert (await peer.call("showcase", {"session": later["id"], "item": item["id"]}))["ok"]
    await host.call("POST", f"/api/sessions/{later['id']}/end")
    for session in (room.id, str(later["id"])):
        write_hls_recording(settings.data_dir / "hls" / session, seconds=12)

    page = await phone.new_page()
    await page.goto(f"{base_url}/agenda/{item['id']}")
    for testid, start in (("moment-raised", 5), ("moment-announced", 8)):
        moment = page.get_by_test_id(testid)
        await expect(moment.locator("video")).to_be_hidden()
        await moment.evaluate("(figure) => { figure.querySelector('video').muted = true; }")
        await moment.locator('[data-role="play-moment"]').click()
        await expect(moment.locator('[data-role="play-moment"]')).to_be_hidden()
        await page.wait_for_function(PLAYING_FROM, arg=[testid, start], timeout=30_000)
        await moment.evaluate("(figure) => figure.querySelector('video').pause()")
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= 360

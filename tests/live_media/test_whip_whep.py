"""WHIP publishing and WHEP viewing over real HTTP with real aiortc peers, HLS while live,
the recording and its MP4 after the end."""

from __future__ import annotations

from functools import partial
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from tests.conftest import World, login
from tests.media.synthetic import wait_until
from tests.waiting import eventually

from .peers import SDP, moving, publisher_offer, whep, whip


async def create_session(client: TestClient[Any, Any], host: str = "host-a") -> tuple[str, str, str]:
    """Signs ``host`` in and schedules a session; returns (id, stream key, csrf)."""
    csrf = await login(client, host)
    community = "hexie" if host == "host-a" else "xingfu"
    response = await client.post(
        "/api/sessions",
        json={"community": community, "title": "周五议事直播"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status == 201, await response.text()
    body = await response.json()
    return body["id"], body["stream_key"], csrf


async def playlist(client: TestClient[Any, Any], session: str) -> tuple[int, str, dict[str, str]]:
    response = await client.get(f"/hls/{session}/index.m3u8")
    return response.status, await response.text(), dict(response.headers)


def segments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


async def test_publish_watch_hls_end_and_recording(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession
) -> None:
    session, key, csrf = await create_session(client)
    host = await whip(client, session, key)
    assert host.location.startswith(f"/api/sessions/{session}/whip/")
    # publishing with the stream key started the scheduled session
    assert (await (await client.get(f"/api/sessions/{session}")).json())["status"] == "live"

    viewers = [await whep(client, session), await whep(client, session)]
    for number, viewer in enumerate(viewers):
        await wait_until(partial(moving, viewer.counters), 20, f"viewer {number} to see frames")

    health = await (await client.get(f"/api/sessions/{session}/health")).json()
    assert health["publishing"] is True and health["viewers"] == 2
    assert health["fps"] > 5 and health["bitrate_kbps"] > 10

    # HLS: the playlist is served with its content type, is not cached while live, and grows
    async def first_segment() -> tuple[int, str, dict[str, str]] | None:
        found = await playlist(client, session)
        return found if found[0] == 200 and segments(found[1]) else None

    status, text, headers = await eventually(first_segment, 20, what="the first HLS segment")
    assert status == 200, text
    assert headers["Content-Type"].startswith("application/vnd.apple.mpegurl")
    assert headers["Cache-Control"] == "no-cache"
    assert "#EXT-X-ENDLIST" not in text
    first = segments(text)
    segment = await client.get(f"/hls/{session}/{first[0]}")
    assert segment.status == 200
    assert segment.headers["Content-Type"] == "video/mp2t"
    assert "immutable" in segment.headers["Cache-Control"]
    assert len(await segment.read()) > 1000

    async def grown() -> bool:
        return len(segments((await playlist(client, session))[1])) > len(first)

    await eventually(grown, 15, what="the playlist to grow")

    # WHEP DELETE ends one viewer
    gone = viewers.pop()
    deleted = await client.delete(gone.location)
    assert deleted.status == 200
    await gone.close()
    assert (await (await client.get(f"/api/sessions/{session}/health")).json())["viewers"] == 1

    ended = await client.post(f"/api/sessions/{session}/end", headers={"X-CSRF-Token": csrf})
    assert ended.status == 200
    # ending closed every peer
    await wait_until(
        lambda: (
            viewers[0].pc.connectionState in ("closed", "failed")
            and host.pc.connectionState in ("closed", "failed")
        ),
        15,
        "the server to close the peers",
    )
    status, text, headers = await playlist(client, session)
    assert status == 200 and text.rstrip().endswith("#EXT-X-ENDLIST")
    assert "immutable" in headers["Cache-Control"]
    detail = await (await client.get(f"/api/sessions/{session}")).json()
    assert detail["recording"]["hls"] == f"/hls/{session}/index.m3u8"
    assert detail["recording"]["duration_s"] > 0

    # the MP4 remux: the community's moderator may download it, another community's host not
    await login(client, "mod-a")
    mp4 = await client.get(f"/api/sessions/{session}/recording.mp4")
    assert mp4.status == 200
    assert mp4.headers["Content-Type"] == "video/mp4"
    assert "attachment" in mp4.headers["Content-Disposition"]
    body = await mp4.read()
    assert body[4:8] == b"ftyp" and len(body) > 10_000
    again = await client.get(f"/api/sessions/{session}/recording.mp4")
    assert await again.read() == body  # made once after the end, then served as is
    await login(client, "host-b")
    assert (await client.get(f"/api/sessions/{session}/recording.mp4")).status == 403
    assert (await other_browser.get(f"/api/sessions/{session}/recording.mp4")).status == 401

    # a publish to the ended session is refused
    pc, _, offer = await publisher_offer()
    again = await other_browser.post(
        f"/api/sessions/{session}/whip", data=offer, headers={**SDP, "Authorization": f"Bearer {key}"}
    )
    assert again.status == 409
    assert (await again.json())["error"] == "ended"
    await pc.close()
    await viewers[0].close()
    await host.pc.close()

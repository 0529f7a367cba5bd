"""Fixtures of the archive tests: the demo seed, and a session that really went live and ended."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from live.keys import SERVICES
from tests.conftest import World, login


@pytest.fixture
async def demo(client: TestClient[Any, Any]) -> None:
    """The demo subdistrict: 10 communities with 3 ended sessions each."""
    from live.services.demo import seed_demo

    services = client.app[SERVICES]
    assert await seed_demo(services.db, services.clock)


@pytest.fixture
async def ended_session(client: TestClient[Any, Any], world: World) -> str:
    """A hexie session that host-a started and ended through the API; returns its id."""
    csrf = await login(client, "host-a")
    headers = {"X-CSRF-Token": csrf}
    created = await client.post(
        "/api/sessions", json={"community": "hexie", "title": "回看测试"}, headers=headers
    )
    session_id = str((await created.json())["id"])
    assert (await client.post(f"/api/sessions/{session_id}/start", headers=headers)).status == 200
    assert (await client.post(f"/api/sessions/{session_id}/end", headers=headers)).status == 200
    await client.post("/api/auth/logout", headers=headers)
    return session_id


def write_hls_recording(folder: Path, seconds: int = 12, fps: int = 10) -> float:
    """A real H.264 HLS recording (VOD playlist ending with #EXT-X-ENDLIST); returns its length."""
    import av

    folder.mkdir(parents=True, exist_ok=True)
    output = av.open(
        str(folder / "index.m3u8"),
        "w",
        format="hls",
        options={
            "hls_time": "2",
            "hls_list_size": "0",
            "hls_playlist_type": "vod",
            "hls_segment_filename": str(folder / "seg%d.ts"),
        },
    )
    stream = output.add_stream("libx264", rate=fps)
    stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
    stream.options = {"preset": "ultrafast", "g": str(fps * 2), "profile": "baseline"}
    for index in range(seconds * fps):
        frame = av.VideoFrame(320, 240, "yuv420p")
        shade = 16 + (index * 7) % 200
        for number, plane in enumerate(frame.planes):
            plane.update(bytes([shade if number == 0 else 128]) * plane.buffer_size)
        frame.pts = index
        frame.time_base = Fraction(1, fps)
        for packet in stream.encode(frame):
            output.mux(packet)
    for packet in stream.encode():
        output.mux(packet)
    output.close()
    return float(seconds)

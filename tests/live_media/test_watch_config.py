"""The watch page offers the HLS ladder's playlists only when broadcasts are muxed as the ladder
(LIVE_HLS_LADDER, read by the media hub; the page asks ``Streams.ladder``)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from live.settings import Settings
from tests.conftest import World, login


@pytest.fixture(params=[True, False], ids=["ladder", "no-ladder"])
def settings(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    return Settings(
        database_url=db_url, data_dir=tmp_path / "data", secret="test-secret", hls_ladder=request.param
    )


async def test_watch_page_names_the_ladder_only_when_it_is_made(
    client: TestClient[Any, Any], world: World, settings: Settings, sqlite_only: None
) -> None:
    csrf = await login(client, "host-a")
    created = await client.post(
        "/api/sessions",
        json={"community": "hexie", "title": "阶梯", "scheduled_at": "2026-12-01T11:00:00Z"},
        headers={"X-CSRF-Token": csrf},
    )
    assert created.status == 201
    session = (await created.json())["id"]
    page = await (await client.get(f"/live/{session}")).text()
    match = re.search(r'id="watch" data-config="([^"]*)"', page)
    assert match, "the watch page carries its config"
    config = json.loads(html.unescape(match.group(1)))
    assert config["hls"] == f"/hls/{session}/index.m3u8"
    if settings.hls_ladder:
        assert config["hlsMaster"] == f"/hls/{session}/master.m3u8"
        assert config["hlsAudio"] == f"/hls/{session}/audio/index.m3u8"
    else:
        assert config["hlsMaster"] is None and config["hlsAudio"] is None

"""The archive list and one session's replay page, through real HTTP on both databases."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from live.keys import SERVICES
from live.storage.chat import Message
from live.storage.opinions import Opinion
from live.storage.rooms import LiveSession


async def _ended_ids(client: TestClient[Any, Any], community: str | None = None) -> list[str]:
    """Ended sessions latest first by when they took place (the archive's order)."""
    query = "/api/sessions?status=ended" + (f"&community={community}" if community else "")
    sessions = await (await client.get(query)).json()
    ordered = sorted(sessions, key=lambda s: (s["started_at"] or s["ended_at"], int(s["id"])), reverse=True)
    return [s["id"] for s in ordered]


async def test_archive_lists_past_sessions_with_totals(client: TestClient[Any, Any], demo: None) -> None:
    response = await client.get("/archive")
    assert response.status == 200
    html = await response.text()
    totals = html.split('data-testid="archive-totals"')[1].split("</ul>")[0]
    numbers = [int(n) for n in re.findall(r"<strong>(\d+)</strong>", totals)]
    services = client.app[SERVICES]
    async with services.db.read() as s:
        ended = list((await s.execute(select(LiveSession).where(LiveSession.status == "ended"))).scalars())
        opinions = (await s.execute(select(Opinion).where(Opinion.session_id.is_not(None)))).scalars()
        session_opinions = len([o for o in opinions if o.session_id in {e.id for e in ended}])
    # broadcasts, viewers (unique, summed), opinions, resolved agenda items (1 per demo community)
    assert numbers == [30, sum(e.unique_viewers for e in ended), session_opinions, 10]
    assert "往期回看" in html and "场直播" in html
    assert html.count('class="archive-card"') == 20  # one page


async def test_archive_filters_by_community_and_pages(client: TestClient[Any, Any], demo: None) -> None:
    hexie = await (await client.get("/archive?community=hexie")).text()
    cards = re.findall(r'data-session-id="(\d+)"', hexie)
    assert cards == await _ended_ids(client, "hexie")
    assert "幸福社区第" not in hexie.split('data-testid="archive-list"')[1]
    assert "<strong>3</strong>" in hexie  # three broadcasts in hexie
    first = await (await client.get("/archive")).text()
    older = re.search(r'data-testid="archive-older" href="([^"]+)"', first)
    assert older is not None
    second = await (await client.get(older.group(1).replace("&amp;", "&"))).text()
    ids = re.findall(r'data-session-id="(\d+)"', first) + re.findall(r'data-session-id="(\d+)"', second)
    assert ids == await _ended_ids(client)
    assert 'data-testid="archive-older"' not in second
    assert (await client.get("/archive?community=nowhere")).status == 404
    assert (await client.get("/archive?after=x")).status == 400


async def test_replay_page_shows_chat_opinions_and_chart(client: TestClient[Any, Any], demo: None) -> None:
    session_id = (await _ended_ids(client, "hexie"))[0]
    response = await client.get(f"/archive/{session_id}")
    assert response.status == 200
    html = await response.text()
    assert 'data-testid="no-recording"' in html and 'data-testid="video"' not in html
    services = client.app[SERVICES]
    async with services.db.read() as s:
        messages = list(
            (await s.execute(select(Message).where(Message.session_id == int(session_id)))).scalars()
        )
        opinions = list(
            (await s.execute(select(Opinion).where(Opinion.session_id == int(session_id)))).scalars()
        )
    chat = html.split('data-testid="chat-list"')[1].split("</ol>")[0]
    offsets = [int(n) for n in re.findall(r'data-offset-ms="(\d+)"', chat)]
    assert offsets == sorted(m.offset_ms for m in messages)
    for message in messages:
        assert f'data-message-id="{message.id}"' in chat and message.text in chat
    shown = [o for o in opinions if o.status not in ("rejected", "merged")]  # merged: see the survivor
    listed = html.split('data-testid="replay-opinions"')[1].split("</ol>")[0]
    assert re.findall(r'data-opinion-id="(\d+)"', listed) == [
        str(o.id) for o in sorted(shown, key=lambda o: (o.offset_ms, o.id))
    ]
    for opinion in shown:
        assert f'href="?t={opinion.offset_ms // 1000}#player"' in listed
    points = re.search(r'<polyline points="([^"]+)" fill="none"', html)
    assert points is not None and len(points.group(1).split()) == 46  # one sample a minute


async def test_replay_page_seeks_and_hides_what_residents_must_not_see(
    client: TestClient[Any, Any], demo: None
) -> None:
    session_id = int((await _ended_ids(client, "xingfu"))[0])
    services = client.app[SERVICES]
    async with services.db.transaction() as s:
        first = (
            (await s.execute(select(Message).where(Message.session_id == session_id).order_by(Message.id)))
            .scalars()
            .first()
        )
        assert first is not None
        first.status = "hidden"
        hidden_id = first.id
    html = await (await client.get(f"/archive/{session_id}?t=300")).text()
    assert 'data-start="300.0"' in html
    assert f'data-message-id="{hidden_id}"' not in html
    for bad in ("abc", "-5", "inf", "nan"):
        assert 'data-start=""' in await (await client.get(f"/archive/{session_id}?t={bad}")).text()
    assert 'data-start="2700.0"' in await (await client.get(f"/archive/{session_id}?t=99999")).text()
    assert (await client.get("/archive/999999")).status == 404


async def test_live_or_scheduled_session_redirects_to_its_watch_page(
    client: TestClient[Any, Any], demo: None
) -> None:
    upcoming = (await (await client.get("/api/sessions?status=scheduled&community=hexie")).json())[0]
    response = await client.get(f"/archive/{upcoming['id']}", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == f"/live/{upcoming['id']}"


async def test_replay_plays_a_kept_recording(
    client: TestClient[Any, Any], ended_session: str, settings: Any
) -> None:
    folder = settings.data_dir / "hls" / ended_session
    folder.mkdir(parents=True)
    (folder / "index.m3u8").write_text("#EXTM3U\n#EXT-X-ENDLIST\n")
    html = await (await client.get(f"/archive/{ended_session}")).text()
    video = re.search(r'<video data-testid="video"[^>]*>', html)
    assert video is not None and f'src="/hls/{ended_session}/index.m3u8"' in video.group(0)
    assert 'data-testid="no-recording"' not in html
    listing = await (await client.get("/archive")).text()
    assert "回看测试" in listing and 'class="badge rec"' in listing
    english = await (await client.get(f"/archive/{ended_session}?lang=en")).text()
    assert "Chat replay" in english and "Nobody chatted during this broadcast." in english

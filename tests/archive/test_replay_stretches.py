"""A long broadcast's chat replay is read by stretches, never whole: the page carries one
stretch around the chosen moment (with links to the earlier and later ones, for a page without
JavaScript), and in Chromium the replay reads the others as the scrubber moves."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from live.keys import SERVICES
from live.services.archive import REPLAY_PAGE
from live.storage.chat import Message
from live.storage.rooms import LiveSession

MESSAGES = 800  # one every 3 s over 40 minutes: more than two stretches


async def _long_chat(client: TestClient[Any, Any], session_id: str) -> list[int]:
    """MESSAGES visible messages, 3 s apart, and two hidden ones; their offsets (ms)."""
    services = client.app[SERVICES]
    offsets = [3000 * (n + 1) for n in range(MESSAGES)]
    async with services.db.transaction() as s:
        session = await s.get(LiveSession, int(session_id))
        assert session is not None and session.started_at is not None
        for n, offset in enumerate(offsets):
            s.add(
                Message(
                    session_id=session.id,
                    community_id=session.community_id,
                    author_key=f"g:t{n % 7}",
                    author_name=f"居民{n % 7}",
                    author_role="guest",
                    text=f"第{n}条留言",
                    created_at=session.started_at + timedelta(milliseconds=offset),
                    offset_ms=offset,
                )
            )
        for offset in (1500, 4500):
            s.add(
                Message(
                    session_id=session.id,
                    community_id=session.community_id,
                    author_key="g:spam",
                    author_name="广告",
                    author_role="guest",
                    text="已隐藏的广告",
                    created_at=session.started_at + timedelta(milliseconds=offset),
                    offset_ms=offset,
                    status="hidden",
                )
            )
        session.ended_at = session.started_at + timedelta(milliseconds=offsets[-1] + 60_000)
    return offsets


def _offsets(html: str) -> list[int]:
    chat = html.split('data-testid="chat-list"')[1].split("</ol>")[0]
    return [int(n) for n in re.findall(r'data-offset-ms="(\d+)"', chat)]


async def test_the_page_carries_one_stretch_with_links(
    client: TestClient[Any, Any], ended_session: str
) -> None:
    offsets = await _long_chat(client, ended_session)
    html = await (await client.get(f"/archive/{ended_session}")).text()
    assert f"({MESSAGES})" in html  # the count is of every visible message
    # no recording: the end of the chat, the last stretch, and a link to the earlier ones
    assert _offsets(html) == offsets[-REPLAY_PAGE:]
    assert "已隐藏的广告" not in html
    earlier = re.search(r'href="\?t=(\d+)#chat" data-testid="chat-earlier"', html)
    assert earlier is not None and 'data-testid="chat-later"' not in html
    # ?t= in the middle: from a minute before it, one stretch, and links both ways
    middle = await (await client.get(f"/archive/{ended_session}?t=1200")).text()
    shown = _offsets(middle)
    assert shown == [o for o in offsets if o >= 1_140_000][:REPLAY_PAGE]
    later = re.search(r'href="\?t=(\d+)#chat" data-testid="chat-later"', middle)
    assert later is not None and 'data-testid="chat-earlier"' in middle
    # following "later" carries on where the stretch stopped
    after = _offsets(await (await client.get(f"/archive/{ended_session}?t={later.group(1)}")).text())
    assert after[0] == shown[-1] and after[-1] == offsets[-1]


@pytest.mark.browser
async def test_the_replay_reads_the_chat_as_the_scrubber_moves(
    client: TestClient[Any, Any], ended_session: str, phone: Any, base_url: str
) -> None:
    offsets = await _long_chat(client, ended_session)
    page = await phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    await page.goto(f"{base_url}/archive/{ended_session}")
    visible = page.locator(".chat-replay li:visible")
    await expect(visible).to_have_count(REPLAY_PAGE)  # the whole last stretch, at the end
    assert await page.locator(".chat-replay li").count() == REPLAY_PAGE

    async def scrub(seconds: int) -> None:
        await page.get_by_test_id("replay-scrubber").evaluate(
            f"el => {{ el.value = '{seconds}'; el.dispatchEvent(new Event('input', {{bubbles: true}})); }}"
        )

    # back to 1:00, before the page's stretch: the replay reads the start of the chat
    await scrub(60)
    await expect(visible).to_have_count(len([o for o in offsets if o <= 60_000]))
    await expect(visible.first).to_have_text(re.compile(r"0:03\s*居民0\s*第0条留言"))
    # on to 20:00 in steps, as a player would go: the chat keeps up, stretch after stretch
    for seconds in range(120, 1201, 60):
        await scrub(seconds)
        await expect(visible).to_have_count(len([o for o in offsets if o <= seconds * 1000]))
    await expect(visible.last).to_have_text(re.compile(r"20:00\s*居民\d\s*第399条留言"))
    assert await page.locator(".chat-replay li").count() < MESSAGES  # never the whole chat
    assert "已隐藏的广告" not in await page.get_by_test_id("chat-list").inner_text()
    assert errors == []

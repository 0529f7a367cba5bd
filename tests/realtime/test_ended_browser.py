"""A broadcast that ends while residents watch, and its page opened afterwards, on a 360 px
phone in Debian's Chromium: the chat closes with it (no name to choose, no input, a link to the
replay with its chat), no new questions, and no empty player with a 0:00 bar."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from tests.realtime.conftest import Room


@pytest.fixture
def fanout() -> str:
    """Pages run on the default fan-out (both fan-outs are tested at the socket level)."""
    return "fast"


async def end(client: TestClient[Any, Any], room: Room) -> None:
    ended = await client.post(f"/api/sessions/{room.id}/end", headers={"X-CSRF-Token": room.host_csrf})
    assert ended.status == 200


async def test_the_chat_closes_when_the_broadcast_ends(
    client: TestClient[Any, Any], phone: Any, base_url: str, room: Room
) -> None:
    page = await phone.new_page()
    await page.route("**/whep*", lambda route: route.abort())  # about the chat, not the video
    await page.goto(f"{base_url}/live/{room.id}")
    await expect(page.get_by_test_id("chat-name-input")).to_be_visible()  # a newcomer picks a name
    await expect(page.get_by_test_id("chat-ended")).to_be_hidden()
    await expect(page.get_by_test_id("question-input")).to_be_visible()
    await expect(page.get_by_test_id("viewer-count")).not_to_have_text("0")  # joined

    await end(client, room)
    await expect(page.get_by_test_id("chat-ended")).to_be_visible()
    await expect(page.get_by_test_id("chat-name-input")).to_be_hidden()
    await expect(page.get_by_test_id("chat-input")).to_be_hidden()
    await expect(page.get_by_test_id("question-input")).to_be_hidden()
    await expect(page.get_by_test_id("chat-ended").get_by_role("link")).to_have_attribute(
        "href", f"/archive/{room.id}"
    )

    # Opened afterwards: the same closed state from the start, the figure of who watched.
    later = await phone.new_page()
    await later.goto(f"{base_url}/live/{room.id}")
    await expect(later.get_by_test_id("chat-ended")).to_be_visible()
    await expect(later.get_by_test_id("viewers-total")).to_contain_text("人观看")
    await expect(later.get_by_test_id("video")).to_have_js_property("controls", False)  # no recording
    await expect(later.get_by_test_id("chat-name-input")).to_be_hidden()
    await expect(later.get_by_test_id("question-input")).to_be_hidden()
    assert await later.get_by_test_id("viewer-count").count() == 0

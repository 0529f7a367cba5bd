"""The chat's states on a resident's 360 px phone, in Debian's Chromium: muted (told at once, for
how long, the input disabled; unmuted at once), a held message approved or refused, banned (a
notice in the reader's language, the input disabled; an opinion refused in the error colour)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from tests.realtime.conftest import Peer, Room

ERROR_COLOUR = "rgb(179, 38, 30)"  # --accent
OK_COLOUR = "rgb(30, 123, 52)"  # --ok


@pytest.fixture
def fanout() -> str:
    """Pages run on the default fan-out (both fan-outs are tested at the socket level)."""
    return "fast"


async def watch(context: Any, base_url: str, room: Room, name: str, lang: str = "") -> Any:
    page = await context.new_page()
    await page.route("**/whep*", lambda route: route.abort())  # about the chat, not the video
    await page.goto(f"{base_url}/live/{room.id}{'?lang=' + lang if lang else ''}")
    await page.get_by_test_id("chat-name-input").fill(name)
    await page.get_by_test_id("chat-name-save").click()
    await expect(page.get_by_test_id("viewer-count")).not_to_have_text("0")  # joined
    return page


async def author_of(page: Any, staff: Peer, room: Room, text: str) -> str:
    """Send ``text`` from the page; the author id the moderator's socket sees on it."""
    mark = staff.mark()
    await page.get_by_test_id("chat-input").fill(text)
    await page.get_by_test_id("chat-send").click()
    seen = await staff.wait_for("chat", lambda m: m["text"] == text, after=mark)
    return str(seen["author"]["id"])


async def moderate(staff: Peer, room: Room, action: str, **kw: Any) -> None:
    ack = await staff.call("moderate", {"session": room.id, "action": action, **kw})
    assert ack["ok"], ack


async def test_a_muted_resident_is_told_until_when_and_cannot_type(
    phone: Any, base_url: str, room: Room, staff: Peer
) -> None:
    page = await watch(phone, base_url, room, "王阿姨")
    person = await author_of(page, staff, room, "我先说一句")
    await moderate(staff, room, "mute", user=person, seconds=600, reason="刷屏")

    # told at once, before trying to write again
    note = page.get_by_test_id("chat-note")
    await expect(note).to_have_text(re.compile(r"你已被管理员禁言，到 \d{2}:\d{2} 为止（还剩 10 分钟）"))
    assert await note.evaluate("el => getComputedStyle(el).color") == ERROR_COLOUR
    await expect(page.get_by_test_id("chat-input")).to_be_disabled()
    await expect(page.get_by_test_id("chat-send")).to_be_disabled()
    placeholder = await page.get_by_test_id("chat-input").get_attribute("placeholder")
    assert re.fullmatch(r"禁言到 \d{2}:\d{2}", placeholder or "")

    # on coming back the page knows at once, from the join
    await page.reload()
    await expect(page.get_by_test_id("chat-input")).to_be_disabled()
    await expect(page.get_by_test_id("chat-note")).to_contain_text("还剩 10 分钟")

    # English reads "minutes" (and "1 minute" for the last one)
    english = await phone.new_page()  # the same phone (its name is remembered), in English
    await english.goto(f"{base_url}/live/{room.id}?lang=en")
    await expect(english.get_by_test_id("chat-note")).to_have_text(
        re.compile(r"A moderator muted you until .+ \(10 minutes left\)\. You can write again after that\.")
    )

    # lifting the mute is told at once too
    await moderate(staff, room, "unmute", user=person)
    await expect(page.get_by_test_id("chat-note")).to_have_text("禁言已结束，可以发言了。")
    await expect(page.get_by_test_id("chat-input")).to_be_enabled()
    await moderate(staff, room, "mute", user=person, seconds=2)
    await page.reload()
    await expect(page.get_by_test_id("chat-note")).to_contain_text("还剩 1 分钟")
    await expect(page.get_by_test_id("chat-input")).to_be_enabled(timeout=10000)  # the mute ran out
    await expect(page.get_by_test_id("chat-note")).to_have_text("禁言已结束，可以发言了。")


async def test_a_held_message_is_answered_when_a_moderator_decides(
    phone: Any, base_url: str, room: Room, staff: Peer, client: TestClient[Any, Any]
) -> None:
    from live.keys import SERVICES

    await client.app[SERVICES].words.add(["代开发票"])
    page = await watch(phone, base_url, room, "王阿姨")
    note = page.get_by_test_id("chat-note")
    for text, action, answer in (
        ("代开发票 第一条", "approve", "管理员已通过你的消息。"),
        ("代开发票 第二条", "hide", "管理员未通过你的消息。"),
    ):
        mark = staff.mark()
        await page.get_by_test_id("chat-input").fill(text)
        await page.get_by_test_id("chat-send").click()
        await expect(note).to_have_text("你的消息正在等待管理员审核。")
        held = await staff.wait_for("held", lambda m, t=text: m["text"] == t, after=mark)
        await moderate(staff, room, action, message=held["id"])
        await expect(note).to_have_text(answer)
    await page.get_by_test_id("chat-list").get_by_text("代开发票 第一条").wait_for()
    assert await page.get_by_test_id("chat-list").get_by_text("代开发票 第二条").count() == 0
    assert await note.evaluate("el => getComputedStyle(el).color") == ERROR_COLOUR  # the refusal


@pytest.mark.parametrize(
    ("lang", "chat_notice", "opinion_notice"),
    [
        ("", "你已被禁止在本社区聊天。如有疑问，请联系社区居委会。", "您在本社区暂时不能提意见"),
        (
            "en",
            "You can no longer chat in this community. Please talk to your community committee.",
            "You can no longer raise opinions in this community.",
        ),
    ],
)
async def test_a_banned_resident_sees_the_notice_in_their_language(
    phone: Any, base_url: str, room: Room, staff: Peer, lang: str, chat_notice: str, opinion_notice: str
) -> None:
    page = await watch(phone, base_url, room, "卖保健品的", lang=lang)
    person = await author_of(page, staff, room, "加微信领鸡蛋")
    await moderate(staff, room, "ban", user=person, reason="发广告")

    note = page.get_by_test_id("chat-note")
    await expect(note).to_have_text(chat_notice)  # not "connecting, try again"
    assert await note.evaluate("el => getComputedStyle(el).color") == ERROR_COLOUR
    await expect(page.get_by_test_id("chat-input")).to_be_disabled()
    await expect(page.get_by_test_id("chat-send")).to_be_disabled()
    # the same after a reload
    await page.reload()
    await expect(page.get_by_test_id("chat-note")).to_have_text(chat_notice)
    await expect(page.get_by_test_id("chat-input")).to_be_disabled()

    await page.get_by_test_id("opinion-input").fill("楼道里堆了很多杂物")
    await page.get_by_test_id("opinion-submit").click()
    status = page.locator('[data-role="opinion-status"]')
    await expect(status).to_contain_text(opinion_notice)
    assert "banned" not in (await status.inner_text())  # no raw API text
    assert await status.evaluate("el => getComputedStyle(el).color") == ERROR_COLOUR
    assert OK_COLOUR != ERROR_COLOUR


async def test_an_opinion_merged_while_on_screen_loses_its_me_too(
    phone: Any, base_url: str, room: Room, client: TestClient[Any, Any]
) -> None:
    page = await watch(phone, base_url, room, "王阿姨")
    ids = []
    for text in ("三号楼电梯又坏了", "3号楼电梯停了好几天"):
        await page.get_by_test_id("opinion-input").fill(text)
        await page.get_by_test_id("opinion-submit").click()
        card = page.get_by_test_id("session-opinions").locator("li", has_text=text)
        await card.wait_for()
        ids.append(await card.get_attribute("data-opinion-id"))
    first = page.locator(f'[data-opinion-id="{ids[0]}"]')
    # the card has its "me too" (pressed: the author supports their own opinion)
    await expect(first.get_by_test_id("support")).to_have_count(1)
    merged = await client.post(
        f"/api/opinions/{ids[0]}/merge", json={"into": int(ids[1])}, headers={"X-CSRF-Token": room.host_csrf}
    )
    assert merged.status == 200, await merged.text()
    await expect(first.get_by_test_id("opinion-merged")).to_have_text("已与相似意见合并")
    await expect(first.get_by_test_id("support")).to_have_count(0)
    await page.reload()  # and so it stays
    again = page.locator(f'[data-opinion-id="{ids[0]}"]')
    await expect(again.get_by_test_id("opinion-merged")).to_have_count(1)
    await expect(again.get_by_test_id("support")).to_have_count(0)

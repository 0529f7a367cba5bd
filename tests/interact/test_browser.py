"""Chromium: a poll opened by the host appears on a phone's watch page and counts its vote; a
question is asked there; the presenter view shows the question being answered; staff check a
registration in at the door by its typed code, and by its QR code shown to a fake camera."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from PIL import Image
from playwright.async_api import expect

from live.clock import FakeClock
from live.http.qr import qr_code
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD, close_context
from tests.interact.conftest import People, stairwell_meeting
from tests.realtime.conftest import Room, room  # noqa: F401
from tests.realtime.test_chat_browser import open_watch_page


async def sign_in(context: Any, base_url: str, username: str, next_path: str) -> Any:
    page = await context.new_page()
    await page.goto(f"{base_url}/login?next={next_path}")
    await page.get_by_test_id("login-username").fill(username)
    await page.get_by_test_id("login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await page.wait_for_url(f"{base_url}{next_path}")
    return page


async def test_poll_question_and_presenter_in_chromium(
    client: TestClient[Any, Any],
    browser: Any,
    phone: Any,
    base_url: str,
    room: Room,  # noqa: F811
    people: People,
) -> None:
    watch = await open_watch_page(phone, base_url, room, "王阿姨")
    host_context = await browser.new_context()
    try:
        host = await sign_in(host_context, base_url, "host-a", f"/host/{room.id}")
        await host.route("**/whip*", lambda route: route.abort())
        await host.get_by_test_id("poll-form").locator("xpath=..").locator("summary").click()
        await host.get_by_test_id("poll-question").fill("周末停车怎么安排？")
        await host.get_by_test_id("poll-options").fill("划线车位\n错峰停车")
        await host.get_by_test_id("poll-open").click()

        card = watch.get_by_test_id("poll")
        await expect(card).to_contain_text("周末停车怎么安排？")
        await card.get_by_test_id("poll-option").first.check()
        await card.get_by_test_id("poll-vote").click()
        await expect(card.get_by_test_id("poll-voters")).to_have_text("1")
        await expect(host.get_by_test_id("poll").get_by_test_id("poll-voters")).to_have_text("1")

        await watch.get_by_test_id("question-input").fill("充电桩装在哪里？")
        await watch.get_by_test_id("question-submit").click()
        row = host.get_by_test_id("question-list").locator("li", has_text="充电桩装在哪里？")
        await row.get_by_test_id("question-answering").click()
        await expect(watch.get_by_test_id("question-list")).to_contain_text("充电桩装在哪里？")

        presenter = await host_context.new_page()
        await presenter.goto(f"{base_url}/host/{room.id}/presenter")
        await expect(presenter.get_by_test_id("presenter-question")).to_have_text("充电桩装在哪里？")
        await row.get_by_test_id("question-answered").click()
        await expect(presenter.get_by_test_id("presenter-empty")).to_be_visible()
        assert await watch.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        await close_context(host_context)


async def test_check_in_by_typed_code_in_chromium(
    browser: Any, phone: Any, base_url: str, people: People, clock: FakeClock
) -> None:
    mod = await people("mod-a")
    made = await stairwell_meeting(mod, clock)
    resident = await people()
    status, reg = await resident.call("POST", f"/api/meetings/{made['id']}/registrations", {"name": "王阿姨"})
    assert status == 201
    page = await sign_in(phone, base_url, "mod-a", f"/meetings/{made['id']}/checkin")
    await expect(page.get_by_test_id("checkin-list")).to_contain_text("王阿姨")
    await page.get_by_test_id("checkin-code").fill(reg["code"].lower())
    await page.get_by_test_id("checkin-submit").click()
    await expect(page.get_by_test_id("checkin-result")).to_have_text("已签到：王阿姨")
    await expect(page.get_by_test_id("checkin-counts")).to_have_text("1 / 1")
    await page.get_by_test_id("checkin-code").fill(reg["code"])
    await page.get_by_test_id("checkin-submit").click()
    await expect(page.get_by_test_id("checkin-result")).to_have_text("已签到过了")
    await page.get_by_test_id("checkin-code").fill("ZZZZ2222")
    await page.get_by_test_id("checkin-submit").click()
    await expect(page.get_by_test_id("checkin-result")).to_have_text("没有这个签到码的报名")


def qr_y4m(code: str, path: Path, width: int = 640, height: int = 480) -> Path:
    """A fake camera's picture: the registration code's QR (segno) on white, as a Y4M video
    (planar YUV 4:2:0, made with Pillow) for ``--use-file-for-fake-video-capture``."""
    qr = qr_code(code)  # what the registration's qr.svg draws
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=10, border=4)
    picture = Image.new("RGB", (width, height), "white")
    symbol = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    picture.paste(symbol, ((width - symbol.width) // 2, (height - symbol.height) // 2))
    y, cb, cr = picture.convert("YCbCr").split()
    half = (width // 2, height // 2)
    frame = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            out.write(b"FRAME\n" + frame)
    return path


async def test_check_in_by_a_qr_code_shown_to_the_camera_in_chromium(
    client: TestClient[Any, Any],
    chromium: Any,
    base_url: str,
    people: People,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    """The door's phone scans the registration's QR code with its camera (a Chromium whose fake
    camera shows that QR): the resident is checked in, the meeting's attendance and its record
    (the minutes section of its page) say so."""
    mod = await people("mod-a")
    status, made = await mod.call(
        "POST",
        "/api/meetings",
        {
            "community": "hexie",
            "format": "roundtable",
            "title": "停车议事圆桌会",
            "starts_at": (clock.now() + timedelta(days=1)).isoformat(),
            "place": "社区活动室",
            "agenda": [],
        },
    )
    assert status == 201
    status, other = await (await people()).call(
        "POST", f"/api/meetings/{made['id']}/registrations", {"name": "李叔"}
    )
    assert status == 201
    status, reg = await (await people()).call(
        "POST", f"/api/meetings/{made['id']}/registrations", {"name": "王阿姨"}
    )
    assert status == 201
    camera = qr_y4m(reg["code"], tmp_path / "qr.y4m")
    door = await chromium.browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={camera}"],
        headless=True,
    )
    try:
        phone = await door.new_context(
            viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True
        )
        page = await sign_in(phone, base_url, "mod-a", f"/meetings/{made['id']}/checkin")
        await expect(page.get_by_test_id("checkin-list")).to_contain_text("王阿姨")
        await page.get_by_test_id("checkin-scan").click()
        await expect(page.get_by_test_id("checkin-result")).to_have_text("已签到：王阿姨", timeout=20000)
        await expect(page.get_by_test_id("checkin-counts")).to_have_text("1 / 2")
        # Debian's Chromium has no BarcodeDetector: the frames were read by jsQR
        has_detector = await page.evaluate("() => 'BarcodeDetector' in window")
        decoder = await page.get_by_test_id("checkin-video").get_attribute("data-decoder")
        assert decoder == ("barcode-detector" if has_detector else "jsqr")
        # the same code held in front of the camera later is not a second arrival
        await expect(page.get_by_test_id("checkin-result")).to_have_text("已签到过了", timeout=20000)

        status, meeting = await mod.call("GET", f"/api/meetings/{made['id']}")
        assert (meeting["attended"], meeting["attendance"], meeting["registered"]) == (1, 1, 2)
        status, regs = await mod.call("GET", f"/api/meetings/{made['id']}/registrations")
        came = {r["name"]: r["checked_in_at"] for r in regs}
        assert came["王阿姨"] is not None and came["李叔"] is None and other["id"]
        record = await phone.new_page()
        await record.goto(f"{base_url}/meetings/{made['id']}")
        await expect(record.get_by_test_id("meeting-attendance")).to_have_text("出席：1 人")
        await expect(record.get_by_test_id("meeting-attendees")).to_contain_text("王阿姨")
        await expect(record.get_by_test_id("meeting-attendees")).not_to_contain_text("李叔")
    finally:
        await door.close()
    # residents see the attendance, not who came
    status, _ = await mod.call("PATCH", f"/api/meetings/{made['id']}", {"minutes": "同意划线停车。"})
    assert status == 200
    public = await (await people()).http.get(f"/meetings/{made['id']}")
    html = await public.text()
    assert "出席：1 人" in html and "同意划线停车。" in html and "王阿姨" not in html

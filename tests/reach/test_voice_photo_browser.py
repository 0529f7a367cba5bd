"""In Chromium with the fake microphone: a resident holds to record a voice opinion and adds a
photo carrying GPS; the server keeps the voice (AAC/MP4) and the photo without its metadata; a
moderator plays the voice in triage and types its text."""

from __future__ import annotations

import io
from typing import Any

from aiohttp.test_utils import TestClient
from PIL import Image

from tests.conftest import World, login
from tests.opinions.conftest import Api
from tests.reach.pages import sign_in
from tests.reach.samples import GPS_IFD, jpeg_with_gps


async def test_voice_and_photo_opinion_end_to_end(
    client: TestClient[Any, Any], world: World, browser: Any, base_url: str, tmp_path: Any
) -> None:
    host = Api(client, await login(client, "host-a"))
    session = await host.post("/api/sessions", {"community": "hexie", "title": "居民议事"}, expect=201)
    await host.post(f"/api/sessions/{session['id']}/start")
    photo_path = tmp_path / "IMG_2041.jpg"
    photo_path.write_bytes(jpeg_with_gps((1600, 1200)))
    assert Image.open(photo_path).getexif().get_ifd(GPS_IFD)

    resident = await browser.new_context(viewport={"width": 360, "height": 740})
    page = await resident.new_page()
    await page.goto(f"{base_url}/live/{session['id']}")
    record = page.get_by_test_id("voice-record")
    await record.scroll_into_view_if_needed()
    box = await record.bounding_box()
    assert box is not None
    await page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    await page.mouse.down()
    await page.wait_for_function(
        "() => Number(document.querySelector('[data-testid=voice-record]').dataset.seconds || 0) >= 2.5",
        timeout=15_000,
    )
    await page.mouse.up()
    await page.wait_for_function(
        "() => document.querySelector('[data-role=voice]').dataset.voice === 'recorded'", timeout=10_000
    )
    await page.get_by_test_id("opinion-photos").set_input_files(str(photo_path))
    await page.get_by_test_id("opinion-submit").click()
    status = page.locator('[data-role="opinion-status"]')
    await page.wait_for_function(
        "() => document.querySelector('[data-role=opinion-status]').textContent.trim() !== ''", timeout=20_000
    )
    assert await status.inner_text() == "谢谢！您的意见已收到。", await status.inner_text()
    card = page.locator('[data-testid="session-opinions"] [data-testid="opinion-voice"]')
    await card.first.wait_for(timeout=20_000)

    listed = await (await client.get(f"/api/opinions?session={session['id']}")).json()
    [opinion] = listed
    assert opinion["text"] == "" and opinion["voice"] is not None
    assert 2.0 <= opinion["voice"]["duration_s"] <= 4.5, opinion["voice"]
    [photo] = opinion["photos"]
    stored = Image.open(io.BytesIO(await (await client.get(photo["url"])).read()))
    assert not stored.getexif().get_ifd(GPS_IFD) and len(stored.getexif()) == 0
    assert stored.size == (1200, 1600), "upright (EXIF orientation applied), then stripped"
    await resident.close()

    # the moderator plays it in triage and types what was said
    staff = await browser.new_context(viewport={"width": 1024, "height": 900})
    mod = await staff.new_page()
    await sign_in(mod, base_url, "mod-a")
    await mod.goto(f"{base_url}/triage")
    item = mod.locator(f'[data-testid="triage-item"][data-opinion-id="{opinion["id"]}"]')
    await item.wait_for(timeout=20_000)
    voice = item.get_by_test_id("opinion-voice")
    await voice.evaluate("a => { a.muted = true; return a.play(); }")
    await mod.wait_for_function(
        '(id) => { const a = document.querySelector(`[data-opinion-id="${id}"] [data-testid=opinion-voice]`);'
        " return a && a.currentTime > 0.5 && (a.webkitAudioDecodedByteCount || 0) > 0; }",
        arg=opinion["id"],
        timeout=20_000,
    )
    assert await item.get_by_test_id("opinion-photo").count() == 1
    await item.get_by_test_id("triage-transcript").fill("三栋门口的路灯坏了")
    await item.get_by_test_id("triage-transcript-save").click()
    await mod.wait_for_function("() => document.body.innerText.includes('文字已保存')", timeout=15_000)
    fresh = await (await client.get(f"/api/opinions/{opinion['id']}")).json()
    assert fresh["text"] == "三栋门口的路灯坏了" and fresh["voice"] == opinion["voice"]
    await staff.close()

"""Voice and photo opinions over real HTTP: multipart/form-data, content checks, limits, GPS
stripped, files durable and served, moderators type the text of a voice message."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import aiohttp
import av
from aiohttp.test_utils import TestClient
from PIL import Image

from live.settings import Settings
from tests.conftest import World, login
from tests.opinions.conftest import guest_api
from tests.reach.samples import GPS_IFD, jpeg_with_gps, voice


def form(fields: dict[str, str], files: list[tuple[str, bytes, str, str]]) -> aiohttp.FormData:
    data = aiohttp.FormData()
    for key, value in fields.items():
        data.add_field(key, value)
    for name, content, filename, kind in files:
        data.add_field(name, content, filename=filename, content_type=kind)
    return data


async def post_form(
    http: Any, csrf: str, fields: dict[str, str], files: list[tuple[str, bytes, str, str]]
) -> tuple[int, Any]:
    response = await http.post("/api/opinions", data=form(fields, files), headers={"X-CSRF-Token": csrf})
    return response.status, await response.json()


async def test_voice_and_photos_arrive_clean(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession, settings: Settings
) -> None:
    guest = await guest_api(other_browser)
    photo = jpeg_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(GPS_IFD), "the sample carries GPS"
    status, opinion = await post_form(
        other_browser,
        guest.csrf,
        {"community": "hexie", "text": "", "category": "facilities"},
        [
            ("voice", voice(4.0), "voice.webm", "audio/webm;codecs=opus"),
            ("photo", photo, "IMG_0001.jpg", "image/jpeg"),
            ("photo", photo, "IMG_0002.jpg", "image/jpeg"),
        ],
    )
    assert status == 201, opinion
    assert opinion["text"] == "" and opinion["status"] == "new" and opinion["category"] == "facilities"
    assert 3.8 <= opinion["voice"]["duration_s"] <= 4.3
    assert len(opinion["photos"]) == 2
    stored = settings.data_dir / "uploads"
    # durable before the answer: the files are in place, whole, under LIVE_DATA_DIR
    assert not list(stored.glob("*.part"))
    audio = await client.get(opinion["voice"]["url"])
    assert audio.status == 200 and audio.content_type == "audio/mp4"
    with av.open(io.BytesIO(await audio.read())) as clip:
        [stream] = clip.streams
        assert stream.type == "audio" and stream.codec_context.name == "aac"
    for p in opinion["photos"]:
        full = await client.get(p["url"])
        assert full.status == 200 and full.content_type == "image/jpeg"
        image = Image.open(io.BytesIO(await full.read()))
        exif = image.getexif()
        assert not exif.get_ifd(GPS_IFD) and len(exif) == 0, "no metadata left"
        assert "exif" not in image.info and max(image.size) <= 1600
        assert image.size == (1200, 1600), "turned upright by its orientation, then resized"
        thumb = Image.open(io.BytesIO(await (await client.get(p["thumb"])).read()))
        assert max(thumb.size) <= 320 and not thumb.getexif()
    # the original bytes are kept nowhere
    for path in stored.iterdir():
        assert b"PhoneMaker" not in path.read_bytes()
    listed = await (await client.get("/api/opinions?community=hexie")).json()
    assert listed[0]["voice"] == opinion["voice"] and listed[0]["photos"] == opinion["photos"]

    # a moderator listens and types what was said; the voice stays attached
    mod_csrf = await login(client, "mod-a")
    typed = await client.patch(
        f"/api/opinions/{opinion['id']}", json={"text": "三栋的路灯坏了"}, headers={"X-CSRF-Token": mod_csrf}
    )
    assert typed.status == 200
    body = await typed.json()
    assert body["text"] == "三栋的路灯坏了" and body["voice"] == opinion["voice"]
    refused = await other_browser.patch(
        f"/api/opinions/{opinion['id']}", json={"text": "x"}, headers={"X-CSRF-Token": guest.csrf}
    )
    assert refused.status in (401, 403)


async def test_ios_recording_and_wrong_files(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession, settings: Settings
) -> None:
    guest = await guest_api(other_browser)
    base = {"community": "hexie", "text": "听我说"}
    status, ios = await post_form(
        other_browser, guest.csrf, base, [("voice", voice(2.0, fmt="mp4", codec="aac"), "v.mp4", "audio/mp4")]
    )
    assert status == 201 and 1.9 <= ios["voice"]["duration_s"] <= 2.3 and ios["text"] == "听我说"

    photo = jpeg_with_gps((400, 300))
    cases = [
        ([("voice", photo, "v.webm", "audio/webm")], 400, "bad_file"),
        ([("voice", b"RIFF....WAVEfmt nonsense", "v.wav", "audio/wav")], 400, "bad_file"),
        ([("photo", voice(1.0), "p.jpg", "image/jpeg")], 400, "bad_file"),
        ([("photo", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "p.png", "image/png")], 400, "bad_file"),
        ([("voice", voice(62.0), "v.webm", "audio/webm")], 400, "too_long"),
        ([("photo", photo, "p.jpg", "image/jpeg")] * 4, 400, "too_many_photos"),
        ([("voice", b"\0" * (5 * 1024 * 1024 + 1), "v.webm", "audio/webm")], 413, "too_large"),
        ([("photo", b"\xff\xd8" + b"\0" * (15 * 1024 * 1024), "p.jpg", "image/jpeg")], 413, "too_large"),
    ]
    for files, expect, code in cases:
        status, body = await post_form(other_browser, guest.csrf, base, files)
        assert (status, body.get("error")) == (expect, code), (files[0][2], status, body)
    status, body = await post_form(other_browser, guest.csrf, {"community": "hexie"}, [])
    assert status == 400, "no text and no voice"
    # refused uploads leave nothing behind
    names = {p.name for p in (settings.data_dir / "uploads").iterdir()}
    assert names == {ios["voice"]["url"].rsplit("/", 1)[1]}
    # the stored file: its link is the capability; no shared cache may keep a copy
    stored = await client.get(ios["voice"]["url"])
    assert stored.status == 200 and stored.headers["Cache-Control"].startswith("private")
    assert (
        stored.headers["Content-Type"] == "audio/mp4"
        and stored.headers["X-Content-Type-Options"] == "nosniff"
    )
    assert (await client.get("/uploads/../secret.key")).status == 404
    assert (await client.get("/uploads/aaaaaaaaaaaaaaaaaaaaaaaa.m4a")).status == 404


async def test_plain_form_with_csrf_field(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession, tmp_path: Path
) -> None:
    """A form that carries its CSRF token as a field (no header) works too."""
    guest = await guest_api(other_browser)
    data = form(
        {"community": "hexie", "text": "门口的灯", "csrf": guest.csrf},
        [("photo", jpeg_with_gps((640, 480), rotate=False), "p.jpg", "image/jpeg")],
    )
    response = await other_browser.post("/api/opinions", data=data)
    body = await response.json()
    assert response.status == 201, body
    assert len(body["photos"]) == 1 and body["voice"] is None

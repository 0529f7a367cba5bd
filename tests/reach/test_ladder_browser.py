"""In Chromium: the HLS ladder's three renditions each play (hls.js), the audio-only one with no
video track; the watch page's "只听声音" switches to it."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import World
from tests.live_media.peers import whip
from tests.live_media.test_whip_whep import create_session
from tests.media.synthetic import wait_until

PLAY = """async ([url, video]) => {
  await new Promise((resolve, reject) => {
    if (window.Hls) return resolve();
    const s = document.createElement('script');
    s.src = '/static/vendor/hls.min.js'; s.onload = resolve; s.onerror = reject; document.head.append(s);
  });
  const el = document.createElement(video ? 'video' : 'audio');
  el.muted = true; el.autoplay = true; el.id = 'probe';
  document.body.append(el);
  const hls = new Hls({liveSyncDurationCount: 2});
  window.probeHls = hls;
  hls.loadSource(url); hls.attachMedia(el);
  await el.play().catch(() => {});
}"""

PROBE = """() => { const v = document.getElementById('probe');
  return {t: v.currentTime, w: v.videoWidth || 0, h: v.videoHeight || 0, paused: v.paused,
          audio: v.webkitAudioDecodedByteCount || 0, video: v.webkitVideoDecodedByteCount || 0}; }"""


async def _plays(page: Any, base_url: str, url: str, *, video: bool) -> dict[str, Any]:
    await page.goto(f"{base_url}/login")  # any page of the site: hls.js comes from /static/
    await page.evaluate(PLAY, [url, video])
    await page.wait_for_function(
        "() => { const v = document.getElementById('probe'); return v && v.currentTime > 1.5 && !v.paused; }",
        timeout=40_000,
    )
    return dict(await page.evaluate(PROBE))


async def test_every_rendition_plays(
    client: TestClient[Any, Any], world: World, browser: Any, base_url: str, db_backend: str
) -> None:
    session, key, _ = await create_session(client)
    host = await whip(client, session, key)
    try:
        from live.keys import MEDIA_HUB
        from media.hls_playlist import read_playlist

        directory = client.app[MEDIA_HUB].hls_dir(int(session))

        def ready() -> bool:
            lists = [read_playlist(directory / sub) for sub in ("", "low", "audio")]
            return all(p is not None and len(p.segments) >= 3 for p in lists)

        await wait_until(ready, 40, "three segments in every rendition")
        master = await client.get(f"/hls/{session}/master.m3u8")
        assert master.status == 200 and master.content_type == "application/vnd.apple.mpegurl"
        text = await master.text()
        uris = [line for line in text.splitlines() if line and not line.startswith("#")]
        assert uris == ["index.m3u8", "low/index.m3u8", "audio/index.m3u8"]
        assert (await client.get(f"/hls/{session}/index.m3u8")).status == 200, "index stays the full one"

        page = await browser.new_page()
        try:
            full = await _plays(page, base_url, f"/hls/{session}/index.m3u8", video=True)
            assert full["w"] > 0 and full["audio"] > 0
            low = await _plays(page, base_url, f"/hls/{session}/low/index.m3u8", video=True)
            assert 0 < low["w"] <= 640 and 0 < low["h"] <= 360 and low["audio"] > 0
            sound = await _plays(page, base_url, f"/hls/{session}/audio/index.m3u8", video=True)
            assert sound["w"] == 0 and sound["video"] == 0, "no video track"
            assert sound["audio"] > 0, "sound is decoded"
            tracks = await page.evaluate(
                "() => window.probeHls.levels.map(l => [l.videoCodec || '', l.audioCodec])"
            )
            assert all(v == "" for v, _ in tracks), tracks
            # the master lists both video renditions for hls.js to switch between
            await _plays(page, base_url, f"/hls/{session}/master.m3u8", video=True)
            levels = await page.evaluate("() => window.probeHls.levels.map(l => l.height || 0)")
            assert len(levels) >= 2 and min(levels) <= 360, levels
        finally:
            await page.close()
    finally:
        await host.pc.close()


async def test_watch_page_listen_only(
    client: TestClient[Any, Any], world: World, phone: Any, base_url: str, db_backend: str
) -> None:
    session, key, _ = await create_session(client)
    host = await whip(client, session, key)
    try:
        page = await phone.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url) if "/hls/" in r.url else None)
        await page.goto(f"{base_url}/live/{session}")
        button = page.get_by_test_id("audio-only")
        await button.wait_for(state="visible", timeout=20_000)
        await button.click()
        await page.wait_for_function(
            "() => document.querySelector('[data-role=player]').dataset.audioOnly === 'true'", timeout=10_000
        )
        await page.wait_for_function(
            "() => { const v = document.querySelector('[data-testid=video]');"
            " return v.currentTime > 1 && !v.paused && (v.webkitAudioDecodedByteCount || 0) > 0; }",
            timeout=40_000,
        )
        assert await page.eval_on_selector('[data-testid="video"]', "v => v.videoWidth") == 0
        assert any("/audio/" in u and u.endswith(".ts") for u in requests), requests
        assert await button.get_attribute("aria-pressed") == "true"
    finally:
        await host.pc.close()


async def test_watch_page_steps_down_after_repeated_stalls(
    client: TestClient[Any, Any], world: World, phone: Any, base_url: str, db_backend: str
) -> None:
    """Three stalls within 30 s while playing the ladder step down by themselves: to the low
    rendition, or to sound only when already on the lowest. The stalls are the media element's
    own ``waiting`` events, dispatched on the playing element (what the player listens to); a
    network throttled until hls.js itself stalls three times was not made reliable here."""
    session, key, _ = await create_session(client)
    host = await whip(client, session, key)
    try:
        page = await phone.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url) if "/hls/" in r.url else None)

        async def no_webrtc(route: Any) -> None:
            await route.abort()

        await page.route("**/whep*", no_webrtc)  # the ladder is played over HLS
        await page.goto(f"{base_url}/live/{session}")
        await page.wait_for_function(
            "() => { const v = document.querySelector('[data-testid=video]');"
            " return document.querySelector('[data-role=player]').dataset.mode === 'hls'"
            " && v.currentTime > 1 && !v.paused; }",
            timeout=40_000,
        )
        assert any(u.endswith("master.m3u8") for u in requests), requests
        before = len(requests)
        await page.evaluate(
            "() => { const v = document.querySelector('[data-testid=video]');"
            " for (let i = 0; i < 3; i++) v.dispatchEvent(new Event('waiting')); }"
        )
        await page.wait_for_function(
            "() => !!document.querySelector('[data-role=player]').dataset.stepDown", timeout=10_000
        )
        step = await page.eval_on_selector('[data-role="player"]', "p => p.dataset.stepDown")
        wanted = "/low/" if step == "low" else "/audio/"
        assert step in ("low", "audio"), step

        def fetched() -> bool:
            return any(wanted in u and u.endswith(".ts") for u in requests[before:])

        await wait_until(fetched, 30, f"segments of the {step} rendition after the step down")
        if step == "audio":
            assert await page.eval_on_selector('[data-role="player"]', "p => p.dataset.audioOnly") == "true"
    finally:
        await host.pc.close()

"""WHIP/WHEP refusals: keys, bad SDP, states, the viewer cap, CORS, HLS paths; publisher drop."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from tests.conftest import World
from tests.waiting import eventually

from .peers import SDP, publisher_offer, viewer_offer, whep, whip
from .test_whip_whep import create_session

pytestmark = pytest.mark.usefixtures("sqlite_only")


async def test_whip_needs_the_stream_key(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession
) -> None:
    session, key, _ = await create_session(client)
    pc, _, offer = await publisher_offer()
    try:
        url = f"/api/sessions/{session}/whip"
        missing = await other_browser.post(url, data=offer, headers=SDP)
        assert missing.status == 401
        assert (await missing.json())["error"] == "bad_stream_key"
        wrong = await other_browser.post(url, data=offer, headers={**SDP, "Authorization": "Bearer nope"})
        assert wrong.status == 401
        # a refused publish does not start the session
        detail = await (await other_browser.get(f"/api/sessions/{session}")).json()
        assert detail["status"] == "scheduled"
        unknown = await other_browser.post(
            "/api/sessions/999999/whip", data=offer, headers={**SDP, "Authorization": f"Bearer {key}"}
        )
        assert unknown.status == 404
    finally:
        await pc.close()


async def test_bad_sdp_is_a_json_400(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession
) -> None:
    session, key, csrf = await create_session(client)
    auth = {"Authorization": f"Bearer {key}"}
    for body, headers in [
        ("hello", {**SDP, **auth}),
        ("v=0\r\nthis is not sdp\r\n", {**SDP, **auth}),
        ("", {**SDP, **auth}),
        ("v=0", {"Content-Type": "text/plain", **auth}),
    ]:
        response = await other_browser.post(f"/api/sessions/{session}/whip", data=body, headers=headers)
        assert response.status == 400, (body, await response.text())
        error = await response.json()
        assert error["error"] == "bad_offer" and error["detail"]
    # a publish offer that sends nothing (a viewer's offer) is refused too
    pc, _, offer = await viewer_offer()
    response = await other_browser.post(f"/api/sessions/{session}/whip", data=offer, headers={**SDP, **auth})
    assert response.status == 400
    await pc.close()
    started = await client.post(f"/api/sessions/{session}/start", headers={"X-CSRF-Token": csrf})
    assert started.status == 200
    response = await other_browser.post(f"/api/sessions/{session}/whep", data="nonsense", headers=SDP)
    assert response.status == 400
    assert (await response.json())["error"] == "bad_offer"


async def test_options_answers_cors_for_obs_and_browsers(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession
) -> None:
    session, _, _ = await create_session(client)
    for path in ("whip", "whep"):
        response = await other_browser.options(
            f"/api/sessions/{session}/{path}",
            headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
        )
        assert response.status == 204
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "POST" in response.headers["Access-Control-Allow-Methods"]
        assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
        assert "Location" in response.headers["Access-Control-Expose-Headers"]
        assert response.headers["Accept-Post"] == "application/sdp"


async def test_whep_only_while_live_and_capped(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession
) -> None:
    session, _, csrf = await create_session(client)
    pc, _, offer = await viewer_offer()
    early = await other_browser.post(f"/api/sessions/{session}/whep", data=offer, headers=SDP)
    assert early.status == 409 and (await early.json())["error"] == "not_live"
    await pc.close()
    await client.post(f"/api/sessions/{session}/start", headers={"X-CSRF-Token": csrf})
    viewers = [await whep(client, session) for _ in range(3)]  # the cap is 3 in these tests
    pc, _, offer = await viewer_offer()
    over = await other_browser.post(f"/api/sessions/{session}/whep", data=offer, headers=SDP)
    assert over.status == 503
    error = await over.json()
    assert error["error"] == "viewer_cap_reached" and "HLS" in error["detail"]
    await pc.close()
    # a viewer leaving frees a place
    assert (await client.delete(viewers[0].location)).status == 200
    assert (await client.delete(viewers[0].location)).status == 404
    await viewers.pop(0).close()
    viewers.append(await whep(client, session))
    await client.post(f"/api/sessions/{session}/end", headers={"X-CSRF-Token": csrf})
    pc, _, offer = await viewer_offer()
    after = await other_browser.post(f"/api/sessions/{session}/whep", data=offer, headers=SDP)
    assert after.status == 409 and (await after.json())["error"] == "ended"
    await pc.close()
    for viewer in viewers:
        await viewer.close()


async def test_publisher_delete_leaves_the_session_reconnecting(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession
) -> None:
    session, key, _ = await create_session(client)
    host = await whip(client, session, key)
    health_url = f"/api/sessions/{session}/health"

    async def flowing() -> dict[str, Any] | None:
        health: dict[str, Any] = await (await client.get(health_url)).json()
        return health if health["fps"] > 0 else None

    health = await eventually(flowing, 10, what="frames reaching the server")
    assert health["publishing"] is True
    wrong = await other_browser.delete(host.location, headers={"Authorization": "Bearer wrong"})
    assert wrong.status == 401
    stopped = await other_browser.delete(host.location, headers={"Authorization": f"Bearer {key}"})
    assert stopped.status == 200
    await host.pc.close()
    health = await (await client.get(health_url)).json()
    assert health["reconnecting"] is True and health["publishing"] is False
    assert health["status"] == "live"  # the session waits for the host within the grace period
    again = await whip(client, session, key)  # the host comes back
    health = await (await client.get(health_url)).json()
    assert health["publishing"] is True
    await again.pc.close()


async def test_hls_refuses_paths_outside_the_session_directory(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession
) -> None:
    session, _, _ = await create_session(client)
    for path in (
        f"/hls/{session}/index.m3u8",  # nothing published yet
        f"/hls/{session}/..%2Fsecret.key",
        f"/hls/{session}/%2E%2E%2F%2E%2E%2Fsecret.key",
        f"/hls/{session}/seg1.exe",
        "/hls/abc/index.m3u8",
        f"/hls/{session}/../../secret.key",
    ):
        response = await other_browser.get(path)
        assert response.status == 404, path

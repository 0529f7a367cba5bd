"""The media server under test, in its own process so its CPU time can be measured alone.

``--mode hub``: Roundtable's MediaHub (decode once, encode once, same packets to every viewer
and to the HLS muxer); ``--mode ladder``: the same with the HLS ladder (a second, 360p encoder
and the low/audio-only renditions, also encoded once). ``--mode naive``: aiortc's MediaRelay
handing the decoded track to every viewer, whose RTCRtpSender encodes it again (one encode per
viewer). Both speak WHIP/WHEP
(``POST /whip``, ``POST /whep``, SDP in, SDP out) for one session."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from aiohttp import web
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaBlackhole, MediaRelay
from aiortc.mediastreams import MediaStreamTrack

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from media.hub import MediaHub

SESSION = 1
PROBE_S = 0.005


class LoopProbe:
    """How responsive the server's event loop is: a task that asks to wake every 5 ms records
    how late it woke (what a chat message waiting for the loop would wait), and the CPU time of
    the loop's own thread (work done on the loop, as opposed to in worker threads)."""

    def __init__(self) -> None:
        self.lags_ms: list[float] = []
        self.cpu0 = time.thread_time()
        self.t0 = time.monotonic()
        self.task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(PROBE_S)
            self.lags_ms.append((time.monotonic() - before - PROBE_S) * 1000)

    def reset(self) -> None:
        self.lags_ms = []
        self.cpu0, self.t0 = time.thread_time(), time.monotonic()

    def report(self) -> dict[str, float]:
        lags = sorted(self.lags_ms) or [0.0]
        elapsed = max(1e-9, time.monotonic() - self.t0)

        def q(f: float) -> float:
            return round(lags[min(len(lags) - 1, int(f * len(lags)))], 2)

        return {
            "samples": len(self.lags_ms),
            "lag_p50_ms": q(0.5),
            "lag_p99_ms": q(0.99),
            "lag_max_ms": round(lags[-1], 2),
            "loop_cpu_percent": round((time.thread_time() - self.cpu0) / elapsed * 100, 1),
        }


def add_probe(app: web.Application) -> None:
    """``GET /loop`` reports the probe's figures since the last ``POST /loop`` (which resets)."""
    probe = LoopProbe()

    async def start(_app: web.Application) -> None:
        probe.task = asyncio.create_task(probe.run())

    async def stop(_app: web.Application) -> None:
        if probe.task is not None:
            probe.task.cancel()

    async def report(_request: web.Request) -> web.Response:
        return web.json_response(probe.report())

    async def reset(_request: web.Request) -> web.Response:
        probe.reset()
        return web.json_response({"ok": True})

    app.add_routes([web.get("/loop", report), web.post("/loop", reset)])
    app.on_startup.append(start)
    app.on_shutdown.append(stop)


def hub_app(data_dir: Path, ladder: bool = False) -> web.Application:
    hub = MediaHub(data_dir, max_viewers=1000, grace_s=60, ladder=ladder)

    async def whip(request: web.Request) -> web.Response:
        answer, _ = await hub.publish(SESSION, await request.text())
        return web.Response(status=201, text=answer, content_type="application/sdp")

    async def whep(request: web.Request) -> web.Response:
        answer, _ = await hub.watch(SESSION, await request.text())
        return web.Response(status=201, text=answer, content_type="application/sdp")

    async def close(_app: web.Application) -> None:
        await hub.close()

    here = Path(__file__).resolve().parent
    vendor = here.parents[1] / "web" / "static" / "vendor" / "hls.mjs"

    async def hls_file(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if "/" in name or name.startswith("."):
            raise web.HTTPNotFound()
        path = hub.hls_dir(SESSION) / name
        if not path.is_file():
            raise web.HTTPNotFound()
        kind = "application/vnd.apple.mpegurl" if name.endswith(".m3u8") else "video/mp2t"
        return web.FileResponse(path, headers={"Content-Type": kind, "Cache-Control": "no-cache"})

    def static(path: Path, kind: str) -> web.RouteDef:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.FileResponse(path, headers={"Content-Type": kind})

        return web.get("/" + path.name, handler)

    app = web.Application()
    app.add_routes([web.post("/whip", whip), web.post("/whep", whep)])
    app.add_routes([web.get("/hls/{name}", hls_file), static(vendor, "text/javascript")])
    app.add_routes([static(here / "player.html", "text/html"), static(here / "player.js", "text/javascript")])
    app.on_shutdown.append(close)
    return app


def naive_app() -> web.Application:
    relay = MediaRelay()
    peers: list[RTCPeerConnection] = []
    source: dict[str, MediaStreamTrack] = {}
    drain = MediaBlackhole()

    async def negotiate(pc: RTCPeerConnection, offer: str) -> str:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        return pc.localDescription.sdp

    async def whip(request: web.Request) -> web.Response:
        pc = RTCPeerConnection()
        peers.append(pc)

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            source[track.kind] = track
            drain.addTrack(relay.subscribe(track))  # keep the source read without viewers

        answer = await negotiate(pc, await request.text())
        await drain.start()
        return web.Response(status=201, text=answer, content_type="application/sdp")

    async def whep(request: web.Request) -> web.Response:
        pc = RTCPeerConnection()
        peers.append(pc)
        for kind in ("video", "audio"):
            if kind in source:
                pc.addTrack(relay.subscribe(source[kind]))
        answer = await negotiate(pc, await request.text())
        return web.Response(status=201, text=answer, content_type="application/sdp")

    async def close(_app: web.Application) -> None:
        await asyncio.gather(*(pc.close() for pc in peers))

    app = web.Application()
    app.add_routes([web.post("/whip", whip), web.post("/whep", whep)])
    app.on_shutdown.append(close)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=("hub", "ladder", "naive"), required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", type=Path, required=True)
    args = parser.parse_args()
    app = hub_app(args.data, ladder=args.mode == "ladder") if args.mode != "naive" else naive_app()
    add_probe(app)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()

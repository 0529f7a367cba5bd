"""Media benchmark: server CPU per WebRTC viewer (ours vs the naive per-viewer relay, same run)
and glass-to-glass latency over WebRTC and HLS with a frame-stamping synthetic camera.

Usage: .venv/bin/python bench/media/run.py [--hub 1,10,25,50] [--ladder 1,10] [--naive 1,5,10] [--seconds 10]
Writes bench/media/results.json and prints a Markdown table."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import aiohttp
import av
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from stamped import StampedCamera, read_stamp  # noqa: E402

from tests.media.synthetic import ToneTrack  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Point:
    mode: str
    viewers: int
    cpu_percent: float = 0.0
    crowd: dict[str, float] = field(default_factory=dict)
    webrtc_ms: list[float] = field(default_factory=list)
    hls_ms: list[float] = field(default_factory=list)
    probe_fps: float = 0.0
    loop: dict[str, float] = field(default_factory=dict)  # the server's event-loop probe


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_port(port: int) -> None:
    for _ in range(200):
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        await asyncio.sleep(0.05)
    raise RuntimeError("server did not start")


async def exchange(http: aiohttp.ClientSession, url: str, pc: RTCPeerConnection) -> None:
    await pc.setLocalDescription(await pc.createOffer())
    async with http.post(
        url, data=pc.localDescription.sdp, headers={"Content-Type": "application/sdp"}
    ) as response:
        assert response.status == 201, await response.text()
        answer = await response.text()
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))


async def probe_frames(
    track: MediaStreamTrack, camera: StampedCamera, point: Point, window: dict[str, bool]
) -> None:
    """Decode every frame the probe viewer receives; latency = now - capture time."""
    with contextlib.suppress(MediaStreamError):
        while True:
            frame = await track.recv()
            if not isinstance(frame, av.VideoFrame):
                continue
            now = time.monotonic()
            sent = camera.sent_at.get(read_stamp(frame))
            if window["open"] and sent is not None:
                point.webrtc_ms.append((now - sent) * 1000)


async def probe_hls(directory: Path, camera: StampedCamera, point: Point, window: dict[str, bool]) -> None:
    """When a segment appears in the playlist, the capture age of its first frame."""
    seen: set[str] = set()
    playlist = directory / "index.m3u8"
    while True:
        await asyncio.sleep(0.1)
        if not playlist.exists():
            continue
        names = [line for line in playlist.read_text().splitlines() if line and not line.startswith("#")]
        for name in names:
            if name in seen:
                continue
            seen.add(name)
            now = time.monotonic()
            with av.open(str(directory / name)) as container:
                frame = next(container.decode(video=0))
                sent = camera.sent_at.get(read_stamp(frame))
            if window["open"] and sent is not None:
                point.hls_ms.append((now - sent) * 1000)


async def measure(mode: str, viewers: int, seconds: float) -> Point:
    point = Point(mode, viewers)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    data = Path(tempfile.mkdtemp(prefix="bench-media-"))
    server = subprocess.Popen(  # noqa: ASYNC220 - the server under test
        [sys.executable, str(HERE / "server.py"), "--mode", mode, "--port", str(port), "--data", str(data)]
    )
    crowd: subprocess.Popen[str] | None = None
    peers: list[RTCPeerConnection] = []
    tasks: list[asyncio.Task[None]] = []
    window = {"open": False}
    try:
        await wait_port(port)
        async with aiohttp.ClientSession() as http:
            camera = StampedCamera()
            publisher = RTCPeerConnection()
            peers.append(publisher)
            publisher.addTransceiver(camera, direction="sendonly")
            publisher.addTransceiver(ToneTrack(), direction="sendonly")
            await exchange(http, url + "/whip", publisher)
            await asyncio.sleep(1.5)
            probe = RTCPeerConnection()
            peers.append(probe)
            probe.addTransceiver("video", direction="recvonly")
            probe.addTransceiver("audio", direction="recvonly")
            tracks: list[MediaStreamTrack] = []
            probe.add_listener("track", tracks.append)
            await exchange(http, url + "/whep", probe)
            tasks += [asyncio.create_task(probe_frames(t, camera, point, window)) for t in tracks]
            if mode == "hub":
                tasks.append(asyncio.create_task(probe_hls(data / "hls" / "1", camera, point, window)))
            if viewers > 1:
                crowd = subprocess.Popen(  # noqa: ASYNC220 - the load generator
                    [sys.executable, str(HERE / "crowd.py"), url, str(viewers - 1), str(seconds)],
                    stdout=subprocess.PIPE,
                    text=True,
                )
                assert crowd.stdout is not None
                ready = await asyncio.to_thread(crowd.stdout.readline)
                assert "ready" in ready, ready
            await asyncio.sleep(2)
            window["open"] = True
            await http.post(url + "/loop")
            cpu0, t0, frames0 = cpu_seconds(server.pid), time.monotonic(), len(point.webrtc_ms)
            await asyncio.sleep(seconds)
            cpu1, t1 = cpu_seconds(server.pid), time.monotonic()
            async with http.get(url + "/loop") as response:
                point.loop = await response.json()
            window["open"] = False
            point.cpu_percent = round((cpu1 - cpu0) / (t1 - t0) * 100, 1)
            point.probe_fps = round((len(point.webrtc_ms) - frames0) / (t1 - t0), 1)
            if crowd is not None:
                assert crowd.stdout is not None
                line = await asyncio.to_thread(crowd.stdout.readline)
                point.crowd = json.loads(line)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*(pc.close() for pc in peers), return_exceptions=True)
        if crowd is not None:
            crowd.terminate()
            crowd.wait()
        server.terminate()
        server.wait()
    return point


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 0)


def table(points: list[Point]) -> str:
    lines = [
        "| server | viewers | server CPU % | probe fps | crowd fps/viewer | WebRTC p50 / p95 ms "
        "| HLS segment ready p50 ms | loop thread CPU % | loop lag p50 / p99 / max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for p in points:
        crowd_fps = f"{p.crowd.get('fps_per_viewer', 0):.1f}" if p.crowd else "–"
        hls = f"{pct(p.hls_ms, 0.5):.0f}" if p.hls_ms else "–"
        lines.append(
            f"| {p.mode} | {p.viewers} | {p.cpu_percent:.1f} | {p.probe_fps:.1f} | {crowd_fps} | "
            f"{pct(p.webrtc_ms, 0.5):.0f} / {pct(p.webrtc_ms, 0.95):.0f} | {hls} | "
            f"{p.loop.get('loop_cpu_percent', 0):.1f} | {p.loop.get('lag_p50_ms', 0):.1f} / "
            f"{p.loop.get('lag_p99_ms', 0):.1f} / {p.loop.get('lag_max_ms', 0):.1f} |"
        )
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hub", default="1,10,25,50")
    parser.add_argument("--naive", default="1,5,10")
    parser.add_argument("--ladder", default="", help="viewer counts with the HLS ladder on, e.g. 1,10")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    plan = [("hub", int(n)) for n in args.hub.split(",") if n]
    plan += [("ladder", int(n)) for n in args.ladder.split(",") if n]
    plan += [("naive", int(n)) for n in args.naive.split(",") if n]
    load_before = os.getloadavg()
    points = []
    for mode, viewers in plan:
        point = await measure(mode, viewers, args.seconds)
        print(
            f"{mode} {viewers}: cpu {point.cpu_percent}% probe {point.probe_fps} fps "
            f"webrtc p50 {pct(point.webrtc_ms, 0.5)} ms hls {pct(point.hls_ms, 0.5)} ms crowd {point.crowd} "
            f"loop {point.loop}",
            flush=True,
        )
        points.append(point)
    machine = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }
    summary = {
        "machine": machine,
        "points": [
            asdict(p)
            | {
                "webrtc_p50_ms": pct(p.webrtc_ms, 0.5),
                "webrtc_p95_ms": pct(p.webrtc_ms, 0.95),
                "hls_p50_ms": pct(p.hls_ms, 0.5),
            }
            for p in points
        ],
    }
    for p in summary["points"]:
        p.pop("webrtc_ms"), p.pop("hls_ms")
    (HERE / "results.json").write_text(json.dumps(summary, indent=2))
    print(table(points))


if __name__ == "__main__":
    asyncio.run(main())

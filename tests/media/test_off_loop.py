"""Audio encoding and HLS muxing run in a broadcast's worker threads, never on the event loop
that also carries the chat: a stuck disk or a busy encoder delays HLS, not the loop."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from media import broadcast
from media.audio_encoders import SharedAudioEncoders
from media.hls_playlist import read_playlist
from media.hls_writer import HlsWriter
from media.hub import MediaHub
from media.ladder import AUDIO_DIR, LOW_DIR

from .synthetic import decode_mp4, publish, segment_count, wait_until, watch

WRITER_CALLS = ("__init__", "set_layout", "write_video", "write_audio", "cut", "pause")


def _spy(monkeypatch: pytest.MonkeyPatch, cls: type, name: str, calls: dict[str, set[int]]) -> None:
    original: Callable[..., Any] = getattr(cls, name)

    def spied(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls[f"{cls.__name__}.{name}"].add(threading.get_ident())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, spied)


async def test_audio_encoding_and_muxing_never_run_on_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: dict[str, set[int]] = defaultdict(set)
    _spy(monkeypatch, SharedAudioEncoders, "encode_all", calls)
    for name in (*WRITER_CALLS, "finish"):
        _spy(monkeypatch, HlsWriter, name, calls)
    loop_thread = threading.get_ident()
    hub = MediaHub(tmp_path, ladder=True, grace_s=30.0, media_timeout_s=2.0)
    try:
        viewer = await watch(hub, 5)
        host = await publish(hub, 5)
        directory = hub.hls_dir(5)

        def started() -> bool:
            return viewer.audio_frames >= 50 and len(viewer.counters) >= 30 and segment_count(directory) >= 1

        await wait_until(started, 30, "sound, pictures and a segment")
        await hub.stop_publishing(5, host.resource_id)  # the host drops (writers pause) ...
        await host.pc.close()
        heard = viewer.audio_frames
        host = await publish(hub, 5)  # ... and comes back
        await wait_until(lambda: viewer.audio_frames >= heard + 50, 30, "sound after the return")
        recording = await hub.end(5)
        await host.pc.close()
        await viewer.close()
    finally:
        await hub.close()
    assert recording is not None
    for sub in ("", LOW_DIR, AUDIO_DIR):
        playlist = read_playlist(directory / sub)
        assert playlist is not None and playlist.ended and playlist.segments, sub
    expected = {"SharedAudioEncoders.encode_all"} | {f"HlsWriter.{name}" for name in WRITER_CALLS}
    assert expected <= set(calls), sorted(calls)
    on_loop = sorted(name for name, threads in calls.items() if loop_thread in threads)
    assert on_loop == [], f"ran on the event loop: {on_loop}"


async def test_a_stuck_hls_disk_stalls_neither_the_loop_nor_the_webrtc_viewers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The HLS writer blocks (a disk that stops answering): the WebRTC viewer keeps getting
    pictures and sound (Opus is encoded in the audio thread, not the HLS one), and once the disk
    answers again the recording carries on."""
    stuck, release = threading.Event(), threading.Event()
    write_video = HlsWriter.write_video

    def slow_write_video(self: HlsWriter, *args: Any) -> None:
        if not release.is_set():
            stuck.set()
            release.wait(20)  # (a safety net: the test releases it long before)
        write_video(self, *args)

    monkeypatch.setattr(HlsWriter, "write_video", slow_write_video)
    hub = MediaHub(tmp_path, grace_s=30.0, media_timeout_s=5.0)
    try:
        viewer = await watch(hub, 6)
        host = await publish(hub, 6)
        await wait_until(stuck.is_set, 20, "the HLS writer to get stuck")
        frames, sound = len(viewer.counters), viewer.audio_frames
        await wait_until(
            lambda: len(viewer.counters) >= frames + 30 and viewer.audio_frames >= sound + 50,
            12,
            "pictures and sound while the HLS writer is stuck",
        )
        assert not release.is_set() and hub.stats(6)["publishing"]
        release.set()
        await wait_until(lambda: segment_count(hub.hls_dir(6)) >= 1, 20, "a segment once the disk answers")
        recording = await hub.end(6)
        assert recording is not None and recording.duration_s > 0
        await host.pc.close()
        await viewer.close()
    finally:
        release.set()
        await hub.close()


async def test_the_hls_queue_is_bounded_and_drops_until_a_keyframe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the HLS writer is stuck its queue stops growing at ``MAX_HLS_BACKLOG`` (packets are
    dropped and counted, not held in memory without end); once it answers again the recording
    carries on from a keyframe, and every picture of it decodes."""
    monkeypatch.setattr(broadcast, "MAX_HLS_BACKLOG", 40)
    stuck, release = threading.Event(), threading.Event()
    write_video = HlsWriter.write_video

    def slow_write_video(self: HlsWriter, *args: Any) -> None:
        if not release.is_set():
            stuck.set()
            release.wait(30)  # (a safety net: the test releases it long before)
        write_video(self, *args)

    monkeypatch.setattr(HlsWriter, "write_video", slow_write_video)
    hub = MediaHub(tmp_path, ladder=False, grace_s=30.0, media_timeout_s=5.0)
    try:
        host = await publish(hub, 9)
        await wait_until(stuck.is_set, 20, "the HLS writer to get stuck")
        cast = hub._broadcasts[9]
        await wait_until(lambda: cast.hls_dropped >= 60, 20, "packets dropped while the writer is stuck")
        assert cast.hls_backlog() <= 40
        release.set()
        await wait_until(lambda: cast.hls_backlog() < 20, 20, "the HLS thread to catch up")
        dropped = cast.hls_dropped
        await wait_until(lambda: segment_count(hub.hls_dir(9)) >= 2, 20, "segments once the disk answers")
        assert cast.hls_dropped <= dropped + 60  # it stopped dropping (at most a GOP to a keyframe)
        recording = await hub.end(9)
        assert recording is not None and recording.duration_s > 0
        packets, frames, _duration = decode_mp4(await hub.remux_mp4(9))
        assert frames == packets > 0  # resumed at a keyframe: nothing undecodable
        await host.pc.close()
    finally:
        release.set()
        await hub.close()

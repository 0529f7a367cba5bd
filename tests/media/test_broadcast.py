"""Publish once, watch many times: viewers decode changing frames, HLS grows, the recording
and its MP4 remux exist after the end."""

from __future__ import annotations

import itertools
import time
from functools import partial
from pathlib import Path

import av

from media.hls_playlist import read_playlist
from media.hub import MediaHub

from .synthetic import decode_mp4, publish, segment_count, wait_until, watch


def _increasing_run(counters: list[int]) -> bool:
    """Received frames show a moving picture: many distinct, mostly increasing counters."""
    if len(counters) < 20:
        return False
    steps = list(itertools.pairwise(counters))
    forward = sum(1 for a, b in steps if b > a)
    return len(set(counters)) >= 20 and forward >= 0.9 * len(steps)


async def test_publish_watch_hls_and_recording(hub: MediaHub, tmp_path: Path) -> None:
    states: list[tuple[int, str]] = []
    hub.add_listener(lambda session, state: states.append((session, state)))
    early = await watch(hub, 7)  # joins before the host goes live
    started = time.monotonic()
    host = await publish(hub, 7)
    prompt = await watch(hub, 7)
    await wait_until(lambda: len(early.counters) >= 15, 10, "the first frames")
    late = await watch(hub, 7)  # joins mid-stream
    viewers = [early, prompt, late]

    for number, viewer in enumerate(viewers):
        await wait_until(partial(_increasing_run, viewer.counters), 15, f"viewer {number}")
    assert all(v.audio_frames > 10 for v in viewers), [v.audio_frames for v in viewers]
    assert early.counters[0] <= 5  # waited for the host and got everything from the start
    assert late.counters[0] > 10  # started mid-stream, from a keyframe, decodable

    stats = hub.stats(7)
    assert stats["publishing"] is True and stats["reconnecting"] is False
    assert stats["viewers"] == 3
    # frames encoded per second: the host sends 30, the encoder keeps only the newest frame
    # when it falls behind (fewer on a busy machine), and audio is never counted as video
    assert 0 < stats["fps"] <= 40, stats
    assert stats["bitrate_kbps"] > 10, stats

    directory = hub.hls_dir(7)
    assert directory == tmp_path / "hls" / "7"
    await wait_until(lambda: segment_count(directory) >= 1, 10, "a segment")
    first = read_playlist(directory)
    assert first is not None and not first.ended
    text = (directory / "index.m3u8").read_text()
    assert "#EXT-X-PLAYLIST-TYPE:EVENT" in text and "#EXT-X-ENDLIST" not in text
    count = len(first.segments)
    await wait_until(lambda: segment_count(directory) > count, 6, "the playlist to grow")

    recording = await hub.end(7)
    elapsed = time.monotonic() - started
    assert recording is not None
    assert recording.path == directory / "index.m3u8"
    text = recording.path.read_text()
    assert text.rstrip().endswith("#EXT-X-ENDLIST")
    assert "#EXT-X-DISCONTINUITY" not in text
    playlist = read_playlist(directory)
    assert playlist is not None and playlist.ended
    assert 2.0 <= recording.duration_s <= elapsed + 0.5, (recording.duration_s, elapsed)
    assert abs(recording.duration_s - playlist.duration_s) < 0.01
    assert all(s.duration_s <= 2.5 for s in playlist.segments), playlist.segments
    sizes = [(directory / s.uri).stat().st_size for s in playlist.segments]
    assert all(size > 0 for size in sizes) and recording.bytes == sum(sizes)
    assert not list(directory.glob("*.part"))
    assert states == [(7, "live"), (7, "ended")], states

    # every peer is closed by the end
    await wait_until(
        lambda: (
            all(v.pc.connectionState in ("closed", "failed") for v in viewers)
            and host.pc.connectionState in ("closed", "failed")
        ),
        10,
        "the peers to close",
    )
    assert hub.stats(7)["viewers"] == 0 and hub.viewer_count() == 0

    # segments hold H.264 constrained baseline and AAC, made by the shared encoders
    with av.open(str(directory / playlist.segments[0].uri)) as segment:
        kinds = {s.type: s for s in segment.streams}
        assert kinds["video"].codec_context.name == "h264"
        assert kinds["video"].codec_context.profile == "Constrained Baseline"
        assert kinds["audio"].codec_context.name == "aac"

    mp4 = await hub.remux_mp4(7)
    assert mp4.suffix == ".mp4" and mp4.exists()
    with av.open(str(mp4)) as movie:
        assert movie.streams.video[0].codec_context.name == "h264"
        assert movie.streams.audio, "the MP4 keeps the audio"
    packets, frames, duration_s = decode_mp4(mp4)
    assert frames == packets >= 30  # every frame decodes: it starts at a keyframe
    assert abs(duration_s - recording.duration_s) < 0.5, (duration_s, recording.duration_s)

    for viewer in viewers:
        await viewer.close()
    await host.pc.close()

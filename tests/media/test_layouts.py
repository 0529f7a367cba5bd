"""Publishers that send only audio or only video still make a working stream and recording."""

from __future__ import annotations

import av

from media.hls_playlist import read_playlist
from media.hub import MediaHub

from .synthetic import publish, segment_count, wait_until, watch


async def test_audio_only_publisher(hub: MediaHub) -> None:
    viewer = await watch(hub, 4)
    host = await publish(hub, 4, video=False)
    await wait_until(lambda: viewer.audio_frames >= 100, 10, "audio at the viewer")
    await wait_until(lambda: segment_count(hub.hls_dir(4)) >= 1, 10, "an audio segment")
    assert viewer.counters == []
    recording = await hub.end(4)
    assert recording is not None and recording.duration_s >= 1.5
    playlist = read_playlist(hub.hls_dir(4))
    assert playlist is not None
    with av.open(str(hub.hls_dir(4) / playlist.segments[0].uri)) as segment:
        assert [s.type for s in segment.streams] == ["audio"]
    with av.open(str(await hub.remux_mp4(4))) as movie:
        assert len(movie.streams.audio) == 1 and not movie.streams.video
    await viewer.close()
    await host.pc.close()


async def test_video_only_publisher(hub: MediaHub) -> None:
    host = await publish(hub, 6, audio=False)
    viewer = await watch(hub, 6)
    await wait_until(lambda: len(viewer.counters) >= 30, 10, "video at the viewer")
    await wait_until(lambda: segment_count(hub.hls_dir(6)) >= 1, 10, "a video segment")
    recording = await hub.end(6)
    assert recording is not None and recording.duration_s >= 1.5
    playlist = read_playlist(hub.hls_dir(6))
    assert playlist is not None
    with av.open(str(hub.hls_dir(6) / playlist.segments[0].uri)) as segment:
        assert [s.type for s in segment.streams] == ["video"]
    await viewer.close()
    await host.pc.close()

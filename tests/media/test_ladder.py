"""The HLS ladder: full, low (about 360p) and audio-only renditions, each encoded once, listed in
master.m3u8; all three end with the recording."""

from __future__ import annotations

from pathlib import Path

import av

from media.hls_playlist import read_playlist
from media.hub import MediaHub

from .synthetic import publish, segment_count, wait_until, watch


async def test_three_renditions_encoded_once(tmp_path: Path) -> None:
    hub = MediaHub(tmp_path, ladder=True, media_timeout_s=2.0)
    try:
        await _three_renditions(hub)
    finally:
        await hub.close()


async def test_no_ladder_when_off(hub: MediaHub) -> None:
    host = await publish(hub, 4)
    await wait_until(lambda: segment_count(hub.hls_dir(4)) >= 1, 20, "a segment")
    assert not (hub.hls_dir(4) / "master.m3u8").exists() and not (hub.hls_dir(4) / "low").exists()
    await hub.end(4)
    await host.pc.close()


async def _three_renditions(hub: MediaHub) -> None:
    host = await publish(hub, 9)
    viewers = [await watch(hub, 9) for _ in range(3)]
    directory = hub.hls_dir(9)
    low, audio = directory / "low", directory / "audio"
    for where in (directory, low, audio):
        await wait_until(lambda where=where: segment_count(where) >= 2, 20, f"segments in {where.name}")

    master = (directory / "master.m3u8").read_text()
    uris = [line for line in master.splitlines() if line and not line.startswith("#")]
    assert uris == ["index.m3u8", "low/index.m3u8", "audio/index.m3u8"]
    infos = [line for line in master.splitlines() if line.startswith("#EXT-X-STREAM-INF:")]
    assert "RESOLUTION=640x360" in infos[1] and 'CODECS="mp4a.40.2"' in infos[2]
    bandwidths = [int(line.split("BANDWIDTH=")[1].split(",")[0]) for line in infos]
    assert bandwidths[0] > bandwidths[1] > bandwidths[2] and bandwidths[1] <= 500_000

    # one broadcast, one low encoder, whatever the number of viewers
    broadcast = hub._broadcasts[9]
    assert broadcast.low_encoder.frames > 0
    assert broadcast.low_encoder.frames <= broadcast.encoder.frames // 2 + 5, "15 fps, not 30"

    def streams(where: Path) -> dict[str, av.codec.context.CodecContext]:
        playlist = read_playlist(where)
        assert playlist is not None
        with av.open(str(where / playlist.segments[-1].uri)) as segment:
            return {s.type: s.codec_context for s in segment.streams}

    full, small, sound = streams(directory), streams(low), streams(audio)
    assert set(full) == {"video", "audio"} and set(small) == {"video", "audio"}
    assert set(sound) == {"audio"}, "the audio rendition has no video track"
    assert small["video"].width <= 640 and small["video"].height <= 360
    assert sound["audio"].name == "aac" and small["audio"].name == "aac"

    recording = await hub.end(9)
    assert recording is not None and recording.path == directory / "index.m3u8"
    for where in (directory, low, audio):
        text = (where / "index.m3u8").read_text()
        assert text.rstrip().endswith("#EXT-X-ENDLIST"), where
        assert not list(where.glob("*.part"))
    for viewer in viewers:
        await viewer.close()
    await host.pc.close()

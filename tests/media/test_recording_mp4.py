"""The downloadable MP4 is the HLS recording joined without gaps: a ten-minute broadcast (made
much faster than real time through the real HLS writer) decodes to ten minutes, every frame of
video and audio in place, even though the audio clock drifts from the video's."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from media.hls_playlist import read_playlist
from media.remux import remux_segments_to_mp4

from .synthetic import decode_timeline, synthesise_recording

FPS = 30


def remux(directory: Path, out: Path) -> Path:
    playlist = read_playlist(directory)
    assert playlist is not None and playlist.segments
    return remux_segments_to_mp4(
        [directory / s.uri for s in playlist.segments], out, [s.discontinuity for s in playlist.segments]
    )


def aac_frames(seconds: float) -> int:
    return int(seconds * 48000 / 1024)


def assert_whole(mp4: Path, seconds: float, audio_frames: int, audio_late_s: float = 0.0) -> None:
    timeline = decode_timeline(mp4)
    assert abs(timeline.duration_s - seconds) < 0.5, timeline.duration_s
    assert len(timeline.video_times) == round(seconds * FPS)
    assert len(timeline.audio_times) == audio_frames
    assert timeline.backwards("video") == 0 and timeline.backwards("audio") == 0
    assert timeline.gaps("video", 1.5 / FPS) == []
    assert timeline.gaps("audio", 1.5 * timeline.audio_frame_s) == []
    assert timeline.video_times[0] < 0.1 and timeline.audio_times[0] < 0.1 + audio_late_s


@pytest.mark.slow
def test_a_ten_minute_broadcast_joins_into_ten_minutes(tmp_path: Path) -> None:
    hls = tmp_path / "hls"
    seconds = synthesise_recording(hls, 600, fps=FPS, audio_drift=0.001)  # 0.6 s of drift by the end
    playlist = read_playlist(hls)
    assert playlist is not None and len(playlist.segments) >= 290
    assert abs(playlist.duration_s - seconds) < 0.5  # the playlist itself was right all along
    assert_whole(remux(hls, tmp_path / "recording.mp4"), seconds, aac_frames(seconds))


def test_a_restart_in_the_middle_is_joined_directly(tmp_path: Path) -> None:
    """After a discontinuity (a new process, its clocks elsewhere) the second part follows the
    first at once: no silence, no overlap."""
    hls = tmp_path / "hls"
    first = synthesise_recording(hls, 20, fps=FPS, audio_drift=0.0, finish=False)
    second = synthesise_recording(hls, 20, fps=FPS, audio_drift=0.0, start_s=86_000.0)
    playlist = read_playlist(hls)
    assert playlist is not None and any(s.discontinuity for s in playlist.segments)
    mp4 = remux(hls, tmp_path / "recording.mp4")
    assert_whole(mp4, first + second, aac_frames(first) + aac_frames(second))


def test_a_clock_jump_without_a_marker_is_joined_too(tmp_path: Path) -> None:
    """Segments of two runs listed without the marker (an older playlist) are still joined."""
    first_dir, second_dir = tmp_path / "a", tmp_path / "b"
    first = synthesise_recording(first_dir, 10, fps=FPS, audio_drift=0.0)
    second = synthesise_recording(second_dir, 10, fps=FPS, audio_drift=0.0, start_s=3_000.0)
    segments = []
    for directory in (first_dir, second_dir):
        playlist = read_playlist(directory)
        assert playlist is not None
        segments += [directory / s.uri for s in playlist.segments]
    mp4 = remux_segments_to_mp4(segments, tmp_path / "recording.mp4")
    assert_whole(mp4, first + second, aac_frames(first) + aac_frames(second))


def test_sound_that_starts_after_the_picture_is_kept(tmp_path: Path) -> None:
    """The first segment declares audio but holds none (the microphone came on 2.5 s late):
    the MP4 takes its audio stream from the first segment that has sound (it used to fail)."""
    hls = tmp_path / "hls"
    seconds = synthesise_recording(hls, 20, fps=FPS, audio_drift=0.0, audio_late_s=2.5)
    mp4 = remux(hls, tmp_path / "recording.mp4")
    assert_whole(mp4, seconds, aac_frames(seconds - 2.5), audio_late_s=2.5)
    assert abs(decode_timeline(mp4).audio_times[0] - 2.5) < 0.05  # in sync: it starts at 2.5 s


def test_a_run_whose_picture_outlasts_its_sound_keeps_the_next_runs_keyframe(tmp_path: Path) -> None:
    """Before a discontinuity the picture ran on 2 s after the sound stopped (the HLS writer
    keeps the last 0.5 s of it): the next run must start after that picture, or its first
    keyframe is refused as an overlap and its frames up to the next keyframe cannot be decoded
    (the restart test's "frames == packets" failure)."""
    hls = tmp_path / "hls"
    first = synthesise_recording(hls, 20, fps=FPS, audio_drift=0.0, audio_short_s=2.0, finish=False)
    second = synthesise_recording(hls, 20, fps=FPS, audio_drift=0.0, start_s=86_000.0)
    playlist = read_playlist(hls)
    assert playlist is not None and any(s.discontinuity for s in playlist.segments)
    mp4 = remux(hls, tmp_path / "recording.mp4")
    timeline = decode_timeline(mp4)
    with av.open(str(mp4)) as movie:
        packets = sum(1 for p in movie.demux(video=0) if p.dts is not None)
    assert len(timeline.video_times) == packets, "every picture decodes"
    assert timeline.backwards("video") == 0 and timeline.gaps("video", 1.5 / FPS) == []
    # the second run is whole: its 600 frames follow the first run's
    assert packets >= round(second * FPS) + round((first - 2.0) * FPS)
    assert abs(timeline.duration_s - playlist.duration_s) < 0.5, (timeline.duration_s, playlist.duration_s)


def test_a_bare_adts_header_never_reaches_the_mp4_muxer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An ADTS header with an empty payload (what an empty AAC packet becomes once framed)
    survives MPEG-TS and makes the MP4 muxer's ``aac_adtstoasc`` fail with
    AVERROR_INVALIDDATA: the remux leaves it out before the muxer, saying so."""
    from media.audio_encoders import adts_header
    from media.hls_writer import HlsWriter

    write_audio = HlsWriter.write_audio
    written = [0]

    def with_a_bare_header(self: HlsWriter, packet: av.Packet) -> None:
        written[0] += 1
        if written[0] == 100:
            bare = av.Packet(adts_header(0))
            bare.pts = bare.dts = (packet.pts or 0) - 1
            bare.time_base = packet.time_base
            write_audio(self, bare)
        write_audio(self, packet)

    monkeypatch.setattr(HlsWriter, "write_audio", with_a_bare_header)
    hls = tmp_path / "hls"
    seconds = synthesise_recording(hls, 6, fps=FPS, audio_drift=0.0)
    with caplog.at_level("WARNING", logger="media.remux"):
        mp4 = remux(hls, tmp_path / "recording.mp4")
    assert not [r for r in caplog.records if "refused" in r.getMessage()], "the muxer never saw it"
    assert any("not an ADTS frame" in r.getMessage() for r in caplog.records)
    assert_whole(mp4, seconds, aac_frames(seconds))

"""The HLS writer muxes the two streams in time order, whatever their encoders' delays: a
segment cut at a keyframe holds the sound of its own span, and a writer that stops (the process
ends, the host drops) ends both streams together, so a later run joins on without overlap."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from media.hls_playlist import read_playlist

from .synthetic import synthesise_recording

FPS = 30
AAC_FRAME_S = 1024 / 48000


def _spans(path: Path) -> dict[str, tuple[float, float]]:
    """Each stream's (first start, last end) in a segment."""
    spans: dict[str, tuple[float, float]] = {}
    with av.open(str(path)) as segment:
        for packet in segment.demux():
            if packet.pts is None or packet.time_base is None or not packet.size:
                continue
            kind = packet.stream.type
            t = float(packet.pts * packet.time_base)
            end = t + (1 / FPS if kind == "video" else AAC_FRAME_S)
            first, last = spans.get(kind, (t, end))
            spans[kind] = (min(first, t), max(last, end))
    return spans


@pytest.mark.parametrize("late", ["audio", "video"])
@pytest.mark.parametrize("finish", [False, True])
def test_segments_hold_one_span_and_both_streams_end_together(
    tmp_path: Path, late: str, finish: bool
) -> None:
    # the sound reaches the writer 0.4 s after the picture of the same moment, or the picture
    # 0.4 s after the sound (a video encoder that fell behind)
    delay = 0.4 if late == "audio" else -0.4
    synthesise_recording(
        tmp_path, 9.9, fps=FPS, audio_drift=0.0, audio_delivered_after_s=delay, finish=finish
    )
    playlist = read_playlist(tmp_path)
    assert playlist is not None and len(playlist.segments) >= 4
    spans = [_spans(tmp_path / s.uri) for s in playlist.segments]
    for index, span in enumerate(spans):
        assert set(span) == {"video", "audio"}, (index, span)
        video_start = span["video"][0]
        assert span["audio"][0] >= video_start - AAC_FRAME_S, (index, span)  # no sound from before
        if index + 1 < len(spans):
            next_start = spans[index + 1]["video"][0]
            assert span["audio"][1] <= next_start + AAC_FRAME_S, (index, span)  # nor from after
            assert span["video"][1] == pytest.approx(next_start, abs=1e-3)
    video_end, audio_end = spans[-1]["video"][1], spans[-1]["audio"][1]
    assert abs(video_end - audio_end) <= 1 / FPS + 1e-3, (video_end, audio_end)
    # the playlist's length is where both streams got to
    assert abs(playlist.duration_s - (max(video_end, audio_end) - spans[0]["video"][0])) < 0.05

"""The building blocks without networking: shared encoder, viewer queues, timeline, playlist."""

from __future__ import annotations

import asyncio
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import pytest
from aiortc.mediastreams import MediaStreamError

from media.audio_encoders import SharedAudioEncoders, adts_header
from media.hls_playlist import Playlist, SegmentEntry, read_playlist
from media.packet_track import AUDIO_QUEUE_FRAMES, VIDEO_QUEUE_FRAMES, PacketTrack
from media.timeline import EPOCH_S, LAG_HOLD_S, MAX_DRIFT_S, MediaClock, TrackTimeline
from media.video_encoder import SharedVideoEncoder, VideoSettings, output_size

from .synthetic import counter_frame

FRAME = 3000  # 1/30 s at 90 kHz


def _encode(encoder: SharedVideoEncoder, count: int, first: int = 0) -> list[Any]:
    packets: list[Any] = []
    for index in range(first, first + count):
        packets.extend(encoder.encode(counter_frame(index), 90_000 + index * FRAME))
    return packets


def test_encoder_keyframe_schedule_and_requests() -> None:
    encoder = SharedVideoEncoder(VideoSettings(min_keyframe_gap_s=0.5))
    packets = _encode(encoder, 10)
    encoder.request_keyframe()  # at frame 10: honoured once 0.5 s passed since frame 0
    packets += _encode(encoder, 190, first=10)
    assert len(packets) == 200
    keyframes = [i for i, p in enumerate(packets) if p.is_keyframe]
    assert keyframes == [0, 15, 60, 120, 180]  # the request does not shift the 2 s grid
    assert all(p.dts == p.pts for p in packets)  # no B-frames
    assert all(p.time_base == Fraction(1, 90_000) for p in packets)
    for index in keyframes:
        data = bytes(packets[index])
        assert data.startswith(b"\x00\x00\x00\x01\x67")  # SPS in-band, Annex B
        profile_idc, constraints = data[5], data[6]
        assert profile_idc == 66 and constraints & 0x40  # constrained baseline
        assert b"\x00\x00\x00\x01\x68" in data or b"\x00\x00\x01\x68" in data  # PPS
    assert encoder.size == (320, 240)


def test_encoder_follows_a_lasting_resolution_change() -> None:
    encoder = SharedVideoEncoder()
    _encode(encoder, 5)
    big = [counter_frame(1).reformat(width=1920, height=1080) for _ in range(40)]
    sizes, keyframes = [], []
    for index, frame in enumerate(big):
        for packet in encoder.encode(frame, 200_000 + index * FRAME):
            sizes.append(encoder.size)
            keyframes.append(packet.is_keyframe)
    assert sizes[0] == (320, 240)  # a brief change is scaled away
    assert sizes[-1] == (1280, 720)  # capped to the maximum box
    switch = sizes.index((1280, 720))
    assert 25 <= switch <= 31 and keyframes[switch]


def test_output_size() -> None:
    assert output_size(1920, 1080, 1280, 720) == (1280, 720)
    assert output_size(720, 1280, 1280, 720) == (404, 720)
    assert output_size(641, 361, 1280, 720) == (640, 360)


def _packet(keyframe: bool) -> Any:
    packet = av.Packet(b"\x00\x00\x00\x01\x65" if keyframe else b"\x00\x00\x00\x01\x41")
    packet.is_keyframe = keyframe
    return packet


async def test_slow_viewer_drops_until_the_next_keyframe() -> None:
    requests: list[int] = []
    track = PacketTrack("video", lambda: requests.append(1))
    track.push(_packet(False))  # a viewer never starts in the middle of a GOP
    assert track.dropped == 1
    track.push(_packet(True))
    for _ in range(30):
        track.push(_packet(False))
    assert track._queue.qsize() == VIDEO_QUEUE_FRAMES  # bounded
    assert requests, "a lagging viewer asks for a keyframe"
    queued = [await track.recv() for _ in range(VIDEO_QUEUE_FRAMES)]
    assert queued[0].is_keyframe and not any(p.is_keyframe for p in queued[1:])
    track.push(_packet(False))  # still skipping up to the keyframe
    assert track._queue.qsize() == 0
    track.push(_packet(True))
    assert (await track.recv()).is_keyframe
    track.stop()
    with pytest.raises(MediaStreamError):
        await asyncio.wait_for(track.recv(), 1)


async def test_audio_queue_drops_the_oldest() -> None:
    track = PacketTrack("audio")
    packets = [av.Packet(bytes([i])) for i in range(AUDIO_QUEUE_FRAMES + 5)]
    for packet in packets:
        track.push(packet)
    assert track.dropped == 5
    assert bytes(await track.recv()) == bytes([5])


def test_timeline_keeps_spacing_pauses_and_unwraps() -> None:
    now = [100.0]
    clock = MediaClock(lambda: now[0])
    video = TrackTimeline(clock, 90_000)
    clock.resume()
    base = (1 << 32) - 3000  # RTP timestamps about to wrap
    tb = Fraction(1, 90_000)
    first = video.stamp(base, tb, FRAME)
    assert first == round(EPOCH_S * 90_000)
    now[0] += 0.05  # arrival jitter does not move timestamps
    assert video.stamp(base + FRAME, tb, FRAME) == first + FRAME
    assert video.stamp((base + 2 * FRAME) % (1 << 32), tb, FRAME) == first + 2 * FRAME
    # the publisher drops; ten seconds later another one starts with unrelated timestamps
    clock.pause(at=now[0])
    now[0] += 10
    clock.resume()
    video.new_source()
    resumed = video.stamp(77, tb, FRAME)
    assert first + 2 * FRAME < resumed < first + 2 * FRAME + 0.1 * 90_000  # no 10 s hole
    assert video.stamp(77, tb, FRAME) > resumed  # strictly increasing, always
    # a jump far from the clock re-anchors instead of leaping
    assert video.stamp(77 + 90_000 * 60, tb, FRAME) < resumed + 90_000


def test_a_delivery_stall_keeps_the_frames_spacing() -> None:
    """Frames held up 1.5 s (the process stalled) and then delivered in a burst keep the sender's
    spacing: the stall is not inserted into the timeline, so the track never runs ahead of the
    clock and a recording is never longer than the broadcast."""
    now = [100.0]
    clock = MediaClock(lambda: now[0])
    video = TrackTimeline(clock, 90_000)
    clock.resume()
    tb = Fraction(1, 90_000)
    stamps = []
    for i in range(60):  # 2 s on time
        stamps.append(video.stamp(i * FRAME, tb, FRAME))
        now[0] += 1 / 30
    now[0] += 1.5  # nothing arrives for 1.5 s, then the 45 frames held up arrive at once
    for i in range(60, 105):
        stamps.append(video.stamp(i * FRAME, tb, FRAME))
    for i in range(105, 135):  # and on time again
        now[0] += 1 / 30
        stamps.append(video.stamp(i * FRAME, tb, FRAME))
    assert stamps == [stamps[0] + i * FRAME for i in range(135)]
    assert stamps[-1] <= round(clock.seconds() * 90_000)


def test_the_next_publisher_continues_where_late_media_ended() -> None:
    """The publisher goes while its frames arrive 0.8 s behind the clock: the paused clock is
    wound back to where the media ended, so the next publisher's first frame follows the last
    one's without a hole (the playlist, cut at the last packet, would not count it)."""
    now = [100.0]
    clock = MediaClock(lambda: now[0])
    video = TrackTimeline(clock, 90_000)
    clock.resume()
    tb = Fraction(1, 90_000)
    for i in range(30):
        last = video.stamp(i * FRAME, tb, FRAME)
        now[0] += 1 / 30
    now[0] += 0.8  # the last frames are held up: the clock runs on
    for i in range(30, 40):
        last = video.stamp(i * FRAME, tb, FRAME)
    clock.pause(at=now[0])
    end = video.end_s()
    assert end is not None and end == (last + FRAME) / 90_000
    clock.rewind(end)
    assert abs(clock.seconds() - end) < 1e-9
    now[0] += 5
    clock.resume()
    video.new_source()
    assert video.stamp(123_456, tb, FRAME) == last + FRAME
    now[0] += 1
    clock.pause()
    paused = clock.seconds()
    clock.rewind(paused + 10)  # never forward
    assert clock.seconds() == paused


def test_a_lasting_lag_re_anchors() -> None:
    """A publisher whose clock runs 10 % slow falls behind ours; once it has stayed more than
    ``MAX_DRIFT_S`` behind for ``LAG_HOLD_S`` the track is re-anchored, so it stays near the clock."""
    now = [100.0]
    clock = MediaClock(lambda: now[0])
    audio = TrackTimeline(clock, 48_000)
    clock.resume()
    tb = Fraction(1, 48_000)
    worst = 0.0
    for i in range(3000):  # 64 s of our time, 57.6 s of the publisher's
        out = audio.stamp(i * 1024, tb, 1024)
        worst = max(worst, clock.seconds() - out / 48_000)
        now[0] += 1024 / 48_000 / 0.9
    assert worst <= MAX_DRIFT_S + LAG_HOLD_S * 0.1 + 0.1
    assert clock.seconds() - out / 48_000 <= MAX_DRIFT_S + LAG_HOLD_S * 0.1 + 0.1  # not 6.4 s


def test_playlist_round_trip(tmp_path: Path) -> None:
    playlist = Playlist(
        [SegmentEntry("seg00000.ts", 2.0), SegmentEntry("seg00001.ts", 2.4, discontinuity=True)]
    )
    playlist.write(tmp_path)
    text = (tmp_path / "index.m3u8").read_text()
    assert "#EXT-X-PLAYLIST-TYPE:EVENT" in text and "#EXT-X-ENDLIST" not in text
    assert "#EXT-X-TARGETDURATION:2" in text
    playlist.ended = True
    playlist.write(tmp_path)
    again = read_playlist(tmp_path)
    assert again is not None and again.ended
    assert again.segments == playlist.segments
    assert again.duration_s == pytest.approx(4.4)
    assert read_playlist(tmp_path / "missing") is None


def test_audio_encoders_make_opus_and_adts_aac() -> None:
    encoders = SharedAudioEncoders()
    opus: list[Any] = []
    aac: list[Any] = []
    for index in range(50):
        frame = av.AudioFrame(format="s16", layout="stereo", samples=960)
        frame.planes[0].update(bytes(3840))
        frame.sample_rate = 48_000
        more_opus, more_aac = encoders.encode(frame, 48_000 + index * 960)
        opus += more_opus
        aac += more_aac
    assert len(opus) >= 45 and len(aac) >= 40
    assert all(bytes(p)[:2] == b"\xff\xf1" for p in aac)
    assert all(int.from_bytes(bytes(p)[3:6], "big") >> 5 & 0x1FFF == p.size for p in aac)
    assert adts_header(10)[:2] == b"\xff\xf1"
    pts = [p.pts for p in aac]
    assert pts == sorted(pts) and pts[-1] > 48_000


def test_audio_encoders_follow_a_change_of_input_format() -> None:
    """A later publisher (another client) may send another layout or rate: the encoders' input
    resamplers are set up again instead of refusing every frame ("Frame does not match
    AudioResampler setup"), and the AAC timestamps keep increasing."""
    encoders = SharedAudioEncoders()
    aac: list[Any] = []
    pts = 48_000
    for layout, rate, samples in (("stereo", 48_000, 960), ("mono", 44_100, 441), ("stereo", 16_000, 320)):
        for _ in range(30):
            frame = av.AudioFrame(format="s16", layout=layout, samples=samples)
            for plane in frame.planes:
                plane.update(bytes(plane.buffer_size))
            frame.sample_rate = rate
            aac += encoders.encode(frame, pts)[1]
            pts += samples * 48_000 // rate
    assert len(aac) >= 60
    assert all(p.size > 7 and bytes(p)[:2] == b"\xff\xf1" for p in aac)
    stamps = [p.pts for p in aac]
    assert stamps == sorted(stamps)

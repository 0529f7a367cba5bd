"""Audio encoded once per broadcast: Opus for WebRTC viewers, AAC (ADTS) for HLS."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import av

AUDIO_RATE = 48_000
AUDIO_TIME_BASE = Fraction(1, AUDIO_RATE)
_ADTS_RATE_INDEX = {96000: 0, 88200: 1, 64000: 2, 48000: 3, 44100: 4, 32000: 5, 24000: 6}


def adts_header(payload_size: int, sample_rate: int = AUDIO_RATE, channels: int = 2) -> bytes:
    """The 7-byte ADTS header of one AAC-LC frame (MPEG-TS carries AAC this way)."""
    length = payload_size + 7
    rate_index = _ADTS_RATE_INDEX[sample_rate]
    return bytes(
        [
            0xFF,
            0xF1,  # MPEG-4, layer 0, no CRC
            (1 << 6) | (rate_index << 2) | (channels >> 2),  # profile AAC-LC
            ((channels & 3) << 6) | (length >> 11),
            (length >> 3) & 0xFF,
            ((length & 7) << 5) | 0x1F,
            0xFC,
        ]
    )


def _encoder(name: str, fmt: str, bitrate: int) -> av.AudioCodecContext:
    ctx = av.CodecContext.create(name, "w")
    assert isinstance(ctx, av.AudioCodecContext)
    ctx.sample_rate = AUDIO_RATE
    ctx.layout = "stereo"
    ctx.format = fmt
    ctx.bit_rate = bitrate
    ctx.time_base = AUDIO_TIME_BASE
    return ctx


# The HLS ladder's low and audio-only renditions share one smaller AAC stream.
LOW_AAC_BITRATE = 48_000


class SharedAudioEncoders:
    """Takes decoded publisher audio and returns Opus packets (WebRTC), AAC-in-ADTS packets for
    the full HLS rendition and, with ``low_aac_bitrate``, smaller AAC packets for the low and
    audio-only renditions: each encoded once for every viewer."""

    def __init__(
        self, opus_bitrate: int = 64_000, aac_bitrate: int = 128_000, low_aac_bitrate: int | None = None
    ) -> None:
        self._opus = _encoder("libopus", "s16", opus_bitrate)
        self._opus.options = {"application": "audio"}
        self._aac = _encoder("aac", "fltp", aac_bitrate)
        self._aac_low = _encoder("aac", "fltp", low_aac_bitrate) if low_aac_bitrate else None
        self._input: tuple[str, str, int] | None = None
        self._to_opus = self._to_aac = av.AudioResampler()  # (replaced before the first frame)

    def _resamplers_for(self, frame: av.AudioFrame, rate: int) -> None:
        """Each encoder is fed whole frames of its own size and format (Opus 960, AAC 1024
        samples), made by a resampler set up for the input's format. A resampler refuses any
        other input, so a publisher that sends another format, layout or rate (a new host, a
        different client) gets new ones (the few samples buffered in the old ones are lost)."""
        shape = (frame.format.name, frame.layout.name, rate)
        if shape == self._input:
            return
        self._input = shape
        self._to_opus = av.AudioResampler(format="s16", layout="stereo", rate=AUDIO_RATE, frame_size=960)
        self._to_aac = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE, frame_size=1024)

    def encode(self, frame: av.AudioFrame, pts: int) -> tuple[list[av.Packet[Any]], list[av.Packet[Any]]]:
        """Encode a frame stamped ``pts`` (1/48000 s): (Opus, AAC)."""
        opus, aac, _low = self.encode_all(frame, pts)
        return opus, aac

    def encode_all(
        self, frame: av.AudioFrame, pts: int
    ) -> tuple[list[av.Packet[Any]], list[av.Packet[Any]], list[av.Packet[Any]]]:
        """Encode a frame stamped ``pts`` (1/48000 s): (Opus, AAC, low AAC or [])."""
        rate = frame.sample_rate or AUDIO_RATE
        if not frame.samples:
            return [], [], []
        self._resamplers_for(frame, rate)
        frame.pts = pts * rate // AUDIO_RATE
        frame.time_base = Fraction(1, rate)
        opus: list[av.Packet[Any]] = []
        for chunk in self._to_opus.resample(frame):
            opus.extend(self._opus.encode(chunk))
        aac: list[av.Packet[Any]] = []
        low: list[av.Packet[Any]] = []
        for chunk in self._to_aac.resample(frame):
            aac.extend(_adts(self._aac.encode(chunk)))
            if self._aac_low is not None:
                low.extend(_adts(self._aac_low.encode(chunk)))
        for packet in opus:
            packet.time_base = AUDIO_TIME_BASE
        return opus, aac, low


def _adts(packets: list[av.Packet[Any]]) -> list[av.Packet[Any]]:
    """ADTS-framed copies; an empty packet would be a bare 7-byte header, which the MP4 muxer's
    ``aac_adtstoasc`` refuses with AVERROR_INVALIDDATA: never framed."""
    framed_packets = []
    for packet in packets:
        if not packet.size:
            continue
        framed = av.Packet(adts_header(packet.size) + bytes(packet))
        framed.pts = packet.pts
        framed.dts = packet.dts
        framed.time_base = AUDIO_TIME_BASE
        framed_packets.append(framed)
    return framed_packets

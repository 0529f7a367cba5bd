"""Every reliance of the media package on aiortc internals, in one place.

The relay sends pre-encoded packets (``media/packet_track.py``): aiortc's ``RTCRtpSender`` packs a
track's ``av.Packet`` into RTP without encoding (``_next_encoded_frame`` → ``encoder.pack``). A
viewer's keyframe request (RTCP PLI/FIR) reaches ``RTCRtpSender._send_keyframe``, which only
matters for frames aiortc encodes itself, so the hub routes it to the shared encoder instead.
Neither is public API: ``check()`` verifies both against the installed aiortc and
``tests/media/test_aiortc_compat.py`` runs it, so an upgrade that removes one fails there. aiortc
is pinned in ``pyproject.toml``."""

from __future__ import annotations

import inspect
from collections.abc import Callable

from aiortc import RTCRtpSender


class CompatError(RuntimeError):
    """An aiortc internal the relay relies on is missing from the installed version."""


def route_keyframe_requests(sender: RTCRtpSender, request_keyframe: Callable[[], None]) -> None:
    """Make a viewer's PLI/FIR on ``sender`` call ``request_keyframe`` (the shared encoder's)."""
    setattr(sender, "_send_keyframe", request_keyframe)  # noqa: B010


def check() -> None:
    """Raise ``CompatError`` naming whatever internal the installed aiortc no longer has."""
    missing: list[str] = []
    if not callable(getattr(RTCRtpSender, "_send_keyframe", None)):
        missing.append("RTCRtpSender._send_keyframe")
    handler = getattr(RTCRtpSender, "_handle_rtcp_packet", None)
    if handler is None or "self._send_keyframe()" not in inspect.getsource(handler):
        missing.append("RTCRtpSender._handle_rtcp_packet calling self._send_keyframe() on PLI/FIR")
    frames = getattr(RTCRtpSender, "_next_encoded_frame", None)
    if frames is None or ".pack(data)" not in inspect.getsource(frames):
        missing.append("RTCRtpSender._next_encoded_frame packing pre-encoded packets (encoder.pack)")
    if missing:
        raise CompatError("aiortc internals missing: " + ", ".join(missing))

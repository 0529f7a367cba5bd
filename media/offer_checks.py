"""Validation of incoming SDP offers before they reach an RTCPeerConnection."""

from __future__ import annotations

from typing import Literal

from aiortc import sdp

from .errors import BadOffer

MAX_OFFER_BYTES = 64 * 1024

_SENDING = {"sendonly", "sendrecv"}
_RECEIVING = {"recvonly", "sendrecv"}


def check_offer(text: object, *, role: Literal["publisher", "viewer"]) -> sdp.SessionDescription:
    """Parse an offer and make sure it carries media the given role can use, else BadOffer."""
    if not isinstance(text, str) or not text.strip():
        raise BadOffer("empty SDP offer")
    if len(text.encode("utf-8", "replace")) > MAX_OFFER_BYTES:
        raise BadOffer("SDP offer too large")
    if not text.lstrip().startswith("v=0"):
        raise BadOffer("not an SDP offer (must start with v=0)")
    try:
        description = sdp.SessionDescription.parse(text)
    except Exception as exc:  # aiortc raises assorted exceptions on malformed input
        raise BadOffer(f"malformed SDP: {type(exc).__name__}") from exc
    wanted = _SENDING if role == "publisher" else _RECEIVING
    usable = [
        media
        for media in description.media
        if media.kind in ("audio", "video") and (media.direction or "sendrecv") in wanted
    ]
    if not usable:
        verb = "send" if role == "publisher" else "receive"
        raise BadOffer(f"the offer has no audio or video to {verb}")
    for media in usable:
        if media.ice is None or not media.ice.usernameFragment or not media.ice.password:
            raise BadOffer("the offer lacks ICE credentials")
        if not media.dtls or not media.dtls.fingerprints:
            raise BadOffer("the offer lacks a DTLS fingerprint")
    return description

"""Errors raised by the media package; ``code`` is the machine-readable error string."""

from __future__ import annotations


class MediaError(Exception):
    """Base class of every media error."""

    code = "media_error"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.code)
        self.detail = detail or self.code


class BadOffer(MediaError):
    """The SDP offer is unusable (malformed, no media, no common codec): HTTP 400."""

    code = "bad_offer"


class ViewerCapReached(MediaError):
    """This process already serves its maximum number of WebRTC viewers: HTTP 503, use HLS."""

    code = "viewer_cap_reached"


class NotFound(MediaError):
    """No such session, publisher or viewer resource (or the session has ended): HTTP 404."""

    code = "not_found"

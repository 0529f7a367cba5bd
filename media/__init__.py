"""WebRTC publishing and viewing, HLS and recordings: encode once, send to everyone.

The ``live`` package drives this one through :class:`media.hub.MediaHub`; ``media`` never
imports ``live``."""

from .errors import BadOffer, MediaError, NotFound, ViewerCapReached
from .hub import MediaHub
from .recording import Recording

__all__ = ["BadOffer", "MediaError", "MediaHub", "NotFound", "Recording", "ViewerCapReached"]

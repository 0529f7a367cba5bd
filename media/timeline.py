"""The broadcast's media timeline: one clock that pauses while no publisher sends, and the
mapping of each publisher track's RTP-derived timestamps onto it."""

from __future__ import annotations

import time
from collections.abc import Callable
from fractions import Fraction

# The timeline starts at one second so that encoder priming (AAC) never goes below zero.
EPOCH_S = 1.0
# A track whose timestamps run further than this ahead of the clock is re-anchored at once (its
# source jumped); one further than this behind it only once it has stayed behind for LAG_HOLD_S.
MAX_DRIFT_S = 1.0
# Frames held up on their way (the receiving process or the network stalled) arrive late and
# then in a burst that catches up with the clock: they keep their own spacing. Re-anchoring the
# first late one at "now" would insert the stall into the timeline and stamp the backlog after
# it, ahead of the clock for good: a recording longer than the broadcast. Only a lag that lasts
# (a publisher clock slower than ours) re-anchors.
LAG_HOLD_S = 2.0
_WRAP = 1 << 32


class MediaClock:
    """Seconds of media time: starts paused, runs while a publisher is sending."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._base: float | None = None
        self._paused_at: float | None = None

    @property
    def running(self) -> bool:
        return self._base is not None and self._paused_at is None

    def resume(self) -> None:
        now = self._now()
        if self._base is None:
            self._base = now
        elif self._paused_at is not None:
            self._base += now - self._paused_at
        self._paused_at = None

    def pause(self, at: float | None = None) -> None:
        """Stop the clock, by default now; ``at`` (monotonic seconds) may lie in the past."""
        if self._base is None or self._paused_at is not None:
            return
        now = self._now()
        self._paused_at = min(now, max(at if at is not None else now, self._base))

    def rewind(self, media_s: float) -> None:
        """While paused, read no later than ``media_s``: where the media ended, when it arrived
        behind the clock (a delivery stall just before the publisher went). The next publisher
        then continues the timeline where the last one stopped, instead of after a hole that the
        playlist (cut at the last packet) would not count and the MP4 join would."""
        if self._base is None or self._paused_at is None:
            return
        self._paused_at = max(self._base, min(self._paused_at, self._base + media_s - EPOCH_S))

    def seconds(self) -> float:
        if self._base is None:
            return EPOCH_S
        now = self._paused_at if self._paused_at is not None else self._now()
        return EPOCH_S + now - self._base


class TrackTimeline:
    """Maps one kind of track (video at 90 kHz, audio at 48 kHz) onto the media clock.

    Timestamps of one publisher track keep their spacing (smooth playback); the anchor is the
    arrival time of the track's first frame, so audio and video stay in sync. Output is strictly
    increasing across publisher reconnects."""

    def __init__(self, clock: MediaClock, rate: int) -> None:
        self._clock = clock
        self._rate = rate
        self._anchor_in: Fraction | None = None
        self._anchor_out = 0
        self._last_raw: int | None = None
        self._wraps = 0
        self._next_min: int | None = None
        self._behind_since: float | None = None

    def new_source(self) -> None:
        """A new publisher track starts: forget the old anchor (its timestamps are unrelated)."""
        self._anchor_in = None
        self._behind_since = None
        self._last_raw = None
        self._wraps = 0

    def end_s(self) -> float | None:
        """Where this track's last frame ends on the media clock (None before the first)."""
        return None if self._next_min is None else self._next_min / self._rate

    def _unwrap(self, raw: int) -> int:
        if self._last_raw is not None and 0 <= raw < _WRAP:
            diff = raw - self._last_raw
            if diff < -(_WRAP // 2):
                self._wraps += 1
            elif diff > _WRAP // 2:
                self._wraps -= 1
        self._last_raw = raw
        return raw + self._wraps * _WRAP

    def stamp(self, pts: int | None, time_base: Fraction | None, duration: int) -> int:
        """Timeline timestamp (in 1/rate) of a frame lasting ``duration`` ticks."""
        now_s = self._clock.seconds()
        now_out = round(now_s * self._rate)
        if pts is None or time_base is None:
            out = now_out
        else:
            t_in = self._unwrap(pts) * Fraction(time_base)
            if self._anchor_in is None:
                self._anchor_in, self._anchor_out = t_in, now_out
            out = self._anchor_out + round((t_in - self._anchor_in) * self._rate)
            limit = MAX_DRIFT_S * self._rate
            if out - now_out < -limit:
                if self._behind_since is None:
                    self._behind_since = now_s
            else:
                self._behind_since = None
            lasting_lag = self._behind_since is not None and now_s - self._behind_since >= LAG_HOLD_S
            if out - now_out > limit or lasting_lag:
                self._anchor_in, self._anchor_out = t_in, now_out
                self._behind_since = None
                out = now_out
        if self._next_min is not None and out < self._next_min:
            out = self._next_min
        self._next_min = out + max(1, duration)
        return out

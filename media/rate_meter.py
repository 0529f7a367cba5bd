"""Sliding-window bitrate and frame-rate of a broadcast's encoded output."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class RateMeter:
    def __init__(self, window_s: float = 3.0, now: Callable[[], float] = time.monotonic) -> None:
        self._window_s = window_s
        self._now = now
        self._events: deque[tuple[float, int, bool]] = deque(maxlen=8192)

    def add(self, nbytes: int, *, video_frame: bool) -> None:
        self._events.append((self._now(), nbytes, video_frame))

    def rates(self) -> tuple[float, float]:
        """(kilobits per second, video frames per second) over the window."""
        now = self._now()
        while self._events and now - self._events[0][0] > self._window_s:
            self._events.popleft()
        if not self._events:
            return 0.0, 0.0
        span = max(now - self._events[0][0], 1.0)
        total = sum(nbytes for _, nbytes, _ in self._events)
        frames = sum(1 for _, _, video in self._events if video)
        return round(total * 8 / 1000 / span, 1), round(frames / span, 1)

"""An injectable clock, so that time-based rules are tested without sleeping."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin that never goes backwards."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock:
    """A clock that only moves when a test says so."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds


def to_ms(moment: datetime) -> int:
    """Milliseconds since the epoch, as the socket interface carries time."""
    return int(moment.timestamp() * 1000)


def aware(moment: datetime) -> datetime:
    """Treat a naive datetime read back from SQLite as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

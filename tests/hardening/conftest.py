"""The live room's socket fixtures (real socket.io clients, a live session)."""

from __future__ import annotations

from tests.realtime.conftest import connect, room, staff  # noqa: F401

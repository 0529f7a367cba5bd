"""The services of one running app, built once at start-up and shared by both transports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from live.clock import Clock
from live.events import EventBus
from live.services.accounts import Accounts
from live.services.places import Places
from live.services.rooms import Rooms
from live.settings import Settings
from live.storage.db import Database


@dataclass
class Services:
    settings: Settings
    clock: Clock
    db: Database
    events: EventBus
    accounts: Accounts
    places: Places
    rooms: Rooms
    viewer_counter: Callable[[int], Awaitable[int]] | None = field(default=None)

    async def viewer_count(self, session_id: int) -> int:
        """People watching a session now (0 until the presence service is attached)."""
        if self.viewer_counter is None:
            return 0
        return await self.viewer_counter(session_id)

"""What the socket handlers share: the server, the fanout, the app's services and who is connected."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import socketio
from aiohttp import web

from live.keys import SERVICES
from live.realtime.fanout import Fanout
from live.services.actors import Actor
from live.services.container import Services


@dataclass
class Connection:
    """One socket of this process: who it is and which sessions it joined (id -> community id)."""

    actor: Actor
    sessions: dict[int, int] = field(default_factory=dict)
    #: The sign-in session token a signed-in socket was recognised by (re-checked for powers).
    token: str | None = None
    #: Set when the account's powers ended (sign-out, disabled, role change) before disconnecting.
    revoked: bool = False


@dataclass
class RealtimeContext:
    app: web.Application
    sio: socketio.AsyncServer
    fanout: Fanout
    connections: dict[str, Connection] = field(default_factory=dict)
    #: Called once the app's services exist (at start-up), e.g. to subscribe to signals.
    services_ready: list[Callable[[Services], None]] = field(default_factory=list)

    @property
    def services(self) -> Services:
        return self.app[SERVICES]


def session_room(session_id: int) -> str:
    return f"session:{session_id}"


def staff_room(community_id: int) -> str:
    return f"staff:{community_id}"


def item_room(item_id: int) -> str:
    """Pages of an agenda item (its household votes' turnout and results)."""
    return f"item:{item_id}"


def meeting_room(meeting_id: int) -> str:
    """Pages of a meeting and its door check-in (registration counts)."""
    return f"meeting:{meeting_id}"


REALTIME = web.AppKey("realtime", RealtimeContext)

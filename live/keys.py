"""Typed keys of the aiohttp application's state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from redis.asyncio import Redis

from live.clock import Clock
from live.events import EventBus
from live.services.container import Services
from live.services.redis_health import RedisHealth
from live.services.streams import Streams
from live.settings import Settings
from media.hub import MediaHub


@dataclass(frozen=True)
class PageSettings:
    """What every page is rendered with (``live.http.templates.render``): the site's address as
    residents reach it (LIVE_PUBLIC_URL, "" for the request's own host), the committees' time
    zone (LIVE_TIMEZONE) and the time now (for "in 3 days"), not the whole settings and clock."""

    public_url: str
    timezone: str
    now: Callable[[], datetime]


SETTINGS = web.AppKey("settings", Settings)
PAGES = web.AppKey("pages", PageSettings)
CLOCK = web.AppKey("clock", Clock)
SERVICES = web.AppKey("services", Services)
#: The event bus, for the modules that wire subscribers to it at start-up (the realtime
#: subscribers, the media hub); request handlers never post: their service method does.
EVENTS = web.AppKey("events", EventBus)
#: The shared Redis client, or None when REDIS_URL is unset (one process, in memory).
REDIS: web.AppKey[Redis | None] = web.AppKey("redis")
#: Whether that Redis answers (always "up" without Redis); /healthz reports it.
REDIS_HEALTH = web.AppKey("redis_health", RedisHealth)
#: The WebRTC/HLS hub of this process (live/http/media.py creates and closes it).
MEDIA_HUB = web.AppKey("media_hub", MediaHub)
#: The broadcast media use cases (WHIP, WHEP, health, recordings) over this process's hub.
STREAMS = web.AppKey("streams", Streams)

"""The application factory: typed app state and one cleanup context per resource."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from live.clock import Clock, SystemClock
from live.events import EventBus
from live.http.auth import setup_auth
from live.http.compression import setup_compression
from live.http.csrf import setup_csrf
from live.http.errors import setup_errors
from live.http.media import setup_media
from live.http.navigation import setup_navigation
from live.http.routes import setup_routes
from live.http.security_headers import setup_security_headers
from live.keys import CLOCK, EVENTS, PAGES, REDIS, REDIS_HEALTH, SERVICES, SETTINGS, PageSettings
from live.realtime import setup_realtime
from live.services.accountability import Accountability
from live.services.accounts import Accounts
from live.services.admin import Admin
from live.services.agenda import Agenda
from live.services.archive import Archive
from live.services.categories import Categories
from live.services.container import Services
from live.services.households import Households
from live.services.inbox import Inbox
from live.services.jobs import Jobs, run_periodically
from live.services.meetings import Meetings
from live.services.navigation import Navigation
from live.services.opinions import (
    Opinions,
    address_opinion_limiter,
    opinion_limiter,
    unverified_support_limit,
)
from live.services.places import Places
from live.services.polls import Polls
from live.services.questions import Questions
from live.services.redis_health import RedisHealth
from live.services.registration import Registration
from live.services.registrations import Registrations
from live.services.room_setup import build_room_services
from live.services.rooms import Rooms
from live.services.sms import make_sender
from live.services.stats import Stats
from live.services.throttle import FailoverFailureCounter, FailureCounter, MemoryFailureCounter
from live.services.uploads import Uploads
from live.services.votes import Votes
from live.settings import Settings
from live.storage.accounts import PhoneStore
from live.storage.db import Database
from live.storage.households import HouseholdStore
from live.storage.migrate import upgrade
from live.storage.moderation import AuditStore
from live.storage.redis_counters import RedisFailureCounter

log = logging.getLogger(__name__)
DATABASE = web.AppKey("database", Database)


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    db = Database.from_url(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    await upgrade(db)
    app[DATABASE] = db
    yield
    await db.close()


async def redis_ctx(app: web.Application) -> AsyncIterator[None]:
    url = app[SETTINGS].redis_url
    if not url:
        app[REDIS] = None
        app[REDIS_HEALTH] = RedisHealth(None)
        yield
        return
    import redis.asyncio as aioredis

    client = aioredis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    await client.ping()
    app[REDIS] = client
    health = app[REDIS_HEALTH] = RedisHealth(client)
    watching = asyncio.create_task(health.watch())
    yield
    watching.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await watching
    await client.aclose()


async def services_ctx(app: web.Application) -> AsyncIterator[None]:
    settings, clock, db = app[SETTINGS], app[CLOCK], app[DATABASE]
    events = EventBus()
    health = app[REDIS_HEALTH]
    room = build_room_services(settings, clock, db, app[REDIS], events, health)
    categories = Categories(db)
    failures: FailureCounter = (
        FailoverFailureCounter(RedisFailureCounter(app[REDIS], clock), MemoryFailureCounter(clock), health)
        if app[REDIS] is not None
        else MemoryFailureCounter(clock)
    )
    accounts = Accounts(
        db,
        clock,
        failures,
        events,
        max_failures=settings.login_max_failures,
        window_s=settings.login_window_s,
    )
    sms = make_sender(settings.sms_backend, settings.sms_webhook, clock)
    app[SERVICES] = Services(
        settings=settings,
        clock=clock,
        db=db,
        events=events,
        accounts=accounts,
        places=Places(db),
        rooms=Rooms(db, clock, events, room.presence),
        categories=categories,
        opinions=Opinions(
            db,
            clock,
            events,
            categories,
            opinion_limiter(app[REDIS], clock, settings.redis_prefix, health),
            uploads=Uploads(settings.data_dir),
            address_limiter=address_opinion_limiter(
                app[REDIS], clock, settings.redis_prefix, settings.address_factor
            ),
            support_limit=unverified_support_limit(
                app[REDIS], clock, settings.redis_prefix, settings.unverified_supports_per_hour
            ),
        ),
        agenda=Agenda(db, clock, events),
        meetings=Meetings(db, clock, events),
        inbox=Inbox(db, clock),
        archive=Archive(db, settings.data_dir, clock),
        admin=Admin(db, settings.data_dir, events),
        words=room.words,
        wordfilter=room.wordfilter,
        chat=room.chat,
        moderation=room.moderation,
        presence=room.presence,
        signals=room.signals,
        navigation=Navigation(db),
        households=Households(HouseholdStore(db), AuditStore(db, clock), clock, events, failures),
        registration=Registration(PhoneStore(db), accounts, sms, failures, clock, events, settings.secret),
        sms=sms,
        polls=Polls(db, clock, events),
        questions=Questions(db, clock, events),
        accountability=Accountability(db, clock, events, due_soon_days=settings.due_soon_days),
        jobs=Jobs(db, clock, due_soon_days=settings.due_soon_days, escalate_days=settings.escalate_days),
        stats=Stats(db, clock, room.signals),
        registrations=Registrations(db, clock, events),
        votes=Votes(db, clock, events),
    )
    app[EVENTS] = events
    # ending a broadcast closes its polls before it answers (part of the use case: a poll read
    # right after the end is closed; off the request path it raced the next request)
    events.subscribe(app[SERVICES].polls.on_event, before_reply=True)
    unsubscribe = events.subscribe(room.chat.rules.on_event)
    events.subscribe(app[SERVICES].archive.on_event)
    # inline: whoever changed something sees it in the next statistics they open
    events.subscribe(app[SERVICES].stats.on_event, before_reply=True)
    yield
    unsubscribe()
    await room.chat.close()
    await sms.close()


async def jobs_ctx(app: web.Application) -> AsyncIterator[None]:
    """Run the time-limit jobs every LIVE_JOBS_INTERVAL_S seconds in the background (0: never),
    and with them, once at start, count the statistics (``Stats.warm``)."""
    interval = app[SETTINGS].jobs_interval_s
    if interval <= 0:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(run_periodically(app[SERVICES].jobs, interval, stop))
    warming = asyncio.create_task(_warm(app[SERVICES].stats))
    yield
    stop.set()
    warming.cancel()
    await asyncio.gather(warming, return_exceptions=True)
    await task


async def _warm(stats: Stats) -> None:
    try:
        await stats.warm()
    except Exception:  # the statistics are then counted at their first view, as before
        log.exception("could not count the statistics at start")


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> web.Application:
    settings = (settings or Settings.from_env()).with_secret()
    app = web.Application(client_max_size=2 * 1024 * 1024)
    app[SETTINGS] = settings
    app[CLOCK] = clock or SystemClock()
    app[PAGES] = PageSettings(settings.public_url, settings.timezone, app[CLOCK].now)
    app.cleanup_ctx.append(database_ctx)
    app.cleanup_ctx.append(redis_ctx)
    app.cleanup_ctx.append(services_ctx)
    app.cleanup_ctx.append(jobs_ctx)
    setup_errors(app)
    setup_compression(app)
    setup_security_headers(app)
    setup_auth(app)
    setup_csrf(app)
    setup_navigation(app)
    setup_routes(app)
    setup_media(app)
    setup_realtime(app)
    return app

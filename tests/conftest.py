"""Shared fixtures: real SQLite and PostgreSQL databases, the app, signed-in clients.

Tests that take the ``db_url`` fixture (directly or through ``app``/``client``) run twice: on
SQLite and on PostgreSQL (127.0.0.1:5432, database ``test`` unless TEST_PG_URL says otherwise).
Each test run creates its own PostgreSQL database and drops it at the end."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web, web_app
from aiohttp.test_utils import TestClient

from live.app import create_app
from live.clock import FakeClock
from live.settings import Settings
from live.storage.db import Database
from live.storage.migrate import upgrade

PG_ADMIN_URL = os.environ.get("TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
RUN_ID = uuid.uuid4().hex[:8]
PASSWORD = "correct-horse"
SECRET = "test-secret"

pytest_plugins = ["tests.stall"]


def guest_token(guest_id: str, secret: str = SECRET) -> str:
    """The signed token the server would have issued to guest ``guest_id`` (its holder's credential)."""
    from live.services.guests import sign_guest

    return sign_guest(secret, guest_id)


def guest_key(guest_id: str, secret: str = SECRET) -> str:
    """The public id (``author.id``, ``you.id``) of guest ``guest_id``."""
    from live.services.guests import public_guest_key

    return public_guest_key(secret, guest_id)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--no-postgres", action="store_true", help="run database tests on SQLite only")


@pytest_asyncio.fixture(scope="session", loop_scope="session", autouse=True)
async def stall_watch() -> None:
    """A phase of a test that stalls has its threads' and tasks' stacks dumped (tests/stall.py)."""
    from tests.stall import watch_loop

    watch_loop(asyncio.get_running_loop())


@pytest.fixture(scope="session", autouse=True)
def cheap_passwords() -> Iterator[None]:
    """argon2id at minimum cost for every test account (production cost has its own test)."""
    from live.services.passwords import cheap_hasher, use_hasher

    previous = use_hasher(cheap_hasher())
    yield
    use_hasher(previous)


@pytest.fixture
def production_passwords() -> Iterator[None]:
    """This test hashes with the production argon2 cost."""
    from live.services.passwords import PRODUCTION, use_hasher

    previous = use_hasher(PRODUCTION)
    yield
    use_hasher(previous)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Markers where they belong, from what a test uses: ``browser`` (Chromium), ``postgres``
    (its PostgreSQL copy), ``redis`` (a Redis fixture); browser tests are also ``slow``."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & {"browser", "phone", "chromium"}:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("db_backend") == "postgres":
            item.add_marker(pytest.mark.postgres)
        if names & {"redis_url", "redis_prefix", "redis_client", "shared_redis"}:
            item.add_marker(pytest.mark.redis)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_backend" in metafunc.fixturenames:
        backends = ["sqlite"]
        if not metafunc.config.getoption("--no-postgres"):
            backends.append("postgres")
        metafunc.parametrize("db_backend", backends, indirect=True)


@pytest.fixture
def db_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def run_blocking(make: Any) -> Any:
    """Run ``make()``'s coroutine to completion on a fresh loop in a worker thread."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A PostgreSQL database of this test run, migrated once, dropped at the end."""
    import asyncpg

    name = f"rt_test_{RUN_ID}"
    base = PG_ADMIN_URL.rsplit("/", 1)[0]

    async def create() -> None:
        conn = await asyncpg.connect(_asyncpg_dsn(PG_ADMIN_URL))
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        db = Database.from_url(f"{base}/{name}")
        try:
            await upgrade(db)
        finally:
            await db.close()

    async def drop() -> None:
        conn = await asyncpg.connect(_asyncpg_dsn(PG_ADMIN_URL))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    run_blocking(create)
    yield f"{base}/{name}"
    run_blocking(drop)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("template") / "template.db"

    async def create() -> None:
        db = Database.from_url(f"sqlite+aiosqlite:///{path}")
        try:
            await upgrade(db)
        finally:
            await db.close()

    run_blocking(create)
    return path


async def _truncate_all(url: str) -> None:
    """Empty every table and restart every sequence, as a fresh migrated database.

    Only the tables that hold rows are truncated (TRUNCATE costs a new file per table, and a
    test touches a handful of the 50-odd), and only the sequences that were used are restarted
    (a rolled-back insert advances a sequence of a table left empty): the same state as
    ``TRUNCATE <all> RESTART IDENTITY`` at a fraction of the cost."""
    import asyncpg

    from live.storage.models import metadata

    tables = [t.name for t in metadata.sorted_tables]
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        probe = " UNION ALL ".join(
            f"SELECT '{name}' AS name WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in tables
        )
        dirty = [row["name"] for row in await conn.fetch(probe)]
        used = await conn.fetch(
            "SELECT schemaname, sequencename FROM pg_sequences"
            " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
        )
        async with conn.transaction():
            if dirty:
                await conn.execute("TRUNCATE " + ", ".join(f'"{n}"' for n in dirty) + " CASCADE")
            for row in used:
                await conn.execute(f'ALTER SEQUENCE "{row["schemaname"]}"."{row["sequencename"]}" RESTART')
    finally:
        await conn.close()


@pytest.fixture
async def db_url(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if db_backend == "postgres":
        url = str(request.getfixturevalue("pg_database"))
        await _truncate_all(url)
        return url
    template: Path = request.getfixturevalue("sqlite_template")
    target = tmp_path / "live.db"
    shutil.copy(template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database.from_url(db_url)
    yield database
    await database.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    # jobs_interval_s=0: no background time-limit job; tests run it when they mean to
    return Settings(database_url=db_url, data_dir=tmp_path / "data", secret=SECRET, jobs_interval_s=0)


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Iterator[web.Application]:
    yield create_app(settings, clock=clock)
    # aiohttp memoises each handler wrapped in its app's middlewares in a module-level LRU cache
    # (1,024 entries), which keeps every test's application alive, with its routes, services
    # and the objects they hold: about 6,000 objects a test, millions by the end of a run, and
    # every full garbage collection walks them all, on the loop the test server shares
    # (``tests/test_suite_memory.py``).
    web_app._cached_build_middleware.cache_clear()


@pytest.fixture
async def client(aiohttp_client: Any, app: web.Application) -> TestClient[Any, Any]:
    return await aiohttp_client(app)  # type: ignore[no-any-return]


@dataclass
class World:
    """Two communities with staff: host/moderator of each, and an admin."""

    communities: tuple[str, str] = ("hexie", "xingfu")
    password: str = PASSWORD


@pytest.fixture
async def world(client: TestClient[Any, Any]) -> World:
    from live.keys import SERVICES

    services = client.app[SERVICES]
    await services.places.add_community("hexie", "和谐社区")
    await services.places.add_community("xingfu", "幸福社区")
    accounts = services.accounts
    await accounts.create_user("host-a", PASSWORD, "host", "hexie", "和谐书记")
    await accounts.create_user("mod-a", PASSWORD, "moderator", "hexie", "和谐网格员")
    await accounts.create_user("host-b", PASSWORD, "host", "xingfu", "幸福书记")
    await accounts.create_user("resident", PASSWORD, "resident", None, "张阿姨")
    await accounts.create_user("admin", PASSWORD, "admin", None, "管理员")
    return World()


async def login(client: TestClient[Any, Any], username: str, password: str = PASSWORD) -> str:
    """Sign the client in; returns the CSRF token to send with writes."""
    csrf = (await (await client.get("/api/me")).json())["csrf"]
    response = await client.post(
        "/api/auth/login",
        json={"username": username, "password": password},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status == 200, await response.text()
    return str((await response.json())["csrf"])


@pytest.fixture
async def other_browser(client: TestClient[Any, Any]) -> AsyncIterator[Any]:
    """A second person's browser (its own cookie jar) against the same running server."""
    import aiohttp

    session = aiohttp.ClientSession(
        base_url=str(client.make_url("/")), cookie_jar=aiohttp.CookieJar(unsafe=True)
    )
    yield session
    await session.close()


def with_settings(settings: Settings, **changes: Any) -> Settings:
    return replace(settings, **changes)


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
HAVE_CHROMIUM = os.path.exists(CHROMIUM)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def chromium() -> AsyncIterator[Any]:
    """One Debian Chromium for the whole test session (launched on first use), driven by Playwright
    on the session's event loop; every test gets fresh contexts of it (fixture ``browser``)."""
    if not HAVE_CHROMIUM:
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        instance = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        await instance.close()


BROWSER_WAIT_MS = 20_000


@pytest.fixture
async def browser(chromium: Any) -> AsyncIterator[Any]:
    """The session's Chromium, with a fake camera and microphone. Every context (and page) a test
    opens is closed when it ends, so no cookie, storage or page outlives its test. ``expect``
    waits up to 20 s for what it checks (Playwright's 5 s default is short on a busy 2-core
    machine; a wait that passes returns as soon as it holds, so this costs nothing then)."""
    from playwright.async_api import expect

    expect.set_options(timeout=BROWSER_WAIT_MS)
    before = set(chromium.contexts)
    yield chromium
    for context in chromium.contexts:
        if context not in before:
            await close_context(context)


#: How long closing a browser context may take before the suite gives up on it and goes on.
CLOSE_CONTEXT_S = 30.0


async def close_context(context: Any) -> None:
    """Close a Playwright context, never waiting forever: once, in a clean clone's CI run, a
    context's close never returned and the whole suite hung behind it for twenty minutes."""
    with contextlib.suppress(Exception):
        async with asyncio.timeout(CLOSE_CONTEXT_S):
            await context.close()


@pytest.fixture
async def phone(browser: Any) -> AsyncIterator[Any]:
    """A new browser context the size of a 360 px wide phone, in its own cookie jar."""
    context = await browser.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    yield context
    await close_context(context)


@pytest.fixture
def base_url(client: TestClient[Any, Any]) -> str:
    """The running test server's address, for browsers."""
    return str(client.make_url("")).rstrip("/")

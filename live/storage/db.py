"""The database engine: SQLite (WAL, busy timeout) embedded, or PostgreSQL through asyncpg.

A database that cannot be reached (PostgreSQL restarting, a connection cut mid-query) is a
``live.errors.Unavailable`` — a clear 503 / ``{ok: false, error: "unavailable"}`` — and the
transaction it interrupted is rolled back whole, and the next request reconnects by itself.

PostgreSQL round trips (issue 14): a read runs in autocommit — under READ COMMITTED each statement
of a read transaction took its own snapshot anyway, so ``BEGIN`` and ``ROLLBACK`` bought nothing
— and the pool no longer pings a connection before handing it out (SQLAlchemy's asyncpg ping was
three round trips: ``BEGIN``, ``;``, ``ROLLBACK``). Instead a connection the server has closed
(a restart, ``pg_terminate_backend``, an idle timeout) is seen without a round trip at checkout
(asyncpg notices the closed socket) and replaced; one that dies silently fails its first
statement, which is a 503 and makes the pool replace every connection opened before it. A read of
one statement went from six round trips to one."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from live.errors import Unavailable

# PRAGMA synchronous for SQLite in WAL mode (LIVE_SQLITE_SYNCHRONOUS): with "normal" a committed
# transaction survives the process being killed, but the last ones may be lost if the machine
# loses power; "full" (and "extra") fsync the WAL on every commit, so they survive that too.
SQLITE_SYNCHRONOUS = ("normal", "full", "extra")
#: The seam services use instead of SQLAlchemy: ``Tx`` is the open transaction a service hands
#: to the store functions (``async with db.transaction() as tx``); ``Duplicate`` is what a store
#: write raises when a unique constraint refuses it (a concurrent insert of the same row).
Tx = AsyncSession
Duplicate = IntegrityError
#: How long a SQLite write transaction waits for the one before it in this process; then the
#: database is "busy" (``Unavailable``, 503), as SQLite's own busy timeout would say.
SQLITE_WRITE_WAIT_S = 10.0


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_dir(url: str) -> None:
    """Create the SQLite file's directory, and the file itself readable by its owner only (0600;
    SQLite gives its -wal and -shm files the database file's permissions)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(str(parsed.database))
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _sqlite_pragmas(synchronous: str) -> Any:
    if synchronous not in SQLITE_SYNCHRONOUS:
        raise ValueError(f"sqlite synchronous must be one of {', '.join(SQLITE_SYNCHRONOUS)}")

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return on_connect


class _NoResultRows(logging.Filter):
    """SQLAlchemy's echo at DEBUG logs every result row, and rows hold personal data (residents'
    phone numbers): those records are dropped; statements stay (their values hidden)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith(("Row ", "Col ")))


class _NoOperationTrace(logging.Filter):
    """aiosqlite traces every operation at DEBUG with its bound values (phone numbers again)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


logging.getLogger("sqlalchemy.engine.Engine").addFilter(_NoResultRows())
logging.getLogger("aiosqlite").addFilter(_NoOperationTrace())


def make_engine(url: str, *, sqlite_synchronous: str = "normal") -> AsyncEngine:
    """The engine: ``hide_parameters`` keeps bound values (phone numbers, codes) out of the SQL
    echo (``sqlalchemy.engine`` at INFO/DEBUG) and out of the text of database errors."""
    ensure_sqlite_dir(url)
    if is_sqlite(url):
        engine = create_async_engine(url, connect_args={"timeout": 5}, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(sqlite_synchronous))
        return engine
    engine = create_async_engine(
        url,
        pool_size=10,
        max_overflow=20,
        pool_timeout=10,
        connect_args={"timeout": 5},
        hide_parameters=True,
    )
    event.listen(engine.sync_engine, "checkout", _closed_is_dead)
    return engine


def _closed_is_dead(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """At checkout, a connection whose socket the server closed is replaced (no round trip:
    asyncpg marks it closed when the event loop reads the end of its stream)."""
    driver = record.driver_connection
    if driver is not None and driver.is_closed():
        raise exc.DisconnectionError("the server closed this connection")


def unreachable(err: BaseException) -> bool:
    """Whether ``err`` means the database could not be reached (not that a statement was wrong)."""
    if isinstance(err, exc.DBAPIError):
        if err.connection_invalidated:
            return True
        if isinstance(err, exc.InterfaceError):
            return True
        if isinstance(err, exc.OperationalError):
            if type(err.orig).__module__.startswith("sqlite3"):
                # SQLite says OperationalError for wrong SQL too: only a busy or missing file is
                # "unavailable"; a wrong statement stays a bug (500)
                text = str(err.orig).lower()
                return any(w in text for w in ("locked", "busy", "unable to open", "disk i/o"))
            return True
        # asyncpg reports a cut or refused connection as a plain DBAPIError around an OSError or
        # one of its connection errors (admin shutdown, cannot connect now)
        cause = err.orig.__cause__ if err.orig is not None else None
        name = type(err.orig).__name__ + " " + type(cause).__name__
        return isinstance(cause, OSError) or any(
            word in name for word in ("Connection", "AdminShutdown", "CannotConnectNow", "CrashShutdown")
        )
    return isinstance(err, OSError | exc.TimeoutError)


class _ReadSession(Session):
    """The session of ``Database.read()``: refuses to write."""


@event.listens_for(_ReadSession, "before_flush")
def _refuse_writes(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a read session does not write; use Database.transaction()")


class Database:
    """The engine and a session factory; ``transaction()`` commits on success."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        # SQLite's driver begins no transaction for a SELECT, so there is nothing to save there
        self._autocommit_reads = engine.dialect.name == "postgresql"
        # a read session never flushes: with autocommit a flushed change would be committed
        # statement by statement (before, it was rolled back with the read transaction)
        self._read_sessions = async_sessionmaker(
            engine, expire_on_commit=False, autoflush=False, sync_session_class=_ReadSession
        )
        self._one_writer = engine.dialect.name == "sqlite"
        self._writer_lock: asyncio.Lock | None = None
        self._writer: asyncio.Task[Any] | None = None

    @classmethod
    def from_url(cls, url: str, *, sqlite_synchronous: str = "normal") -> Database:
        return cls(make_engine(url, sqlite_synchronous=sqlite_synchronous))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """Commits on success; on any error the whole transaction is rolled back."""
        async with self._writing():
            try:
                async with self.sessions() as session, session.begin():
                    yield session
            except Exception as err:
                if unreachable(err):
                    raise Unavailable("the database is unavailable; try again") from err
                raise

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[None]:
        """On SQLite, one write transaction at a time in this process. The driver begins
        SQLite's transaction only at the first write, so what a transaction read before it (a
        count of places taken, "not voted yet") could be changed by another one committing in
        between: eight residents registering at once for a meeting's last two places all got one.
        PostgreSQL's transactions lock the rows they check (``FOR UPDATE``) instead. A task's
        nested transaction does not wait for itself."""
        task = asyncio.current_task()
        if not self._one_writer or (task is not None and task is self._writer):
            yield
            return
        if self._writer_lock is None:
            self._writer_lock = asyncio.Lock()
        lock = self._writer_lock
        try:
            # asyncio.timeout, not wait_for: Python 3.11's wait_for returns the result when the
            # lock is granted in the same loop turn as the waiting task is cancelled, losing the
            # cancellation (a cancelled background job then went on running, and the app's
            # cleanup, which waits for it, waited forever)
            async with asyncio.timeout(SQLITE_WRITE_WAIT_S):
                await lock.acquire()
        except TimeoutError:
            raise Unavailable("the database is busy; try again") from None
        self._writer = task
        try:
            yield
        finally:
            self._writer = None
            lock.release()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reading: on PostgreSQL each statement in autocommit (one round trip),
        which READ COMMITTED made equivalent to a read transaction; nothing in it is committed
        together, so writes belong in ``transaction()``."""
        try:
            async with self._read_sessions() as session:
                if self._autocommit_reads:
                    await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
                yield session
        except Exception as err:
            if unreachable(err):
                raise Unavailable("the database is unavailable; try again") from err
            raise

    async def close(self) -> None:
        await self.engine.dispose()

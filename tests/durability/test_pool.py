"""The PostgreSQL pool without a ping per checkout (issue 14): a read costs one round trip per
statement (autocommit, no BEGIN/ROLLBACK), a transaction still commits or rolls back whole, and
a connection the server closed while it sat in the pool is replaced before anyone uses it."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import select, text

from live.errors import Unavailable
from live.storage.db import Database
from tests.waiting import eventually


def postgres_only(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's pool and transactions")


async def test_a_read_sends_no_begin(db_url: str, db: Database) -> None:
    postgres_only(db_url)
    # now() is the start of the statement's transaction: in a read each statement is its own
    async with db.read() as s:
        first = await s.scalar(text("SELECT now()"))
        second = await s.scalar(text("SELECT now()"))
    assert first is not None and second is not None and second > first
    async with db.transaction() as s:  # a transaction is still one
        first = await s.scalar(text("SELECT now()"))
        second = await s.scalar(text("SELECT now()"))
    assert second == first


async def test_a_failed_transaction_still_rolls_back_whole(db_url: str, db: Database) -> None:
    postgres_only(db_url)
    async with db.transaction() as s:
        await s.execute(text("CREATE TABLE pool_probe (n int)"))
    with pytest.raises(RuntimeError):
        async with db.transaction() as s:
            await s.execute(text("INSERT INTO pool_probe VALUES (1)"))
            raise RuntimeError("the service refused half way")
    async with db.read() as s:
        assert await s.scalar(text("SELECT count(*) FROM pool_probe")) == 0
    async with db.transaction() as s:
        await s.execute(text("DROP TABLE pool_probe"))


async def test_a_connection_the_server_closed_is_replaced_at_checkout(db_url: str, db: Database) -> None:
    postgres_only(db_url)
    async with db.read() as s:
        raw = await (await s.connection()).get_raw_connection()
        driver = raw.driver_connection
        pid = await s.scalar(text("SELECT pg_backend_pid()"))
    # the pooled connection's backend ends (what a restart or an idle timeout does to it)
    admin = await asyncpg.connect(db_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid) is True
    finally:
        await admin.close()
    assert driver is not None
    await eventually(driver.is_closed, 10, what="asyncpg to see its socket closed")
    try:
        async with db.read() as s:  # no ping, and still not a 503: the pool opened a new one
            assert await s.scalar(text("SELECT pg_backend_pid()")) != pid
    except Unavailable:
        pytest.fail("the closed connection was handed out")


async def test_a_read_session_does_not_write(db: Database) -> None:
    from live.storage.places import Community

    async with db.transaction() as s:
        s.add(Community(slug="probe", name="探针社区"))
    with pytest.raises(RuntimeError, match="does not write"):
        async with db.read() as s:
            community = await s.scalar(select(Community).where(Community.slug == "probe"))
            assert community is not None
            community.name = "改过的名字"
            await s.flush()
    async with db.read() as s:
        assert await s.scalar(select(Community.name).where(Community.slug == "probe")) == "探针社区"

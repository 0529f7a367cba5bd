"""The households migration, on an empty database of each kind: it applies on top of 0001 with
data in it (supports given while signed in learn their account), and the migrated schema matches
the models exactly."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection

from live.storage.db import Database
from live.storage.migrate import upgrade
from live.storage.models import metadata
from tests.conftest import PG_ADMIN_URL, _asyncpg_dsn


@pytest.fixture
async def empty_url(db_backend: str, tmp_path: Path) -> AsyncIterator[str]:
    if db_backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    import asyncpg

    name = f"rt_mig_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(_asyncpg_dsn(PG_ADMIN_URL))
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    conn = await asyncpg.connect(_asyncpg_dsn(PG_ADMIN_URL))
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def test_households_migration_keeps_data_and_matches_the_models(empty_url: str) -> None:
    db = Database.from_url(empty_url)
    try:
        await upgrade(db, "0001")
        async with db.transaction() as s:
            await s.execute(text("INSERT INTO communities (id, slug, name) VALUES (1, 'hexie', '和谐社区')"))
            await s.execute(
                text(
                    "INSERT INTO users (id, username, display_name, role, password_hash, created_at,"
                    " disabled)"
                    " VALUES (7, 'zhang', '张阿姨', 'resident', 'x', CURRENT_TIMESTAMP, false)"
                )
            )
            await s.execute(
                text(
                    "INSERT INTO opinions (id, community_id, text, category, source, author_key, author_name,"
                    " status, supporters, public, created_at)"
                    " VALUES (1, 1, '路灯坏了', 'facilities', 'web', 'g:abc', '', 'new', 2, true,"
                    " CURRENT_TIMESTAMP)"
                )
            )
            await s.execute(
                text(
                    "INSERT INTO opinion_supports (opinion_id, person_key, created_at)"
                    " VALUES (1, 'g:abc', CURRENT_TIMESTAMP), (1, 'u:7', CURRENT_TIMESTAMP)"
                )
            )
            await s.execute(
                text(
                    "INSERT INTO agenda_items (id, community_id, title, summary, category, status,"
                    " created_by, created_at, updated_at)"
                    " VALUES (1, 1, '修路灯', '', 'facilities', 'proposed', 'u:7', CURRENT_TIMESTAMP,"
                    " CURRENT_TIMESTAMP)"
                )
            )
            await s.execute(text("INSERT INTO agenda_opinions (item_id, opinion_id) VALUES (1, 1)"))
        await upgrade(db)
        async with db.read() as s:
            rows = (
                await s.execute(text("SELECT person_key, user_id FROM opinion_supports ORDER BY id"))
            ).all()
        assert [tuple(r) for r in rows] == [("g:abc", None), ("u:7", 7)]
        async with db.read() as s:
            counts = (await s.execute(text("SELECT supporters, verified_households FROM agenda_items"))).all()
        assert [tuple(r) for r in counts] == [(2, 0)]

        mine = (
            "household",
            "phone_codes",
            "'phone'",
            "'user_id'",
            "'address'",
            "verified_households",
            "'supporters'",
        )

        def diff(connection: Connection) -> list[object]:
            # Only what these migrations own: other areas' drift is theirs to report.
            found = compare_metadata(MigrationContext.configure(connection), metadata)
            return [d for d in found if any(name in repr(d) for name in mine)]

        async with db.engine.connect() as connection:
            assert await connection.run_sync(diff) == []
    finally:
        await db.close()

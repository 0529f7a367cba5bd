"""Alembic, driven from code: ``python -m live db upgrade`` and ``serve`` call ``upgrade``."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from live.storage.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


async def upgrade(db: Database, revision: str = "head") -> None:
    """Apply pending migrations over the database's own engine."""
    config = alembic_config(str(db.engine.url.render_as_string(hide_password=False)))

    def _upgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with db.engine.begin() as connection:
        await connection.run_sync(_upgrade)


async def pending(db: Database) -> bool:
    """True when the database is behind the newest migration."""
    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()

    def _current(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with db.engine.connect() as connection:
        current = await connection.run_sync(_current)
    return current != head


def upgrade_sync(url: str) -> None:
    async def _main() -> None:
        db = Database.from_url(url)
        try:
            await upgrade(db)
        finally:
            await db.close()

    asyncio.run(_main())

"""Round trips and time of one ``Database.read()`` on PostgreSQL: the pool and read session as
they are (no pre-ping, reads in autocommit) against the way they were (``pool_pre_ping=True``, a
read transaction: BEGIN … ROLLBACK). Counts the writes asyncpg makes to its socket (one per round
trip), reads the CPU of the PostgreSQL backend serving them (same machine) and times ``--reads``
reads of 1 and of 3 small statements each, after a warm-up.

Run: .venv/bin/python bench/read_trips.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from asyncio import selector_events
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from live.storage.db import Database

WRITES = [0]
_write = selector_events._SelectorSocketTransport.write  # type: ignore[attr-defined]


def counting_write(self: Any, data: Any) -> None:
    WRITES[0] += 1
    _write(self, data)


selector_events._SelectorSocketTransport.write = counting_write  # type: ignore[attr-defined]


class Before:
    """The read path as it was: pre-ping at checkout, a transaction per read."""

    def __init__(self, url: str) -> None:
        self.engine = create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def close(self) -> None:
        await self.engine.dispose()


async def run(db: Any, statements: int, reads: int) -> dict[str, float]:
    sql = [
        text("SELECT id FROM communities ORDER BY id LIMIT 1"),
        text("SELECT id FROM users ORDER BY id LIMIT 1"),
        text("SELECT 1"),
    ]

    async def once() -> None:
        async with db.read() as s:
            for n in range(statements):
                await s.execute(sql[n % len(sql)])

    for _ in range(20):
        await once()
    async with db.read() as s:  # reads one after another use this one pooled connection
        backend = int((await s.execute(text("SELECT pg_backend_pid()"))).scalar_one())
    walls, cpus = [], []
    w0, b0 = WRITES[0], backend_cpu_ms(backend)
    for _ in range(reads):
        t0, c0 = time.perf_counter(), time.process_time()
        await once()
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    return {
        "round_trips_per_read": round((WRITES[0] - w0) / reads, 2),
        "wall_p50_ms": round(statistics.median(walls), 3),
        "cpu_mean_ms": round(statistics.fmean(cpus), 3),
        "postgres_backend_cpu_mean_ms": round((backend_cpu_ms(backend) - b0) / reads, 3),
    }


def backend_cpu_ms(pid: int) -> float:
    """User + system CPU of a PostgreSQL backend on this machine (clock ticks of 10 ms)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 10.0


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--reads", type=int, default=3000)
    args = parser.parse_args()
    for name, make in (
        ("before", lambda: Before(args.database_url)),
        ("after", lambda: Database.from_url(args.database_url)),
    ):
        db = make()
        try:
            for statements in (1, 3):
                print(
                    json.dumps(
                        {"read_path": name, "statements": statements, **await run(db, statements, args.reads)}
                    ),
                    flush=True,
                )
        finally:
            await db.close()


if __name__ == "__main__":
    asyncio.run(main())

"""Cold and warm time of the statistics pages and endpoints on a big database (the five-year seed).

Runs the app in this process (aiohttp's test server, real HTTP over loopback) on
``--database-url`` (seeded with ``python -m live demo --years 5``; use a copy, the app's jobs
may write to it) and, for each path, empties the statistics cache (``Stats.changed()``, what
every committed change that moves the figures does), requests it once (cold: a recount), then
``--rounds`` times more (warm: from the cache), signed in as the seed's admin. It then raises
an opinion in one community and
requests each path again (after a change: what a live broadcast sees), counting the figures
recomputed (``Stats.computed``). Prints one JSON line per path and a Markdown table. Besides
wall time it reports the cold request's CPU time of this process (server, SQLite's thread and
the client; with PostgreSQL, the database server's CPU is not in it), the load-independent part
on a shared machine.

``--profile PATH`` prints a pyinstrument profile of that path's cold request instead
(``pip install pyinstrument``).

Run: .venv/bin/python bench/stats.py --database-url sqlite+aiosqlite:////tmp/years.db"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from live.app import create_app  # noqa: E402
from live.keys import SERVICES  # noqa: E402
from live.settings import Settings  # noqa: E402

PATHS = [
    "/stats",
    "/stats?month={month}",
    "/stats/hexie",
    "/stats/hexie?month={month}",
    "/reports/hexie/{month}",
    "/api/stats",
    "/api/stats?community=hexie",
    "/api/stats?community=hexie&month={month}",
    "/api/stats/communities",
    "/api/stats/months?community=hexie",
    "/api/stats/parties?community=hexie",
    "/api/stats/categories",
    "/api/stats/months.csv?community=hexie",
    "/stats",  # again: cold after a change, in a process that has counted the broadcasts once
]


CPU: list[float] = [0.0]  # the last request's CPU time of this process (server, SQLite and client)


async def get(client: TestClient[Any, Any], path: str) -> float:
    t0, c0 = time.perf_counter(), time.process_time()
    async with client.get(path) as r:
        body = await r.read()
        assert r.status == 200, (path, r.status, body[:300])
    CPU[0] = (time.process_time() - c0) * 1000
    return (time.perf_counter() - t0) * 1000


async def sign_in(client: TestClient[Any, Any], username: str) -> None:
    csrf = (await (await client.get("/api/me")).json())["csrf"]
    r = await client.post(
        "/api/auth/login",
        json={"username": username, "password": "roundtable"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status == 200, await r.text()


async def raise_opinion(client: TestClient[Any, Any], community: str) -> None:
    csrf = (await (await client.get("/api/me")).json())["csrf"]
    r = await client.post(
        "/api/opinions",
        json={"community": community, "text": "基准测试：北门路灯不亮"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status == 201, await r.text()


async def measure(url: str, rounds: int, month: str, profile: str | None) -> list[dict[str, Any]]:
    data = tempfile.mkdtemp(prefix="rt-stats-")
    settings = replace(Settings.from_env({}), database_url=url, data_dir=Path(data), redis_url=None)
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    stats = client.app[SERVICES].stats
    out = []
    try:
        await sign_in(client, "admin")  # as bench/pages.py; staff raise opinions unthrottled
        if profile:
            from pyinstrument import Profiler

            await stats.changed()
            with Profiler(async_mode="disabled") as p:
                ms = await get(client, profile.format(month=month))
            print(p.output_text(unicode=True, color=False, show_all=False))
            print(f"{profile}: {ms:.1f} ms cold")
            return []
        for template in PATHS:
            path = template.format(month=month)
            await stats.changed()
            before = stats.computed
            cold = await get(client, path)
            cold_cpu = CPU[0]
            cold_computed = stats.computed - before
            warm = [await get(client, path) for _ in range(rounds)]
            out.append(
                {
                    "path": template,
                    "cold_ms": round(cold, 1),
                    "cold_cpu_ms": round(cold_cpu, 1),
                    "cold_computed": cold_computed,
                    "warm_p50_ms": round(statistics.median(warm), 1),
                    "warm_max_ms": round(max(warm), 1),
                }
            )
            print(json.dumps(out[-1], ensure_ascii=False), flush=True)
        # a new opinion in one community: what is recounted on the next view of each path
        for template in PATHS:
            await get(client, template.format(month=month))  # everything cached
        for row, template in zip(out, PATHS, strict=True):
            await raise_opinion(client, "hexie")
            before = stats.computed
            row["after_opinion_ms"] = round(await get(client, template.format(month=month)), 1)
            row["after_opinion_computed"] = stats.computed - before
            print(json.dumps(row, ensure_ascii=False), flush=True)
    finally:
        await client.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="a seeded database (a copy)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--month", default=None, help="YYYY-MM for the monthly paths (default: this one)")
    parser.add_argument("--profile", help="profile the cold request of this path instead")
    args = parser.parse_args()
    month = args.month or time.strftime("%Y-%m", time.gmtime(time.time() + 8 * 3600))
    os.environ.pop("REDIS_URL", None)
    results = asyncio.run(measure(args.database_url, args.rounds, month, args.profile))
    if results:
        print(f"\nload average {os.getloadavg()[0]:.1f}, month {month}\n")
        print(
            "| path | cold ms | cold CPU ms | recounted | warm p50 ms | warm max ms "
            "| after an opinion ms | recounted |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in results:
            print(
                f"| `{r['path']}` | {r['cold_ms']} | {r['cold_cpu_ms']} | {r['cold_computed']} | "
                f"{r['warm_p50_ms']} | "
                f"{r['warm_max_ms']} | {r.get('after_opinion_ms', '')} | "
                f"{r.get('after_opinion_computed', '')} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

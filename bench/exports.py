"""Export of many opinions: time to the first byte, total time and the server's peak memory.

    .venv/bin/python bench/exports.py --rows 50000                 # SQLite
    .venv/bin/python bench/exports.py --rows 50000 --database-url postgresql+asyncpg://postgres@127.0.0.1/x

Seeds ``--rows`` opinions in bulk into a fresh database, starts ``python -m live serve`` on it, signs
in as the community's moderator and downloads /api/opinions.csv and /api/opinions.xlsx, checking
that every row arrived. The server's peak RSS (VmHWM) is read before and after each download.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from live.clock import SystemClock  # noqa: E402
from live.events import EventBus  # noqa: E402
from live.services.accounts import Accounts  # noqa: E402
from live.services.places import Places  # noqa: E402
from live.services.throttle import MemoryFailureCounter  # noqa: E402
from live.storage.db import Database  # noqa: E402
from live.storage.migrate import upgrade  # noqa: E402

PASSWORD = "bench-password-123"


def vm(pid: int, field: str) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


async def seed(url: str, rows: int) -> None:
    from sqlalchemy import insert, select

    from live.storage.opinions import Opinion
    from live.storage.places import Community

    db = Database.from_url(url)
    try:
        await upgrade(db)
        clock = SystemClock()
        await Places(db).add_community("hexie", "和谐社区")
        accounts = Accounts(db, clock, MemoryFailureCounter(clock), EventBus())
        await accounts.create_user("mod-bench", PASSWORD, "moderator", "hexie", "网格员")
        base = datetime(2021, 1, 1, tzinfo=UTC)
        async with db.transaction() as s:
            community = (await s.execute(select(Community.id).where(Community.slug == "hexie"))).scalar_one()
        for start in range(0, rows, 5000):
            async with db.transaction() as s:
                await s.execute(
                    insert(Opinion),
                    [
                        {
                            "community_id": community,
                            "text": f"第{n}条意见：3号楼楼道灯坏了，晚上老人上下楼看不见，希望尽快修好",
                            "category": "facilities",
                            "location": "3号楼",
                            "author_key": f"g:guest-{n}",
                            "author_name": "居民",
                            "created_at": base + timedelta(minutes=n),
                        }
                        for n in range(start, min(rows, start + 5000))
                    ],
                )
    finally:
        await db.close()


async def download(http: aiohttp.ClientSession, url: str, pid: int) -> dict[str, object]:
    """Download ``url`` while sampling the server's RSS every 50 ms."""
    peak = vm(pid, "VmRSS")
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, vm(pid, "VmRSS"))
            await asyncio.sleep(0.05)

    sampler = asyncio.create_task(sample())
    started = time.perf_counter()
    async with http.get(url) as response:
        assert response.status == 200, await response.text()
        headers_s = time.perf_counter() - started
        first = await response.content.readany()
        ttfb = time.perf_counter() - started
        rest = await response.read()
    total = time.perf_counter() - started
    done.set()
    await sampler
    return {
        "headers_s": round(headers_s, 2),
        "first_byte_s": round(ttfb, 2),
        "total_s": round(total, 2),
        "peak_rss_mib": round(peak, 1),
        "body": first + rest,
    }


def serve(url: str, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "LIVE_DATA_DIR": str(workdir), "LIVE_SECRET": "bench"}
    env.pop("REDIS_URL", None)
    command = [sys.executable, "-m", "live", "serve", "--host", "127.0.0.1", "--port", str(port)]
    log = (workdir / "serve.log").open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    import urllib.request

    for _ in range(600):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1):
                return process, base
        except OSError:
            assert process.poll() is None, (workdir / "serve.log").read_text()[-2000:]
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


async def main(args: argparse.Namespace) -> dict[str, object]:
    workdir = Path(tempfile.mkdtemp(prefix="rt-export-bench-"))
    url = args.database_url or f"sqlite+aiosqlite:///{workdir}/live.db"
    t = time.perf_counter()
    await seed(url, args.rows)
    seeded_s = time.perf_counter() - t
    process, base = serve(url, workdir)
    pid = process.pid
    results: dict[str, object] = {"rows": args.rows, "seed_s": round(seeded_s, 1), "db": url.split(":")[0]}
    jar = aiohttp.CookieJar(unsafe=True)
    try:
        async with aiohttp.ClientSession(base_url=base, cookie_jar=jar) as http:
            csrf = (await (await http.get("/api/me")).json())["csrf"]
            signed = await http.post(
                "/api/auth/login",
                json={"username": "mod-bench", "password": PASSWORD},
                headers={"X-CSRF-Token": csrf},
            )
            assert signed.status == 200
            results["rss_before_mib"] = round(vm(pid, "VmRSS"), 1)
            for kind in ("csv", "xlsx"):
                before = vm(pid, "VmRSS")
                measured = await download(http, f"/api/opinions.{kind}", pid)
                body = measured.pop("body")
                assert isinstance(body, bytes)
                if kind == "csv":
                    lines = body.decode("utf-8-sig").count("\n")
                    assert lines == args.rows + 1, lines
                else:
                    from openpyxl import load_workbook

                    book = load_workbook(io.BytesIO(body), read_only=True)
                    assert sum(1 for _ in book["opinions"].iter_rows()) == args.rows + 1
                results[kind] = {**measured, "bytes": len(body), "rss_before_mib": round(before, 1)}
    finally:
        process.terminate()
        process.wait(15)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--database-url", default=None)
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2, ensure_ascii=False))

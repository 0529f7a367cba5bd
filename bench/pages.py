"""Response time of every page and list endpoint on a big database (the five-year seed).

Starts ``python -m live serve`` on ``--database-url`` (already seeded with
``python -m live demo --years 5``), signs in as the admin (and as hexie's moderator for the
triage page), requests each path ``--rounds`` times after one warm-up, and prints p50/p95 in
milliseconds. Requests go over loopback one at a time, so the time is the server's time plus
well under a millisecond of transport.

When it starts the server itself, it also reads the server process's own CPU time per request
(all its threads, ``/proc/<pid>/task/*/schedstat``): on a shared machine the wall time is mostly
waiting for a core, the CPU time is what the request cost (with PostgreSQL, the database
server's CPU is not in it).

Run: .venv/bin/python bench/pages.py --database-url sqlite+aiosqlite:///var/five-years.db"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def signed_in(base: str, username: str) -> aiohttp.ClientSession:
    http = aiohttp.ClientSession(base_url=base, cookie_jar=aiohttp.CookieJar(unsafe=True))
    csrf = (await (await http.get("/api/me")).json())["csrf"]
    r = await http.post(
        "/api/auth/login",
        json={"username": username, "password": "roundtable"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status == 200, await r.text()
    return http


async def ids(http: aiohttp.ClientSession) -> dict[str, Any]:
    """Ids to put in the paths: a past session, deep pages, an agenda item, an opinion."""
    ended = await (await http.get("/api/sessions?status=ended&community=hexie&limit=1000")).json()
    items = await (await http.get("/api/agenda?community=hexie&limit=1000")).json()
    opinions = await (await http.get("/api/opinions?community=hexie&status=new&limit=1000")).json()
    upcoming = await (await http.get("/api/sessions?status=scheduled&community=hexie&limit=1")).json()
    return {
        "session": ended[len(ended) // 2]["id"],
        "deep_session": ended[-10]["id"],
        "item": items[len(items) // 2]["id"],
        "deep_item": items[-10]["id"],
        "opinion": opinions[len(opinions) // 3]["id"],
        "deep_opinion": opinions[-10]["id"],
        "upcoming": upcoming[0]["id"] if upcoming else ended[0]["id"],
    }


PATHS = [
    ("page", "/"),
    ("page", "/live/{upcoming}"),
    ("page", "/archive"),
    ("page", "/archive?community=hexie"),
    ("page", "/archive?community=hexie&after={deep_session}"),
    ("page", "/archive/{session}"),
    ("page", "/agenda"),
    ("page", "/agenda?community=hexie"),
    ("page", "/agenda/{item}"),
    ("page", "/triage"),
    ("page", "/stats"),
    ("page", "/stats/hexie"),
    ("page", "/admin"),
    ("api", "/api/sessions"),
    ("api", "/api/sessions?status=ended&after={deep_session}"),
    ("api", "/api/sessions/{session}"),
    ("api", "/api/sessions/{session}/messages?limit=1000"),
    ("api", "/api/sessions/{session}/viewers?limit=1000"),
    ("api", "/api/opinions?community=hexie"),
    ("api", "/api/opinions?community=hexie&after={deep_opinion}"),
    ("api", "/api/opinions?limit=1000"),
    ("api", "/api/opinions/{opinion}/similar"),
    ("api", "/api/agenda?community=hexie"),
    ("api", "/api/agenda?after={deep_item}"),
    ("api", "/api/agenda/{item}"),
    ("api", "/api/meetings?community=hexie"),
    ("api", "/api/stats?community=hexie"),
    ("api", "/api/admin/users"),
    ("api", "/api/admin/users?limit=1000"),
]


def cpu_ms(pid: int | None) -> float:
    """CPU time used so far by every thread of process ``pid``, in ms (0 without a pid)."""
    if pid is None:
        return 0.0
    total = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(stat.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # a thread that just ended
    return total / 1e6


async def measure(
    base: str, rounds: int, pid: int | None = None, skip: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    admin = await signed_in(base, "admin")
    moderator = await signed_in(base, "mod-hexie")
    try:
        values = await ids(admin)
        out = []
        for kind, template in PATHS:
            if any(template.startswith(prefix) for prefix in skip):
                continue
            path = template.format(**values)
            http = moderator if path.startswith("/triage") else admin
            times, cpu = [], []
            first = 0.0
            for n in range(rounds + 1):
                t0, c0 = time.perf_counter(), cpu_ms(pid)
                async with http.get(path) as r:
                    body = await r.read()
                    assert r.status == 200, (path, r.status, body[:300])
                if n:
                    times.append((time.perf_counter() - t0) * 1000)
                    cpu.append(cpu_ms(pid) - c0)
                else:  # the warm-up: for the cached statistics, the time of a recount
                    first = (time.perf_counter() - t0) * 1000
            out.append(
                {
                    "kind": kind,
                    "path": template,
                    "p50_ms": round(statistics.median(times), 1),
                    "p95_ms": round(pct(times, 0.95), 1),
                    "max_ms": round(max(times), 1),
                    "first_ms": round(first, 1),
                    "cpu_p50_ms": round(statistics.median(cpu), 1),
                    "cpu_p95_ms": round(pct(cpu, 0.95), 1),
                    "bytes": len(body),
                }
            )
            print(json.dumps(out[-1], ensure_ascii=False), flush=True)
        return out
    finally:
        await admin.close()
        await moderator.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="a seeded database (starts a server on it)")
    parser.add_argument("--url", help="or: an already running server")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="PREFIX",
        help="leave out the paths starting with PREFIX (repeatable), e.g. --skip /stats",
    )
    args = parser.parse_args()
    proc = None
    base = args.url
    if base is None:
        port = free_port()
        data = tempfile.mkdtemp(prefix="rt-pages-")
        env = {
            **os.environ,
            "DATABASE_URL": args.database_url,
            "LIVE_DATA_DIR": data,
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("REDIS_URL", None)
        cmd = [sys.executable, "-m", "live", "serve", "--host", "127.0.0.1", "--port", str(port)]
        log = open(Path(data) / "serve.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
    try:
        results = asyncio.run(measure(base, args.rounds, proc.pid if proc else None, tuple(args.skip)))
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
    print(
        "\n| kind | path | p50 ms | p95 ms | first ms | CPU p50 ms | CPU p95 ms | bytes |"
        "\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for r in results:
        print(
            f"| {r['kind']} | `{r['path']}` | {r['p50_ms']} | {r['p95_ms']} | {r['first_ms']} |"
            f" {r['cpu_p50_ms']} | {r['cpu_p95_ms']} | {r['bytes']} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

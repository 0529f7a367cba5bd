"""Soak: many clients joining, chatting and leaving for a long time against ``python -m live serve``;
the server's memory (RSS), open file descriptors and the chat ack latency (p50/p99) are sampled
over time, to show that nothing grows without levelling off.

    .venv/bin/python bench/soak/run.py --minutes 30 --clients 1000       # the full soak
    .venv/bin/python bench/soak/run.py --minutes 6 --clients 300         # short, on a busy machine

Every client is a real python-socketio client with its own guest identity: it connects, joins
the live session, sends a chat message every ``--interval`` seconds (acked after commit), leaves
after a random 20-90 s, and a new person takes its place at once. Writes
bench/soak/results/<time>.json and prints a markdown table of the samples.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import socketio

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "chat"))

from run import Roundtable  # noqa: E402  (bench/chat/run.py: a data dir with a community and a host)


@dataclass
class Window:
    latencies: list[float] = field(default_factory=list)
    sent: int = 0
    acked: int = 0
    errors: int = 0
    joins: int = 0
    leaves: int = 0
    delivered: int = 0


def nonce() -> str:
    return uuid.uuid4().hex


def proc_stats(pid: int) -> tuple[float, int]:
    """(RSS in MiB, open file descriptors) of ``pid``."""
    rss_kb = 0
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss_kb = int(line.split()[1])
    return rss_kb / 1024, len(os.listdir(f"/proc/{pid}/fd"))


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def person(url: str, session: str, window: list[Window], interval: float, stop: asyncio.Event) -> None:
    """One person after another in this slot: join, chat, leave, and the next one comes."""
    while not stop.is_set():
        sio = socketio.AsyncClient(reconnection=False)

        @sio.on("chat")  # type: ignore[misc]
        async def on_chat(data: Any) -> None:
            window[0].delivered += len(data) if isinstance(data, list) else 1

        try:
            await sio.connect(
                url, auth={"name": "居民", "guest": f"soak-{uuid.uuid4().hex[:16]}"}, transports=["websocket"]
            )
            ack = await sio.call("join", {"session": session}, timeout=30)
            if not ack.get("ok"):
                window[0].errors += 1
            window[0].joins += 1
            stay_until = time.monotonic() + random.uniform(20, 90)
            await asyncio.sleep(random.uniform(0, interval))
            while time.monotonic() < stay_until and not stop.is_set():
                started = time.perf_counter()
                window[0].sent += 1
                try:
                    reply = await sio.call(
                        "chat",
                        {"session": session, "text": f"大家好 {random.randint(0, 10**6)}", "nonce": nonce()},
                        timeout=30,
                    )
                    if reply.get("ok"):
                        window[0].acked += 1
                        window[0].latencies.append((time.perf_counter() - started) * 1000)
                    else:
                        window[0].errors += 1
                except Exception:
                    window[0].errors += 1
                await asyncio.sleep(interval)
        except Exception:
            window[0].errors += 1
        finally:
            with contextlib.suppress(Exception):
                await sio.disconnect()
            window[0].leaves += 1


async def soak(args: argparse.Namespace) -> dict[str, Any]:
    rt = Roundtable(args.database_url)
    port = args.port
    server = rt.start(port)
    assert server.proc is not None
    pid = server.proc.pid
    stop = asyncio.Event()
    window = [Window()]
    samples: list[dict[str, Any]] = []
    began = time.monotonic()
    slots = []
    try:
        for _n in range(args.clients):  # ramp up over the first ~30 s
            slots.append(asyncio.create_task(person(server.url, server.session, window, args.interval, stop)))
            await asyncio.sleep(30 / args.clients)
        end = began + args.minutes * 60
        while time.monotonic() < end:
            await asyncio.sleep(args.every)
            current, window[0] = window[0], Window()
            rss, fds = proc_stats(pid)
            sample = {
                "t_s": round(time.monotonic() - began),
                "rss_mib": round(rss, 1),
                "fds": fds,
                "joins": current.joins,
                "leaves": current.leaves,
                "acked": current.acked,
                "errors": current.errors,
                "delivered": current.delivered,
                "p50_ms": round(pct(current.latencies, 50) or 0, 1),
                "p99_ms": round(pct(current.latencies, 99) or 0, 1),
            }
            samples.append(sample)
            print(json.dumps(sample), flush=True)
    finally:
        stop.set()
        await asyncio.gather(*slots, return_exceptions=True)
        server.stop()
    rss = [s["rss_mib"] for s in samples]
    half = len(rss) // 2
    return {
        "clients": args.clients,
        "minutes": args.minutes,
        "interval_s": args.interval,
        "database": "postgresql" if args.database_url else "sqlite",
        "samples": samples,
        "rss_first_half_max": max(rss[:half], default=None),
        "rss_second_half_max": max(rss[half:], default=None),
        "rss_median": statistics.median(rss) if rss else None,
    }


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "| t (s) | RSS (MiB) | fds | joins | leaves | acked | errors | p50 (ms) | p99 (ms) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in result["samples"]:
        lines.append(
            f"| {s['t_s']} | {s['rss_mib']} | {s['fds']} | {s['joins']} | {s['leaves']} | {s['acked']} "
            f"| {s['errors']} | {s['p50_ms']} | {s['p99_ms']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=20.0, help="seconds between one person's messages")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between samples")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if not args.port:
        from run import free_port

        args.port = free_port()
    result = asyncio.run(soak(args))
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"{stamp}.json").write_text(json.dumps(result, indent=2))
    print(markdown(result))
    first, second = result["rss_first_half_max"], result["rss_second_half_max"]
    print(f"RSS max first half {first} MiB, second half {second} MiB")


if __name__ == "__main__":
    main()

"""Chat benchmark runner: each server on core 0, the load generator on core 1, side by side.

Servers: ``node`` (socket.io 4.8 reference, in memory), ``vanilla`` (python-socketio on aiohttp, in
memory), ``fast`` (the same with Roundtable's FastManager), ``roundtable`` (``python -m live serve``
with a fresh SQLite database: every message is committed before it is acked and broadcast).

    .venv/bin/python bench/chat/run.py                       # full matrix + rate search, ~15-20 min
    .venv/bin/python bench/chat/run.py --servers node,roundtable --clients 2000 --rates 20 --no-search

Writes bench/chat/results/<time>.json and .md (and prints the markdown table).
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
SERVER_CORE, LOADGEN_CORE = "0", "1"
#: Extra arguments before every server and load generator command (``--nice -5`` adds ``nice -n -5``).
PREFIX: list[str] = []
CLK_TCK = os.sysconf("SC_CLK_TCK")
HOST_PASSWORD = "bench-password-123"
SERVERS = ("node", "vanilla", "fast", "roundtable")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def core_busy() -> dict[str, tuple[int, int]]:
    """(busy, total) jiffies per core from /proc/stat."""
    out = {}
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("cpu") and line[3:4].isdigit():
            name, *vals = line.split()
            nums = [int(v) for v in vals]
            idle = nums[3] + nums[4]
            out[name] = (sum(nums) - idle, sum(nums))
    return out


@dataclass
class Server:
    kind: str
    port: int
    proc: subprocess.Popen[bytes]
    session: str = "1"
    workdir: Path | None = None
    log: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url + "/healthz", timeout=2) as r:
            if r.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"server not healthy after {timeout}s: {log.read_text()[-2000:]}")


class Roundtable:
    """A data dir with a community and a host, shared by every roundtable point of one run."""

    def __init__(self, database_url: str | None) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="rt-bench-"))
        self.env = {
            **os.environ,
            "LIVE_DATA_DIR": str(self.dir),
            "DATABASE_URL": database_url or f"sqlite+aiosqlite:///{self.dir}/live.db",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("REDIS_URL", None)
        self.user = f"benchhost{int(time.time())}"
        self.community = f"bench{int(time.time())}"
        cli = [PYTHON, "-m", "live"]
        run = dict(cwd=ROOT, env=self.env, check=True, capture_output=True)
        subprocess.run([*cli, "db", "upgrade"], **run)  # type: ignore[call-overload]
        subprocess.run([*cli, "communities", "add", self.community, "--name", "压测社区"], **run)  # type: ignore[call-overload]
        subprocess.run(  # type: ignore[call-overload]
            [
                *cli,
                "users",
                "add",
                self.user,
                "--role",
                "host",
                "--community",
                self.community,
                "--password-stdin",
            ],
            input=HOST_PASSWORD.encode(),
            **run,
        )

    def start(self, port: int) -> Server:
        log = self.dir / f"serve-{port}.log"
        cmd = [
            *PREFIX,
            "taskset",
            "-c",
            SERVER_CORE,
            PYTHON,
            "-m",
            "live",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        server = Server("roundtable", port, proc, workdir=self.dir, log=log)
        try:
            wait_healthy(server.url, proc, log)
            server.session = self.live_session(server.url)
        except BaseException:
            server.stop()
            raise
        return server

    def live_session(self, url: str) -> str:
        """Log in as the host, create a session and start it (the HTTP API of CONTRACT.md)."""
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

        def call(path: str, body: dict[str, Any] | None, csrf: str | None = None) -> Any:
            req = urllib.request.Request(url + path, data=json.dumps(body or {}).encode(), method="POST")
            req.add_header("Content-Type", "application/json")
            if csrf:
                req.add_header("X-CSRF-Token", csrf)
            with opener.open(req, timeout=20) as r:
                return json.loads(r.read() or b"null")

        csrf = call("/api/auth/login", {"username": self.user, "password": HOST_PASSWORD})["csrf"]
        session = call("/api/sessions", {"community": self.community, "title": "压测直播"}, csrf)
        call(f"/api/sessions/{session['id']}/start", None, csrf)
        return str(session["id"])


def start_server(kind: str, rt: Roundtable | None) -> Server:
    port = free_port()
    if kind == "roundtable":
        assert rt is not None
        return rt.start(port)
    log = Path(tempfile.gettempdir()) / f"bench-{kind}-{port}.log"
    if kind == "node":
        cmd = ["node", str(HERE / "reference" / "server.mjs"), "--port", str(port)]
    else:
        cmd = [PYTHON, str(HERE / "vanilla_server.py"), "--port", str(port)]
        if kind == "fast":
            cmd += ["--manager", "fast"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [*PREFIX, "taskset", "-c", SERVER_CORE, *cmd],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = Server(kind, port, proc, session=f"p{port}", log=log)
    try:
        wait_healthy(server.url, proc, log)
    except BaseException:
        server.stop()
        raise
    return server


def run_point(
    kind: str, clients: int, rate: float, args: argparse.Namespace, rt: Roundtable | None
) -> dict[str, Any]:
    """Start a fresh server, run the load generator once, return its result plus server CPU."""
    server = start_server(kind, rt)
    gen: subprocess.Popen[str] | None = None
    try:
        cmd = [
            *PREFIX, "taskset", "-c", LOADGEN_CORE, "node", str(HERE / "loadgen.mjs"),
            "--url", server.url, "--session", server.session, "--clients", str(clients),
            "--rate", str(rate), "--duration", str(args.duration), "--drain", str(args.drain),
        ]  # fmt: skip
        gen = subprocess.Popen(cmd, cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert gen.stdout is not None
        result: dict[str, Any] = {}
        cpu0 = wall0 = 0.0
        cores0: dict[str, tuple[int, int]] = {}
        server_cpu_s = wall = 0.0
        cores: dict[str, float] = {}
        for line in gen.stdout:
            data = json.loads(line)
            if data.get("phase") == "send_start":
                cpu0, wall0, cores0 = proc_cpu_seconds(server.proc.pid), time.monotonic(), core_busy()
            elif data.get("phase") == "send_end":
                server_cpu_s = proc_cpu_seconds(server.proc.pid) - cpu0
                wall = time.monotonic() - wall0
                cores1 = core_busy()
                cores = {
                    k: round(100 * (cores1[k][0] - b) / max(1, cores1[k][1] - t), 1)
                    for k, (b, t) in cores0.items()
                }
            else:
                result = data
        gen.wait()
        if gen.returncode != 0 or not result:
            raise RuntimeError(f"loadgen failed: {gen.stderr.read() if gen.stderr else ''}")
        result["server"] = kind
        result["server_cpu_pct"] = round(100 * server_cpu_s / wall, 1) if wall else None
        delivered = result.get("delivered") or 0
        result["server_cpu_us_per_delivery"] = round(1e6 * server_cpu_s / delivered, 2) if delivered else None
        result["core_busy_pct"] = cores
        result["loadavg"] = Path("/proc/loadavg").read_text().split()[:3]
        result["ok"] = passes(result, rate)
        return result
    finally:
        if gen is not None and gen.poll() is None:
            gen.kill()
            gen.wait()
        server.stop()


def passes(r: dict[str, Any], rate: float, p99_limit: float = 500.0) -> bool:
    """No loss, no errors, p99 under the limit, and the generator really sent the rate."""
    p99 = (r.get("latency_ms") or {}).get("p99")
    return bool(
        r["connect_errors"] == 0
        and r["join_errors"] == 0
        and not r["ack_errors"]
        and r["unacked"] == 0
        and r["lost"] == 0
        and r["duplicates"] == 0
        and r["out_of_order"] == 0
        and r["shape_errors"] == 0
        and p99 is not None
        and p99 < p99_limit
        and r["acked"] >= 0.95 * rate * r["duration_s"] - 1
    )


def search(kind: str, clients: int, known: dict[float, bool], args: argparse.Namespace, rt: Roundtable | None,
           log: list[dict[str, Any]]) -> float | None:  # fmt: skip
    """Highest rate with p99 < 500 ms and no loss: double from the last pass, then bisect to 15 %."""

    def probe(rate: float) -> bool:
        r = run_point(kind, clients, rate, args, rt)
        r["phase"] = "search"
        log.append(r)
        emit(r)
        known[rate] = r["ok"]
        return bool(r["ok"])

    passed = [r for r, ok in known.items() if ok]
    failed = [r for r, ok in known.items() if not ok]
    lo = max(passed) if passed else None
    hi = min((r for r in failed if lo is None or r > lo), default=None)
    while lo is None:  # nothing passed yet: halve down from the lowest failure
        assert hi is not None
        if hi <= 1:
            return None
        try_rate = max(1.0, round(hi / 2))
        if probe(try_rate):
            lo = try_rate
        else:
            hi = try_rate
    assert lo is not None
    while hi is None:
        nxt = lo * 2
        if nxt > args.max_rate:
            return lo
        if probe(nxt):
            lo = nxt
        else:
            hi = nxt
    while hi / lo > 1.15:
        mid = round((lo + hi) / 2)
        if mid in (lo, hi):
            break
        if probe(mid):
            lo = mid
        else:
            hi = mid
    return lo


def emit(r: dict[str, Any]) -> None:
    lat = r["latency_ms"]
    print(
        f"{r['server']:>10} clients={r['clients']:>5} rate={r['rate']:>6} ok={r['ok']!s:>5} "
        f"msg/s={r['messages_per_s']:>7} deliv/s={r['deliveries_per_s']:>7} lost={r['lost']:>6} "
        f"p50={lat['p50']} p99={lat['p99']} cpu={r['server_cpu_pct']}% "
        f"us/deliv={r['server_cpu_us_per_delivery']} "
        f"gen_cpu={r['loadgen_cpu_pct']}% frames={r['frames']} cores={r['core_busy_pct']}",
        flush=True,
    )


def markdown(results: list[dict[str, Any]], sustained: dict[str, Any], meta: dict[str, Any]) -> str:
    lines = [
        f"Run {meta['started']} on {meta['machine']}; duration {meta['duration']} s per point.",
        "",
        "| server | clients | rate msg/s | sent msg/s | deliveries/s | lost | p50 ms | p99 ms | server CPU % "
        "| CPU µs/delivery | frames | gen CPU % | pass |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        if r.get("phase") == "search":
            continue
        lat = r["latency_ms"]
        lines.append(
            f"| {r['server']} | {r['clients']} | {r['rate']} | {r['messages_per_s']} "
            f"| {r['deliveries_per_s']} | {r['lost']} | {lat['p50']} | {lat['p99']} | {r['server_cpu_pct']} "
            f"| {r['server_cpu_us_per_delivery']} | {r['frames']} | {r['loadgen_cpu_pct']} "
            f"| {'yes' if r['ok'] else 'no'} |"
        )
    if sustained:
        lines += ["", "Highest sustained rate at 2,000 clients (p99 < 500 ms, no loss):", ""]
        lines += ["| server | msg/s | deliveries/s | probes (rate: pass) |", "| --- | ---: | ---: | --- |"]
        for kind, s in sustained.items():
            probes = ", ".join(f"{k:g}: {'✓' if v else '✗'}" for k, v in sorted(s["probes"].items()))
            rate = s["rate"]
            lines.append(
                f"| {kind} | {rate} | {'' if rate is None else int(rate * s['clients'])} | {probes} |"
            )
    return "\n".join(lines) + "\n"


def machine() -> str:
    model = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in ln
        ),
        "?",
    )
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return f"{os.cpu_count()} cores, {model}, {int(mem) // 1024 // 1024} GiB"


@contextlib.contextmanager
def raised_nofile() -> Iterator[None]:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    yield


def main() -> int:
    # Stop cleanly on SIGTERM/SIGINT too (a background job ignores SIGINT): servers are stopped in finally.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--clients", default="500,2000,5000")
    parser.add_argument("--rates", default="20,100")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--drain", type=float, default=3)
    parser.add_argument(
        "--calibration",
        default="vanilla",
        help="servers measured only at --search-clients (matrix and search)",
    )
    parser.add_argument("--search-clients", type=int, default=2000)
    parser.add_argument("--no-search", action="store_true")
    parser.add_argument("--max-rate", type=float, default=1280)
    parser.add_argument(
        "--database-url", default=None, help="roundtable's DATABASE_URL (default: fresh SQLite)"
    )
    parser.add_argument("--out", default=str(HERE / "results"))
    parser.add_argument("--nice", type=int, default=0, help="run servers and generator under nice -n N")
    args = parser.parse_args()
    if args.nice:
        PREFIX[:] = ["nice", "-n", str(args.nice)]
    kinds = [k for k in args.servers.split(",") if k]
    for k in kinds:
        if k not in SERVERS:
            parser.error(f"unknown server {k}")
    meta = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "duration": args.duration,
        "command": " ".join(sys.argv),
        "loadavg_at_start": Path("/proc/loadavg").read_text().split()[:3],
    }
    calibration = set(args.calibration.split(","))
    results: list[dict[str, Any]] = []
    sustained: dict[str, Any] = {}
    with raised_nofile():
        rt = Roundtable(args.database_url) if "roundtable" in kinds else None
        for clients in [int(c) for c in args.clients.split(",") if c]:
            for rate in [float(r) for r in args.rates.split(",") if r]:
                for kind in kinds:
                    if kind in calibration and clients != args.search_clients:
                        continue
                    r = run_point(kind, clients, rate, args, rt)
                    r["phase"] = "matrix"
                    results.append(r)
                    emit(r)
        if not args.no_search:
            for kind in kinds:
                known = {
                    r["rate"]: r["ok"]
                    for r in results
                    if r["server"] == kind and r["clients"] == args.search_clients
                }
                best = search(kind, args.search_clients, known, args, rt, results)
                sustained[kind] = {"rate": best, "clients": args.search_clients, "probes": known}
                print(f"{kind}: sustained {best} msg/s at {args.search_clients} clients", flush=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    stem.with_suffix(".json").write_text(
        json.dumps({"meta": meta, "results": results, "sustained": sustained}, indent=1)
    )
    md = markdown(results, sustained, meta)
    stem.with_suffix(".md").write_text(md)
    print(md)
    print(f"wrote {stem}.json and {stem}.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Fixtures for the chat benchmark's correctness checks: its Node packages and bench servers."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "chat"


@pytest.fixture(scope="session")
def bench_node_modules() -> Path:
    """bench/chat's npm packages (ws, socket.io 4.8), installed from its lock file when missing."""
    if shutil.which("node") is None:
        pytest.fail("node is required for the chat benchmark")
    modules = BENCH / "node_modules"
    if not (modules / "ws").exists() or not (modules / "socket.io").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BENCH, check=True, capture_output=True)
    return modules


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            raise RuntimeError(f"bench server exited: {out[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("bench server did not become healthy")


@pytest.fixture
def bench_server() -> Iterator[Any]:
    """Start bench servers (``python`` or ``node`` kinds) on free ports; all stopped at the end."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(kind: str, *extra: str) -> str:
        port = free_port()
        if kind == "node":
            cmd = ["node", str(BENCH / "reference" / "server.mjs"), "--port", str(port)]
        else:
            cmd = [sys.executable, str(BENCH / "vanilla_server.py"), "--port", str(port), *extra]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, proc)
        return url

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def run_loadgen(
    url: str, session: str, *, clients: int, rate: float, duration: float, **extra: Any
) -> Any:
    """Run bench/chat/loadgen.mjs once without blocking the event loop; its final JSON result."""
    args = ["--url", url, "--session", session, "--clients", str(clients), "--rate", str(rate)]
    args += ["--duration", str(duration), "--drain", "3"]
    for key, value in extra.items():
        args += ["--" + key.replace("_", "-"), str(value)]
    proc = await asyncio.create_subprocess_exec(
        "node", str(BENCH / "loadgen.mjs"), *args, cwd=BENCH, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode()
    lines = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    assert [line.get("phase") for line in lines[:2]] == ["send_start", "send_end"], lines
    return lines[-1]


@pytest.fixture
async def loadgen(bench_node_modules: Path) -> AsyncIterator[Any]:
    yield run_loadgen

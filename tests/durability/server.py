"""A real ``python -m live serve`` process for the durability and fault tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp

from tests.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """One server on a free port of 127.0.0.1; ``start`` again after ``kill`` reuses the port."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env}
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        out = self.log.open("ab")
        self.process = subprocess.Popen(  # noqa: ASYNC220 - starting a server is quick
            [sys.executable, "-m", "live", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        out.close()
        async with aiohttp.ClientSession() as http:

            async def up() -> bool:
                assert self.process is not None and self.process.poll() is None, self.log.read_text()[-3000:]
                try:
                    async with http.get(self.url + "/healthz") as response:
                        return response.status == 200
                except aiohttp.ClientError:
                    return False

            await eventually(up, 120, every=0.1, what="the server to answer /healthz")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, nothing is flushed."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

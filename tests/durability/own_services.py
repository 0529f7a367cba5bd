"""Throwaway PostgreSQL and Redis servers of a test's own, on free ports, so that a fault test
can stop and restart them without touching the shared servers other test runs use."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.durability.server import free_port


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the ``postgres`` user then."""
    if os.geteuid() != 0:
        return args
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.skip("running as root without runuser: cannot start a PostgreSQL of our own")
    return [runuser, "-u", "postgres", "--", *args]


@dataclass
class OwnPostgres:
    directory: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        pg_ctl = _pg_bin("pg_ctl")
        assert pg_ctl is not None
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        command = [pg_ctl, "-D", str(self.directory / "data"), "-l", str(self.directory / "log"), "-w"]
        return subprocess.run(
            _as_postgres([*command, "-o", options, *args]), check=check, capture_output=True, timeout=120
        )

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        """A fast shutdown: connected sessions are cut, as in a restart."""
        self._ctl("stop", "-m", "fast")


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    initdb = _pg_bin("initdb")
    if initdb is None:
        pytest.skip("PostgreSQL's initdb is not installed")
    directory = Path(tempfile.mkdtemp(prefix="rt-own-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    server = OwnPostgres(directory, free_port())
    try:
        subprocess.run(
            _as_postgres([initdb, "-D", str(directory / "data"), "-A", "trust", "-U", "postgres"]),
            check=True,
            capture_output=True,
            timeout=180,
        )
        server.start()
        yield server
    finally:
        server._ctl("stop", "-m", "immediate", check=False)
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class OwnRedis:
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = OwnRedis(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()

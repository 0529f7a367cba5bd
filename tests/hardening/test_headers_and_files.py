"""CSP limits connect-src to this origin; HSTS when asked for; secret and database files 0600."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from live.app import create_app
from live.http.security_headers import csp
from live.settings import Settings
from live.storage.db import Database


async def test_csp_connect_src_is_this_origin_only(client: TestClient[Any, Any]) -> None:
    response = await client.get("/", headers={"Accept": "text/html"})
    assert response.status == 200
    policy = dict(
        part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";")
    )
    host = f"{client.server.host}:{client.server.port}"
    assert policy["connect-src"].split() == ["'self'", f"ws://{host}", f"wss://{host}"]
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "Strict-Transport-Security" not in response.headers  # off by default
    # a Host header that is not a host cannot add sources or directives
    for hostile in ("evil.example; script-src *", "a b", 'x"y'):
        assert csp(hostile).split("; ")[3] == "connect-src 'self'"


async def test_hsts_on_https_when_set(aiohttp_client: Any, tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'h.db'}",
        data_dir=tmp_path / "data",
        secret="s",
        hsts_s=31536000,
        trust_proxy=True,
    )
    client = await aiohttp_client(create_app(settings))
    plain = await client.get("/healthz")
    assert "Strict-Transport-Security" not in plain.headers
    secure = await client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert Settings.from_env({"LIVE_HSTS": "600"}).hsts_s == 600
    assert Settings.from_env({}).hsts_s == 0


async def test_secret_and_sqlite_files_are_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'db' / 'live.db'}", data_dir=data)
    filled = settings.with_secret()
    assert filled.secret
    assert stat.S_IMODE((data / "secret.key").stat().st_mode) == 0o600
    assert not stat.S_IMODE(data.stat().st_mode) & 0o007  # nothing for others in LIVE_DATA_DIR
    assert settings.with_secret().secret == filled.secret  # kept
    (data / "secret.key").chmod(0o644)  # an older install: tightened on start
    settings.with_secret()
    assert stat.S_IMODE((data / "secret.key").stat().st_mode) == 0o600
    db = Database.from_url(settings.database_url)
    try:
        from live.storage.migrate import upgrade

        await upgrade(db)
    finally:
        await db.close()
    files = sorted((tmp_path / "db").iterdir())
    assert files and files[0].name == "live.db"
    for path in files:  # live.db and, while open, its -wal and -shm
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path

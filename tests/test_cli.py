"""The command line, run as a stranger would: ``python -m live …`` in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


def run(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
            "LIVE_DATA_DIR": str(tmp_path / "data"),
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "live", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_explains_each_command(tmp_path: Path) -> None:
    out = run(tmp_path, "--help").stdout
    for command in ("serve", "users", "communities", "words", "demo", "db"):
        assert command in out
    assert "--password-stdin" in run(tmp_path, "users", "add", "--help").stdout


def test_communities_users_and_words(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    made = run(tmp_path, "communities", "add", "hexie", "--name", "和谐社区")
    assert made.returncode == 0, made.stderr
    assert "和谐社区" in run(tmp_path, "communities", "list").stdout
    user = run(
        tmp_path,
        "users",
        "add",
        "wang",
        "--role",
        "host",
        "--community",
        "hexie",
        "--password-stdin",
        stdin="s3cret-password\n",
    )
    assert user.returncode == 0, user.stderr
    assert "wang\thost" in run(tmp_path, "users", "list").stdout
    no_community = run(
        tmp_path, "users", "add", "li", "--role", "moderator", "--password-stdin", stdin="s3cret-password\n"
    )
    assert no_community.returncode == 2
    assert "community" in no_community.stderr
    duplicate = run(tmp_path, "communities", "add", "hexie", "--name", "x")
    assert duplicate.returncode == 2
    assert run(tmp_path, "words", "add", "傻瓜", "SPAM").returncode == 0
    assert run(tmp_path, "words", "list").stdout.split() == ["spam", "傻瓜"]
    assert run(tmp_path, "words", "remove", "spam").returncode == 0
    assert run(tmp_path, "words", "list").stdout.split() == ["傻瓜"]


@pytest.mark.slow
def test_demo_is_idempotent(tmp_path: Path) -> None:
    first = run(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    assert "roundtable" in first.stdout
    assert "already" in run(tmp_path, "demo").stdout


def test_serve_refuses_an_unknown_fanout_naming_the_setting(tmp_path: Path) -> None:
    env = {**os.environ, "LIVE_FANOUT": "turbo", "LIVE_DATA_DIR": str(tmp_path / "data")}
    out = subprocess.run(
        [sys.executable, "-m", "live", "serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 2
    assert "LIVE_FANOUT" in out.stderr and "turbo" in out.stderr


async def test_serve_freezes_what_start_up_made(aiohttp_client: Any, app: Any) -> None:
    """``live serve`` freezes the start-up objects once the app has started (gc.freeze), so full
    collections walk only what requests make."""
    import gc

    from live.cli import freeze_after_startup

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        await aiohttp_client(freeze_after_startup(app))
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()

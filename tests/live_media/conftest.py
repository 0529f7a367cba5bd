"""Media HTTP tests: a small WebRTC viewer cap and a short publisher grace period."""

from __future__ import annotations

from pathlib import Path

import pytest

from live.settings import Settings


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        secret="test-secret",
        max_webrtc_viewers=3,
        publisher_grace_s=20.0,
    )


@pytest.fixture
def sqlite_only(db_backend: str) -> None:
    """These checks don't depend on the database: run them once, on SQLite."""
    if db_backend != "sqlite":
        pytest.skip("database-independent; the main flow runs on PostgreSQL too")

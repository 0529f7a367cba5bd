"""Fixtures for the media tests: a MediaHub on a temporary data directory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from media.hub import MediaHub


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[MediaHub]:
    hub = MediaHub(tmp_path, max_viewers=10, grace_s=30.0, media_timeout_s=2.0)
    yield hub
    await hub.close()

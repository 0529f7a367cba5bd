"""The suite does not keep every test's application alive (see the ``app`` fixture): a full
garbage collection walks every live object, on the event loop the test servers share, so a heap
that grows by one application per test makes the late tests' waits stall on a busy machine."""

from __future__ import annotations

import gc
import weakref
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

_apps: list[weakref.ref[web.Application]] = []


async def test_a_server_answers(client: TestClient[Any, Any], app: web.Application) -> None:
    assert (await client.get("/healthz")).status == 200  # wraps handlers in the middlewares
    _apps.append(weakref.ref(app))


def test_the_earlier_applications_are_gone() -> None:
    """(Runs after the one above, in file order.)"""
    assert _apps, "test_a_server_answers did not run first"
    gc.collect()
    alive = [ref for ref in _apps if ref() is not None]
    assert not alive, f"{len(alive)} of {len(_apps)} applications still alive after their tests"

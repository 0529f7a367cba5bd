"""The suite does not keep every test's application alive (see the ``app`` fixture): a full
garbage collection walks every live object, on the event loop the test servers share, so a heap
that grows by one application per test makes the late tests' waits stall on a busy machine."""

from __future__ import annotations

import asyncio
import gc
import weakref
from typing import Any

import socketio
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.stall import LEFT_BY, is_engineio_service_task

_apps: list[weakref.ref[web.Application]] = []


async def test_a_server_answers(client: TestClient[Any, Any], app: web.Application) -> None:
    assert (await client.get("/healthz")).status == 200  # wraps handlers in the middlewares
    _apps.append(weakref.ref(app))


async def test_a_socket_connects(client: TestClient[Any, Any]) -> None:
    sio = socketio.AsyncClient(reconnection=False)  # starts engine.io's ping service task
    await sio.connect(str(client.make_url("")).rstrip("/"), auth={"name": "居民甲"}, transports=["websocket"])
    await sio.disconnect()


async def test_the_earlier_applications_are_gone() -> None:
    """(Runs after the ones above, in file order.) No application is held by aiohttp's
    middleware cache, and no engine.io service task of a finished test is left on the loop (it
    ran for the rest of the session and held its application; a socket's own ping task ends
    within the ping interval by itself)."""
    assert _apps, "test_a_server_answers did not run first"
    gc.collect()
    alive = [ref for ref in _apps if ref() is not None]
    assert not alive, f"{len(alive)} of {len(_apps)} applications still alive after their tests"
    services = [t for t in asyncio.all_tasks() if is_engineio_service_task(t)]
    assert not services, [(LEFT_BY.get(t, "?"), t) for t in services]

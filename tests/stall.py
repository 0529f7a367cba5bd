"""A watchdog for the suite: when one phase of a test (set-up, body or teardown) runs longer than
``TEST_STALL_S`` seconds (120 unless set), the stack of every thread and of every asyncio task on
the session's event loop is written to stderr and to ``TEST_STALL_LOG`` (``stalls.log`` in the
working directory unless set). It changes nothing: pytest-timeout still fails the test later.

A hang on an idle event loop (a teardown awaiting a future nobody will resolve) shows in a thread
dump only as the loop's ``select``; the task stacks show what is being awaited."""

from __future__ import annotations

import asyncio
import gc
import inspect
import io
import os
import sys
import threading
import time
import traceback
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

STALL_S = float(os.environ.get("TEST_STALL_S", "120"))
STALL_LOG = os.environ.get("TEST_STALL_LOG", "stalls.log")

_loop: asyncio.AbstractEventLoop | None = None


def watch_loop(loop: asyncio.AbstractEventLoop) -> None:
    """The loop whose tasks a stall dump lists (the session's, set by a session fixture)."""
    global _loop
    _loop = loop


def _first(obj: Any, *names: str) -> Any:
    return next((v for v in (getattr(obj, n, None) for n in names) if v is not None), None)


def _awaiting(coro: Any) -> list[str]:
    """The whole chain of what a suspended coroutine awaits (``Task.print_stack`` shows only its
    outermost frame), through coroutines, generators and async generators to the future."""
    lines: list[str] = []
    for _ in range(60):
        if coro is None:
            break
        frame = _first(coro, "cr_frame", "gi_frame", "ag_frame")
        if frame is not None:
            lines.append(f"  {frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}")
        nxt = _first(coro, "cr_await", "gi_yieldfrom", "ag_await")
        if nxt is None and type(coro).__name__ in ("async_generator_asend", "async_generator_athrow"):
            # an async generator's step hides its generator: find it among what it refers to
            nxt = next((r for r in gc.get_referents(coro) if inspect.isasyncgen(r)), None)
        if nxt is None and frame is None:
            lines.append(f"  awaiting {coro!r}")
        coro = nxt
    return lines


def _tasks_text(loop: asyncio.AbstractEventLoop) -> str:
    out = io.StringIO()
    for task in asyncio.all_tasks(loop):
        out.write(f"--- {task!r}\n")
        out.write("\n".join(_awaiting(task.get_coro())) + "\n")
    return out.getvalue()


def _threads_text() -> str:
    names = {t.ident: t.name for t in threading.enumerate()}
    out = io.StringIO()
    for ident, frame in sys._current_frames().items():
        out.write(f"--- thread {names.get(ident, ident)}\n")
        out.write("".join(traceback.format_stack(frame, limit=30)))
    return out.getvalue()


def _write(text: str) -> None:
    if sys.__stderr__ is not None:
        sys.__stderr__.write(text)
        sys.__stderr__.flush()
    with open(STALL_LOG, "a", encoding="utf-8") as log:
        log.write(text)


def _dump(what: str) -> None:
    header = f"\n===== {time.strftime('%H:%M:%S')} stalled {STALL_S:.0f} s: {what}\n"
    _write(header + _threads_text())
    loop = _loop
    if loop is not None and loop.is_running():
        # on the loop's own thread: all_tasks is not safe from another one
        loop.call_soon_threadsafe(lambda: _write(f"===== asyncio tasks ({what})\n" + _tasks_text(loop)))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[Any]:
    yield from _watched(f"{item.nodeid} (set-up)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[Any]:
    yield from _watched(item.nodeid)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[Any]:
    yield from _watched(f"{item.nodeid} (teardown)")
    _note_leftovers(item.nodeid)


#: engine.io service tasks still running after the test that started them ended, by task
LEFT_BY: weakref.WeakKeyDictionary[asyncio.Task[Any], str] = weakref.WeakKeyDictionary()


def _note_leftovers(nodeid: str) -> None:
    """After a test's teardown (the loop is stopped), name the test any new engine.io service
    task is left by (``tests/test_suite_memory.py`` reports them)."""
    loop = _loop
    if loop is None or loop.is_running():
        return
    for task in asyncio.all_tasks(loop):
        if is_engineio_service_task(task) and task not in LEFT_BY:
            LEFT_BY[task] = nodeid


def is_engineio_service_task(task: asyncio.Task[Any]) -> bool:
    return "_service_task" in getattr(task.get_coro(), "__qualname__", "")


def _watched(what: str) -> Iterator[Any]:
    timer = threading.Timer(STALL_S, _dump, args=(what,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()

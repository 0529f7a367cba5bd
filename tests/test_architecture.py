"""The layers hold: transports reach no database, services hold no SQL, media never imports live.

Read from the source (``ast``), so a new module that breaks a rule fails here the day it lands."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TRANSPORTS = ("live/http", "live/realtime")

# Service modules that still import SQLAlchemy: each is moved to its stores in `live/storage`
# and struck off this list; the list may only shrink (a module off it that imports SQLAlchemy
# fails, and so does a module on it that no longer does).
NOT_YET_MOVED = {
    "live/services/demo.py",
}


# Service modules still writing through the transaction (``s.add``, ``s.flush``, ``s.delete`` …)
# instead of asking their store (``add_event``, ``add_item``, ``store.add`` …), with how many
# such calls each holds: a count may only go down (a module off the list, or above its count,
# fails; so does a count that is higher than the module now needs).
WRITES_LEFT = {
    # what is left is ``s.flush()`` after changing loaded rows, before the next query reads them
    "live/services/accountability.py": 4,
    "live/services/demo.py": 67,  # the demo's story, written as rows
    "live/services/opinions.py": 4,  # and one ``s.refresh``
    "live/services/registrations.py": 3,
}
TX_NAMES = ("s", "tx")
TX_CALLS = ("add", "add_all", "delete", "merge", "flush", "refresh", "execute", "scalar", "scalars")


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def imported(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function (``TYPE_CHECKING`` included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def imports_from(path: Path, package: str) -> bool:
    return any(name == package or name.startswith(package + ".") for name in imported(path))


@pytest.mark.parametrize("folder", TRANSPORTS)
def test_transports_import_nothing_from_sqlalchemy(folder: str) -> None:
    offenders = [rel(p) for p in modules(folder) if imports_from(p, "sqlalchemy")]
    assert offenders == [], f"a transport calls a service; move the query to a store: {offenders}"


@pytest.mark.parametrize("folder", TRANSPORTS)
def test_transports_reach_no_database(folder: str) -> None:
    """No ``services.db`` (or any ``.db``), no ``live.storage.db`` import and no ``.transaction()``
    in a transport: the service method opens the transaction it needs."""
    offenders: list[str] = []
    for path in modules(folder):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("db", "transaction"):
                offenders.append(f"{rel(path)}:{node.lineno} .{node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module == "live.storage.db":
                offenders.append(f"{rel(path)}:{node.lineno} imports live.storage.db")
    assert offenders == [], offenders


def is_container(node: ast.expr) -> bool:
    """``services``, ``self.services`` or ``…[SERVICES]``: the ``Services`` container."""
    if isinstance(node, ast.Name):
        return node.id in ("services", "svc")
    if isinstance(node, ast.Attribute):
        return node.attr == "services"
    return (
        isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Name) and node.slice.id == "SERVICES"
    )


# The modules that wire subscribers to the event bus at start-up (``live.keys.EVENTS``);
# a request handler never posts or subscribes: its service method publishes.
BUS_WIRING = {"live/http/media.py", "live/realtime/server.py"}
# The transports still reading the whole ``SETTINGS`` app key: the plumbing (signed cookies and
# proxies, headers, metrics, the socket server, the media hub). A setting that shapes a rule
# belongs to its service (``Accountability(due_soon_days=…)``, ``Photos``, ``Streams.ladder``),
# what pages render with is ``PAGES`` (``live.keys.PageSettings``); this list may only shrink.
SETTINGS_READERS = {
    "live/http/auth.py",
    "live/http/health.py",
    "live/http/media.py",
    "live/http/security_headers.py",
    "live/realtime/__init__.py",
    "live/realtime/connection.py",
    "live/realtime/server.py",
}


@pytest.mark.parametrize("folder", TRANSPORTS)
def test_transports_use_services_not_the_container_parts(folder: str) -> None:
    """No ``.clock``, ``.settings`` or ``CLOCK`` anywhere in a transport and no ``.events`` off the
    container: the time is read inside a service method (``accountability.overdue``,
    ``working_days_left`` …) or comes with ``PAGES`` (``PageSettings.now``, for templates), a
    setting a transport needs comes from the service that owns it (``presence.sample_s``,
    ``sms.backend``, ``streams.ladder``) or, for the plumbing in ``SETTINGS_READERS``, from the
    ``SETTINGS`` app key, and events are posted by services."""
    offenders: list[str] = []
    for path in modules(folder):
        name = rel(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and (
                node.attr in ("clock", "settings") or (node.attr == "events" and is_container(node.value))
            ):
                offenders.append(f"{name}:{node.lineno} .{node.attr}")
            if isinstance(node, ast.Name) and node.id == "EVENTS" and name not in BUS_WIRING:
                offenders.append(f"{name}:{node.lineno} EVENTS (the bus) outside the start-up wiring")
            if isinstance(node, ast.Name) and node.id == "CLOCK":
                offenders.append(f"{name}:{node.lineno} CLOCK: ask a service for what the time decides")
            if isinstance(node, ast.Name) and node.id == "SETTINGS" and name not in SETTINGS_READERS:
                offenders.append(f"{name}:{node.lineno} SETTINGS: the service that owns the setting holds it")
    assert offenders == [], offenders


def test_settings_readers_only_shrink() -> None:
    reading = {
        rel(p)
        for folder in TRANSPORTS
        for p in modules(folder)
        if any(
            isinstance(n, ast.Name) and n.id == "SETTINGS" for n in ast.walk(ast.parse(p.read_text("utf-8")))
        )
    }
    assert sorted(SETTINGS_READERS - reading) == [], (
        "no longer reads SETTINGS: strike it off SETTINGS_READERS"
    )


def test_services_hold_no_sql() -> None:
    importing = {rel(p) for p in modules("live/services") if imports_from(p, "sqlalchemy")}
    new = sorted(importing - NOT_YET_MOVED)
    assert new == [], f"services ask stores (live/storage/<concept>.py); the query belongs there: {new}"
    moved = sorted(NOT_YET_MOVED - importing)
    assert moved == [], f"no longer imports SQLAlchemy: strike it off NOT_YET_MOVED: {moved}"


def calls(path: Path, match: Callable[[ast.Call, ast.Attribute], bool]) -> list[int]:
    """Lines of the method calls ``<object>.<name>(…)`` in a file that ``match``."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and match(node, node.func)
    ]


def orm_gets(path: Path) -> list[int]:
    """Lines of ``<anything>.get(SomeModel, …)``: a class as the first argument of ``get``."""
    return calls(
        path,
        lambda call, func: (
            func.attr == "get"
            and bool(call.args)
            and isinstance(call.args[0], ast.Name)
            and call.args[0].id[:1].isupper()
        ),
    )


def test_services_read_rows_through_stores() -> None:
    reading = {rel(p): orm_gets(p) for p in modules("live/services")}
    reading = {name: lines for name, lines in reading.items() if lines}
    assert reading == {}, f"ask the concept's store (get_session, get_item, get_meeting, …): {reading}"


def tx_writes(path: Path) -> list[int]:
    """Lines of ``s.add(…)``, ``s.flush()`` … : a call on the transaction itself."""
    return calls(
        path,
        lambda _call, func: (
            func.attr in TX_CALLS and isinstance(func.value, ast.Name) and func.value.id in TX_NAMES
        ),
    )


def test_services_write_through_stores() -> None:
    writing = {rel(p): tx_writes(p) for p in modules("live/services")}
    writing = {name: lines for name, lines in writing.items() if lines}
    more = {name: lines for name, lines in writing.items() if len(lines) > WRITES_LEFT.get(name, 0)}
    assert more == {}, f"ask the concept's store (add_event, store.add, …), not the transaction: {more}"
    fewer = {
        name: f"{left} -> {len(writing.get(name, []))}"
        for name, left in WRITES_LEFT.items()
        if len(writing.get(name, [])) < left
    }
    assert fewer == {}, f"fewer writes off the transaction: lower WRITES_LEFT to match: {fewer}"


def test_media_never_imports_live() -> None:
    offenders = [rel(p) for p in modules("media") if imports_from(p, "live")]
    assert offenders == [], offenders

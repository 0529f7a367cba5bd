"""The layers hold: transports reach no database, services hold no SQL, media never imports live.

Read from the source (``ast``), so a new module that breaks a rule fails here the day it lands."""

from __future__ import annotations

import ast
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


# Service modules still reading rows by primary key straight off the transaction
# (``s.get(Model, id)``) instead of asking their store; the same rule: it may only shrink.
ORM_GETS_LEFT = {
    "live/services/polls.py",
    "live/services/questions.py",
    "live/services/registrations.py",
    "live/services/votes.py",
}


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
# Renders a moment relative to now (the ``until`` filter): the only transport reading the clock.
CLOCK_READERS = {"live/http/templates.py"}


@pytest.mark.parametrize("folder", TRANSPORTS)
def test_transports_use_services_not_the_container_parts(folder: str) -> None:
    """No ``.clock`` or ``.settings`` anywhere in a transport and no ``.events`` off the container:
    the time is read inside a service method (``accountability.overdue``, ``working_days_left``
    …), a setting a transport needs comes from the service that owns it (``presence.sample_s``,
    ``sms.backend``) or from the ``SETTINGS`` app key, and events are posted by services."""
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
            if isinstance(node, ast.Name) and node.id == "CLOCK" and name not in CLOCK_READERS:
                offenders.append(f"{name}:{node.lineno} CLOCK: ask a service for what the time decides")
    assert offenders == [], offenders


def test_services_hold_no_sql() -> None:
    importing = {rel(p) for p in modules("live/services") if imports_from(p, "sqlalchemy")}
    new = sorted(importing - NOT_YET_MOVED)
    assert new == [], f"services ask stores (live/storage/<concept>.py); the query belongs there: {new}"
    moved = sorted(NOT_YET_MOVED - importing)
    assert moved == [], f"no longer imports SQLAlchemy: strike it off NOT_YET_MOVED: {moved}"


def orm_gets(path: Path) -> list[int]:
    """Lines of ``<anything>.get(SomeModel, …)``: a class as the first argument of ``get``."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id[:1].isupper()
    ]


def test_services_read_rows_through_stores() -> None:
    reading = {rel(p): orm_gets(p) for p in modules("live/services")}
    reading = {name: lines for name, lines in reading.items() if lines}
    new = {name: lines for name, lines in reading.items() if name not in ORM_GETS_LEFT}
    assert new == {}, f"ask the concept's store (get_session, get_item, get_party, …): {new}"
    moved = sorted(ORM_GETS_LEFT - set(reading))
    assert moved == [], f"no longer reads rows off the transaction: strike it off ORM_GETS_LEFT: {moved}"


def test_media_never_imports_live() -> None:
    offenders = [rel(p) for p in modules("media") if imports_from(p, "live")]
    assert offenders == [], offenders

"""The documentation is checked against the code: routes, settings and commands."""

from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path
from typing import Any

from aiohttp import web

from live.cli import _parser
from live.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
API = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
CONFIGURATION = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
SETTINGS_SOURCE = (ROOT / "live" / "settings.py").read_text(encoding="utf-8")


def env_vars() -> list[str]:
    """Every environment variable ``Settings.from_env`` reads."""
    names = re.findall(r'env\.get\(\s*"([A-Z][A-Z0-9_]*)"', SETTINGS_SOURCE)
    assert len(names) >= 5, "could not find the environment variables in live/settings.py"
    return sorted(set(names))


def readme_section(title: str) -> str:
    match = re.search(rf"^## {title}\n(.*?)(?=^## )", README, re.S | re.M)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def routes_of(app: web.Application) -> list[str]:
    found = []
    for route in app.router.routes():
        if isinstance(route.resource, web.StaticResource) or route.method == "HEAD":
            continue
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("path") or info.get("formatter")
        found.append(f"{route.method} {path}")
    return sorted(set(found))


async def test_every_route_is_in_docs_api(aiohttp_client: Any, tmp_path: Path) -> None:
    from live.app import create_app

    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'docs.db'}", data_dir=tmp_path, secret="docs"
    )
    client = await aiohttp_client(create_app(settings))  # started: routes added at start-up count too
    routes = routes_of(client.app)
    assert "GET /api/sessions/{id}" in routes and "GET /archive/{id}" in routes
    missing = [route for route in routes if f"`{route}`" not in API]
    assert missing == [], f"routes missing from docs/api.md: {missing}"


def test_every_setting_is_in_docs_configuration() -> None:
    fields = [f.name for f in dataclasses.fields(Settings)]
    assert "database_url" in fields
    missing = [name for name in fields if f"`{name}`" not in CONFIGURATION]
    missing += [name for name in env_vars() if f"`{name}`" not in CONFIGURATION]
    assert missing == [], "settings missing from docs/configuration.md"


def test_every_env_var_is_in_the_readme_configuration_table() -> None:
    table = readme_section("Configuration")
    missing = [name for name in env_vars() if not re.search(rf"^\| `{name}` \|", table, re.M)]
    assert missing == [], "environment variables missing from the README's configuration table"


def commands(parser: argparse.ArgumentParser, prefix: str = "python -m live") -> list[str]:
    """Every leaf command of the CLI, e.g. ``python -m live users add``."""
    found: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += commands(sub, f"{prefix} {name}")
    return found or [prefix]


def test_every_cli_command_is_in_the_readme() -> None:
    found = commands(_parser())
    assert "python -m live users add" in found and "python -m live serve" in found
    missing = [command for command in found if f"`{command}" not in README]
    assert missing == [], "commands of python -m live --help missing from the README"


def test_readme_links_and_images_exist() -> None:
    targets = re.findall(r"\]\(((?:docs|web)/[^)#\s]+)\)", README)
    assert "docs/api.md" in targets and any(t.startswith("docs/img/") for t in targets)
    missing = [target for target in targets if not (ROOT / target).is_file()]
    assert missing == []

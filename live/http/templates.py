"""Server-rendered pages: one Jinja2 environment, rendered in the request's language."""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web

from live.http import i18n, notices
from live.http.auth import ACTOR, CSRF, is_secure
from live.http.error_texts import error_texts
from live.http.navigation import NAV
from live.keys import PAGES
from live.payloads import user_payload

WEB = Path(__file__).resolve().parents[2] / "web"
TEMPLATES = WEB / "templates"
STATIC = WEB / "static"
CARE_COOKIE = "care"


#: A static ES module's import specifiers: ``import … from "./x.js"``, ``import "./x.js"``,
#: ``export … from "/static/vendor/y.js"`` (relative or under /static/; nothing else is served).
_IMPORT = re.compile(
    r"""(\b(?:import|export)\b[^;"']*?\bfrom\s*|\bimport\s*)(["'])((?:\.\.?/|/static/)[^"']+?\.m?js)\2"""
)


@lru_cache(maxsize=512)
def _parsed(path: str, mtime: float) -> tuple[bytes, tuple[str, ...]]:
    """A static file's bytes and, for a JS module, the static paths it imports."""
    data = (STATIC / path).read_bytes()
    if not path.endswith((".js", ".mjs")):
        return data, ()
    return data, tuple(_resolve(path, m.group(3)) for m in _IMPORT.finditer(data.decode("utf-8")))


def _resolve(importer: str, specifier: str) -> str:
    if specifier.startswith("/static/"):
        return specifier.removeprefix("/static/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(importer), specifier))


def _fingerprint(path: str, seen: frozenset[str] = frozenset()) -> str:
    """The content hash of a file and, for a module, of everything it imports (so that a new
    version of an imported module gives its importers a new hash too)."""
    data, imports = _parsed(path, (STATIC / path).stat().st_mtime)
    digest = hashlib.sha256(data)
    for imported in imports:
        if imported not in seen:
            try:
                digest.update(_fingerprint(imported, seen | {path}).encode())
            except OSError:
                continue
    return digest.hexdigest()[:10]


def static_fingerprint(path: str) -> str | None:
    """The content hash of a file under web/static/ (None when there is none)."""
    try:
        return _fingerprint(path)
    except OSError:
        return None


def static_body(path: str) -> bytes:
    """A static file as served: a module's imports carry their own hashes (``./x.js?v=…``), so
    that a page loads its whole module graph from the cache, each file immutable for a year."""
    data, imports = _parsed(path, (STATIC / path).stat().st_mtime)
    if not imports:
        return data
    return _rewritten(path, _fingerprint(path))


@lru_cache(maxsize=256)
def _rewritten(path: str, fingerprint: str) -> bytes:
    """A module with hashed imports, rewritten once per version of its graph (``fingerprint``
    covers every file it imports), not on every request."""
    data, _ = _parsed(path, (STATIC / path).stat().st_mtime)

    def hashed(match: re.Match[str]) -> str:
        imported = static_fingerprint(_resolve(path, match.group(3)))
        if imported is None:
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}{match.group(3)}?v={imported}{match.group(2)}"

    return _IMPORT.sub(hashed, data.decode("utf-8")).encode("utf-8")


def static_url(path: str) -> str:
    """A cache-busting URL for a file under web/static/."""
    fingerprint = static_fingerprint(path)
    return f"/static/{path}?v={fingerprint}" if fingerprint else f"/static/{path}"


def base_url(request: web.Request) -> str:
    """The site's address as residents reach it: LIVE_PUBLIC_URL, else this request's host."""
    configured = request.app[PAGES].public_url
    if configured:
        return configured
    scheme = "https" if is_secure(request) else "http"
    return f"{scheme}://{request.host}"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["static_url"] = static_url
    env.globals["two_numbers"] = i18n.two_numbers
    env.globals["error_texts"] = error_texts
    env.globals["inbox_text"] = notices.render_inbox
    env.globals["timeline_text"] = notices.render_timeline
    env.filters["tojson_attr"] = lambda value: json.dumps(value, ensure_ascii=False)
    return env


ENV = _environment()


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time_formatter(zone_name: str) -> Any:
    """``local(moment, fmt)`` for templates: a UTC moment shown in the community's time zone."""

    def local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        if not moment:
            return ""
        try:
            return moment.astimezone(_zone(zone_name)).strftime(fmt)
        except (OverflowError, ValueError):
            # stored out of range (before the schemas bounded years): show it, never fail the page
            return moment.strftime(fmt)

    return local


def local_iso_formatter(zone_name: str) -> Any:
    """``local_iso(moment)`` for ``<time datetime>``: ISO 8601 with the community's UTC offset."""

    def local_iso(moment: datetime | None) -> str:
        if not moment:
            return ""
        try:
            return moment.astimezone(_zone(zone_name)).isoformat(timespec="seconds")
        except (OverflowError, ValueError):  # stored out of range: as it is, never a failed page
            return moment.isoformat(timespec="seconds")

    return local_iso


def time_until(now: datetime, moment: datetime | None) -> str:
    """«in 2 days 3 hours» / «in 40 minutes» for an upcoming moment, in the page's language."""
    if moment is None or moment <= now:
        return ""
    minutes = int((moment - now).total_seconds() // 60)
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        later = " " + i18n.ngettext("%(num)d hour", "%(num)d hours", hours) if hours else ""
        return i18n.ngettext("in %(num)d day", "in %(num)d days", days) + later
    if hours:
        return i18n.ngettext("in %(num)d hour", "in %(num)d hours", hours)
    return i18n.ngettext("in %(num)d minute", "in %(num)d minutes", max(mins, 1))


def render(
    request: web.Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> web.Response:
    lang = i18n.request_language(request)
    token = i18n.current_language.set(lang)
    pages = request.app[PAGES]
    try:
        actor = request[ACTOR]
        body = ENV.get_template(name).render(
            request=request,
            lang=lang,
            other_lang="en" if lang == "zh-CN" else "zh-CN",
            actor=actor,
            user=user_payload(actor),
            nav=request.get(NAV),
            csrf=request[CSRF],
            path=request.path_qs,
            site=base_url(request),
            care=request.cookies.get(CARE_COOKIE) == "1",
            local=local_time_formatter(pages.timezone),
            local_iso=local_iso_formatter(pages.timezone),
            until=lambda moment: time_until(pages.now(), moment),
            **(context or {}),
        )
    finally:
        i18n.current_language.reset(token)
    response = web.Response(text=body, content_type="text/html", status=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Language"] = lang
    return response

"""The moderation console of a session: held messages first, one-click actions, the audit log."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from aiohttp import web

from live.errors import Forbidden
from live.http.auth import ACTOR
from live.http.pages.staff import staff_community
from live.http.params import optional_ident, path_id
from live.http.templates import render
from live.keys import SERVICES

routes = web.RouteTableDef()


@routes.get("/moderate/{id}")
async def moderate_page(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    session = await services.rooms.get(path_id(request))
    actor = request[ACTOR]
    if not actor.is_user:
        raise web.HTTPSeeOther(f"/login?next={quote(request.path_qs, safe='')}")
    if not actor.can("moderator", session.community_id):
        raise Forbidden("needs moderator of this community")
    community = await services.places.by_id(session.community_id)
    config = {
        "session": str(session.id),
        "community": community.slug,
        "status": session.status,
        "chat_open": session.chat_open,
        "slow_mode": session.slow_mode_s,
    }
    context = {"session": session, "community": community, "config": config, "interact_staff": True}
    return render(request, "moderate.html", context)


AUDIT_PAGE = 50
AUDIT_ACTIONS = (
    "hide", "unhide", "approve", "delete", "pin", "unpin", "mute", "unmute", "ban", "unban",
    "slow_mode", "close_chat", "open_chat", "to_opinion", "household_code", "household_join",
    "household_create",
)  # fmt: skip


@routes.get("/audit")
async def audit_page(request: web.Request) -> web.Response:
    """A community's audit log for its staff: newest first, 50 a page, by action and by words of
    the moderator's name or the reason; every target named (a person, «name: message»)."""
    services = request.app[SERVICES]
    actor = request[ACTOR]
    community, choices = await staff_community(request)
    before = optional_ident(request.query.get("before"), "before")
    action = request.query.get("action") or None
    action = action if action in AUDIT_ACTIONS else None
    search = request.query.get("q", "").strip()[:100]
    lines = await services.moderation.audit_search(
        actor, community.id, before=before, action=action, search=search, limit=AUDIT_PAGE + 1
    )
    older = lines[AUDIT_PAGE - 1].entry.id if len(lines) > AUDIT_PAGE else None
    keep = {"community": community.slug, "action": action or "", "q": search}
    context = {
        "community": community,
        "choices": choices,
        "lines": lines[:AUDIT_PAGE],
        "actions": AUDIT_ACTIONS,
        "filters": {"action": action or "", "q": search, "paged": before is not None},
        "older": urlencode({**{k: v for k, v in keep.items() if v}, "before": older}) if older else None,
    }
    return render(request, "audit.html", context)

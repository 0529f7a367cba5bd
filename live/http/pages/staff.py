"""Which community a staff page (triage, the audit log) is about: ``?community=`` or the staff
member's own; admins may pick any, and start on the first."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from live.errors import Forbidden
from live.http.auth import ACTOR
from live.keys import SERVICES
from live.storage.places import Community


async def staff_community(request: web.Request) -> tuple[Community, list[Community]]:
    """The page's community and the communities its picker offers (all of them to an admin).
    Someone signed out goes to the sign-in page; a non-moderator of it gets 403."""
    actor = request[ACTOR]
    if not actor.is_user:
        raise web.HTTPSeeOther(f"/login?next={quote(request.path_qs, safe='')}")
    if not actor.is_staff:
        raise Forbidden("needs a moderator")
    communities = await request.app[SERVICES].places.communities()
    wanted = request.query.get("community") or actor.community_slug
    community = next((c for c in communities if c.slug == wanted), None)
    if community is None and actor.is_admin and communities:
        community = communities[0]
    if community is None or not actor.can("moderator", community.id):
        raise Forbidden("needs moderator of this community")
    return community, communities if actor.is_admin else [community]

"""The community a person chose to follow on the home page and the board, remembered in a cookie.

Signed-in staff and residents of a community default to their own; anyone can choose another."""

from __future__ import annotations

from aiohttp import web

from live.http.auth import ACTOR, set_cookie

COMMUNITY_COOKIE = "community"


def chosen_community(request: web.Request, known: set[str]) -> str | None:
    """``?community=`` (an explicit choice), else the remembered one, else the account's own."""
    for slug in (
        request.query.get("community"),
        request.cookies.get(COMMUNITY_COOKIE),
        request[ACTOR].community_slug,
    ):
        if slug and slug in known:
            return slug
    return None


def remember_community(request: web.Request, response: web.StreamResponse, known: set[str]) -> None:
    """Keep an explicit ``?community=`` choice for the next visit."""
    slug = request.query.get("community")
    if slug and slug in known and slug != request.cookies.get(COMMUNITY_COOKIE):
        set_cookie(request, response, COMMUNITY_COOKIE, slug)

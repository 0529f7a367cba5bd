"""Who is connecting: the session cookie, else a signed guest cookie, else ``auth.guest``/``auth.name``."""

from __future__ import annotations

import logging
from http.cookies import CookieError, SimpleCookie
from typing import Any

import socketio
from aiohttp import web

from live.errors import DomainError
from live.http.auth import GUEST_COOKIE, SESSION_COOKIE, ascii_cookie, client_address
from live.keys import SETTINGS
from live.realtime.context import Connection, RealtimeContext
from live.schemas import SocketAuth, decode_payload
from live.services.actors import Actor
from live.services.defaults import DEFAULT_GUEST_NAME
from live.services.guests import clean_display_name, guest_actor, new_guest_id, verify_guest

log = logging.getLogger(__name__)


def _cookies(environ: dict[str, Any]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(environ.get("HTTP_COOKIE", ""))
    except CookieError:
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


async def identify(ctx: RealtimeContext, environ: dict[str, Any], auth: Any) -> Actor:
    """The actor of a new connection; raises a DomainError (e.g. ``bad_name``) to refuse it."""
    return (await identify_with_token(ctx, environ, auth))[0]


async def identify_with_token(
    ctx: RealtimeContext, environ: dict[str, Any], auth: Any
) -> tuple[Actor, str | None]:
    """The actor of a new connection and the sign-in session token it was recognised by."""
    request: web.Request | None = environ.get("aiohttp.request")
    address = client_address(request) if request is not None else None
    given = decode_payload(auth, SocketAuth)
    cookies = _cookies(environ)
    secret = ctx.app[SETTINGS].secret
    token = ascii_cookie(cookies, SESSION_COOKIE)
    if token:
        resolved = await ctx.services.accounts.resolve(token, address)
        if resolved is not None:
            return resolved[0], token
    # Only a token the server signed names a guest: the cookie, else ``auth.guest``. Anything
    # else (someone's public id, a made-up value) starts a new identity, never someone else's.
    guest_id = None
    for signed in (ascii_cookie(cookies, GUEST_COOKIE), given.guest):
        if signed:
            guest_id = verify_guest(secret, signed[:200])
            if guest_id is not None:
                break
    name = DEFAULT_GUEST_NAME if given.name in (None, "") else clean_display_name(given.name)
    return guest_actor(secret, guest_id or new_guest_id(), name, address), None


def refused(refusal: dict[str, str]) -> socketio.exceptions.ConnectionRefusedError:
    """A refused connection: the client's ``connect_error`` gets ``message`` (the detail) and
    ``data`` (``{error, detail, field}``; socket.io-client's ``err.data``). One argument alone would
    reach the client only as the text of the dict."""
    return socketio.exceptions.ConnectionRefusedError(refusal["detail"], refusal)


def register(sio: socketio.AsyncServer, ctx: RealtimeContext) -> None:
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        try:
            actor, token = await identify_with_token(ctx, environ, auth)
        except DomainError as err:
            refusal = {"error": err.code, "detail": err.detail}
            if err.field is not None:
                refusal["field"] = err.field
            raise refused(refusal) from err
        except Exception as err:
            log.exception("identifying a socket failed")
            raise refused({"error": "internal", "detail": "try again"}) from err
        ctx.connections[sid] = Connection(actor, token=token)

    async def disconnect(sid: str, *_: Any) -> None:
        connection = ctx.connections.pop(sid, None)
        if connection is None:
            return
        for session_id in list(connection.sessions):
            try:
                await ctx.services.presence.leave(session_id, connection.actor.key)
            except Exception:
                log.exception("presence leave failed for %s", sid)

    sio.on("connect", connect)
    sio.on("disconnect", disconnect)

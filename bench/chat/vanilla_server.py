"""Calibration server: python-socketio on aiohttp, the same events as the reference, in memory.

``--manager vanilla`` (default) is stock python-socketio; ``--manager fast`` swaps in Roundtable's
client manager (live/realtime/manager.py) so its effect can be measured without persistence.

    .venv/bin/python bench/chat/vanilla_server.py --port 8092 [--manager fast] [--no-uvloop]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import socketio
from aiohttp import web


def build_app(manager: str, redis_url: str | None = None, channel: str = "bench") -> web.Application:
    """An aiohttp app with an in-memory chat room server (rooms shared through Redis if given)."""
    if manager == "fast":
        from live.realtime.manager import fast_manager

        sio = socketio.AsyncServer(
            async_mode="aiohttp",
            client_manager=fast_manager(redis_url, channel=channel),
            cors_allowed_origins="*",
        )
    elif redis_url:
        sio = socketio.AsyncServer(
            async_mode="aiohttp",
            client_manager=socketio.AsyncRedisManager(redis_url, channel=channel),
            cors_allowed_origins="*",
        )
    else:
        sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
    app = web.Application()
    sio.attach(app)
    sessions: dict[str, dict[str, Any]] = {}
    people: dict[str, dict[str, Any]] = {}
    counter = {"message": 0, "guest": 0}

    def session(sid: str) -> dict[str, Any]:
        return sessions.setdefault(
            sid, {"history": [], "viewers": set(), "unique": set(), "peak": 0, "started": time.time()}
        )

    @sio.event
    async def connect(sid: str, environ: dict[str, Any], auth: Any) -> None:
        counter["guest"] += 1
        name = str((auth or {}).get("name") or "guest")[:24]
        people[sid] = {"you": {"id": f"g{counter['guest']}", "name": name, "role": "guest"}, "joined": None}

    @sio.event
    async def disconnect(sid: str, *args: Any) -> None:
        person = people.pop(sid, None)
        if person and person["joined"]:
            session(person["joined"])["viewers"].discard(person["you"]["id"])

    @sio.event
    async def join(sid: str, payload: Any) -> dict[str, Any]:
        if not isinstance(payload, dict) or not payload.get("session"):
            return {"ok": False, "error": "bad_request", "detail": "session required"}
        sess_id = str(payload["session"])
        person, s = people[sid], session(sess_id)
        person["joined"] = sess_id
        await sio.enter_room(sid, f"session:{sess_id}")
        s["viewers"].add(person["you"]["id"])
        s["unique"].add(person["you"]["id"])
        s["peak"] = max(s["peak"], len(s["viewers"]))
        return {
            "ok": True,
            "history": s["history"][-50:],
            "viewers": {"current": len(s["viewers"]), "peak": s["peak"], "unique": len(s["unique"])},
            "you": person["you"],
        }

    @sio.event
    async def chat(sid: str, payload: Any) -> dict[str, Any]:
        person = people[sid]
        if not isinstance(payload, dict) or person["joined"] != str(payload.get("session")):
            return {"ok": False, "error": "not_joined", "detail": "join first"}
        text = str(payload.get("text") or "").strip()
        if not text:
            return {"ok": False, "error": "empty", "detail": "empty message"}
        s = session(person["joined"])
        counter["message"] += 1
        ts = int(time.time() * 1000)
        message = {
            "id": str(counter["message"]),
            "session": person["joined"],
            "author": person["you"],
            "text": text[:500],
            "nonce": payload.get("nonce"),
            "ts": ts,
            "offset_ms": ts - int(s["started"] * 1000),
            "status": "visible",
        }
        s["history"].append(message)
        del s["history"][:-50]
        await sio.emit("chat", message, room=f"session:{person['joined']}")
        return {"ok": True, "message": message}

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8092)
    parser.add_argument("--manager", choices=["vanilla", "fast"], default="vanilla")
    parser.add_argument("--no-uvloop", action="store_true")
    parser.add_argument("--redis", default=None, help="Redis URL: share rooms between processes")
    parser.add_argument("--channel", default="bench", help="Redis pub/sub channel")
    args = parser.parse_args()
    if not args.no_uvloop:
        import uvloop

        uvloop.install()
    web.run_app(
        build_app(args.manager, args.redis, args.channel),
        host="127.0.0.1",
        port=args.port,
        print=None,
        access_log=None,
    )


if __name__ == "__main__":
    main()

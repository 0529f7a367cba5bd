"""The question queue of a broadcast: ask, upvote, moderate, list (CONTRACT §8)."""

from __future__ import annotations

from aiohttp import web

from live.http.auth import ACTOR
from live.http.params import ident, json_body, page, path_id, text
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import question_payload

routes = web.RouteTableDef()


@routes.post("/api/sessions/{id}/questions")
async def ask(request: web.Request) -> web.Response:
    body = await json_body(request)
    question = await request.app[SERVICES].questions.ask(
        request[ACTOR], path_id(request), text(body, "text", max_len=5000)
    )
    return json_response(question_payload(question), status=201)


@routes.get("/api/sessions/{id}/questions")
async def queue(request: web.Request) -> web.Response:
    limit, after = page(request)
    questions = await request.app[SERVICES].questions.of_session(
        request[ACTOR], path_id(request), limit=limit, after=after
    )
    return json_response([question_payload(q) for q in questions])


@routes.post("/api/questions/{id}/upvote")
async def upvote(request: web.Request) -> web.Response:
    question = await request.app[SERVICES].questions.upvote(request[ACTOR], path_id(request))
    return json_response({"votes": question.votes, "id": str(question.id)})


@routes.get("/api/questions/{id}")
async def get_question(request: web.Request) -> web.Response:
    question = await request.app[SERVICES].questions.get(request[ACTOR], path_id(request))
    return json_response(question_payload(question))


@routes.patch("/api/questions/{id}")
async def set_status(request: web.Request) -> web.Response:
    body = await json_body(request)
    question = await request.app[SERVICES].questions.set_status(
        request[ACTOR], path_id(request), text(body, "status", max_len=32)
    )
    return json_response(question_payload(question))


@routes.post("/api/questions/{id}/merge")
async def merge(request: web.Request) -> web.Response:
    body = await json_body(request)
    question = await request.app[SERVICES].questions.merge(
        request[ACTOR], path_id(request), ident(body.get("into"), "into")
    )
    return json_response(question_payload(question))

"""The question queue of a broadcast: ask, upvote, moderate, list (CONTRACT §8)."""

from __future__ import annotations

from aiohttp import web

from live import schemas
from live.http.auth import ACTOR
from live.http.params import body, path_id, query
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import question_payload

routes = web.RouteTableDef()


@routes.post("/api/sessions/{id}/questions")
async def ask(request: web.Request) -> web.Response:
    form = await body(request, schemas.AskQuestion)
    question = await request.app[SERVICES].questions.ask(request[ACTOR], path_id(request), form.text)
    return json_response(question_payload(question), status=201)


@routes.get("/api/sessions/{id}/questions")
async def queue(request: web.Request) -> web.Response:
    q = query(request, schemas.PageOnly)
    questions = await request.app[SERVICES].questions.of_session(
        request[ACTOR], path_id(request), limit=q.limit, after=q.after
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
    form = await body(request, schemas.QuestionStatus)
    question = await request.app[SERVICES].questions.set_status(request[ACTOR], path_id(request), form.status)
    return json_response(question_payload(question))


@routes.post("/api/questions/{id}/merge")
async def merge(request: web.Request) -> web.Response:
    form = await body(request, schemas.MergeQuestion)
    question = await request.app[SERVICES].questions.merge(request[ACTOR], path_id(request), form.into)
    return json_response(question_payload(question))

"""The HTTP routes of the audience's questions (``questions.py`` keeps them):

- ``POST /api/questions/voter``: anyone who may read gets a voter id the server signs
  (``201 {"voter"}``), which votes need; limited per address (``--limit-voters``);
- ``POST /api/questions?room=ID`` ``{"text", "name"?, "session_id"?, "voter"?,
  "command_id"?, "origin"?}``: anyone who may read the event asks; ``201 {"id",
  "status"}``; ``origin`` ``"room"`` when asked from the link the venue screen shows;
- ``GET /api/questions?room=ID[&session_id=][&status=]``: with a moderator or assistant
  bearer every question, else only approved and answered ones;
- ``POST /api/questions/{id}?room=ID`` ``{"action", "command_id"?}``: approve, dismiss,
  answer, restore (moderator or assistant);
- ``POST /api/questions/{id}/vote?room=ID`` ``{"voter", "command_id"?}``: one vote per
  issued voter id, never for the voter's own question.

A ``command_id`` makes a retry safe: the answer is the first one's result.

``GET /api/questions/qr``: the venue screen's link for the room (``/viewer?from=room``) as
a QR code. The assistant's page, ``/questions``, is served with the others (``routes.PAGES``).

Asking and voting are limited per client address (``--limit-questions``,
``--limit-votes``; loopback exempt unless ``--limit-loopback``): over it, 429 with
``Retry-After``.
"""

from __future__ import annotations

import math
from urllib.parse import quote

from aiohttp import web
from pydantic import ValidationError

from podium.core.errors import InvalidInput, RateLimited, invalid_input
from podium.core.questions import STATUSES, ModerationIn, checked_voter
from podium.live.access.auth import Tokens
from podium.live.access.bearer import read_token
from podium.live.access.ratelimit import PerKey
from podium.live.http.request import (
    POLICY,
    QUESTIONS,
    ROOMS,
    TOKENS,
    require_reader,
    room_of,
)
from podium.live.http.routes import json_object
from podium.live.http.speakers import public_origin, qr_svg
from podium.live.rooms.question_push import PRIVILEGED
from podium.live.rooms.questions import QuestionBook

ASK_FIELDS = frozenset({"text", "name", "session_id", "voter", "command_id", "origin"})


def _book(request: web.Request) -> QuestionBook:
    return request.app[QUESTIONS][room_of(request).id]


def _limited(request: web.Request, limit: PerKey, what: str) -> None:
    peer = request.remote or "?"
    if not request.app[POLICY].allow(limit, peer):
        wait = math.ceil(limit.wait_s(peer))
        raise RateLimited(
            f"too many {what} from your address (limit {limit.rate}); try again in {wait} s",
            wait,
        )


def voter_subject(tokens: Tokens, voter: object) -> str:
    """The random part of an issued voter id; ``Forbidden`` for one not issued here."""
    return tokens.voter_subject(checked_voter(voter))


def asker(tokens: Tokens, voter: object) -> str:
    """An ask's ``voter`` (optional): '' without one, else the issued id's random part."""
    return "" if voter is None else voter_subject(tokens, voter)


async def issue_voter(request: web.Request) -> web.Response:
    """A new voter id for a page, which keeps it (a reload keeps it)."""
    require_reader(request)
    _limited(request, request.app[POLICY].voters, "voter ids")
    return web.json_response({"voter": request.app[TOKENS].issue_voter()}, status=201)


async def ask(request: web.Request) -> web.Response:
    require_reader(request)
    book = _book(request)
    _limited(request, request.app[POLICY].questions, "questions")
    body = await json_object(request, ASK_FIELDS)
    question, again = await book.ask(
        body.get("text"),
        body.get("name"),
        body.get("session_id"),
        asker(request.app[TOKENS], body.get("voter")),
        body.get("command_id"),
        body.get("origin"),
    )
    answer = {"id": question.id, "status": question.status}
    return web.json_response(answer | ({"repeated": True} if again else {}), status=201)


async def listed(request: web.Request) -> web.Response:
    tokens = request.app[TOKENS]
    token = read_token(request)
    privileged = tokens.role_of(token) in PRIVILEGED
    status = request.query.get("status")
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"status {status!r} is not one of {', '.join(STATUSES)}")
    if not privileged:
        require_reader(request)
        if status in ("pending", "dismissed"):
            tokens.require_questions(token)  # 401 or 403: only they see those
    book = _book(request)
    found = book.listed(privileged, request.query.get("session_id"), status)
    return web.json_response({"room": book.room.id, "questions": [q.wire() for q in found]})


async def moderate(request: web.Request) -> web.Response:
    request.app[TOKENS].require_questions(read_token(request))
    book = _book(request)
    try:
        fields = frozenset({"action", "command_id"})
        given = ModerationIn.model_validate(await json_object(request, fields))
    except ValidationError as exc:
        raise invalid_input(exc, "moderation") from None
    question_id = request.match_info["question_id"]
    question = await book.moderate(question_id, given.action, given.command_id)
    return web.json_response(question.wire())


async def vote(request: web.Request) -> web.Response:
    require_reader(request)
    book = _book(request)
    _limited(request, request.app[POLICY].votes, "votes")
    body = await json_object(request, frozenset({"voter", "command_id"}))
    voter = voter_subject(request.app[TOKENS], body.get("voter"))
    question_id = request.match_info["question_id"]
    question, counted = await book.vote(question_id, voter, body.get("command_id"))
    return web.json_response({"id": question.id, "votes": question.votes, "counted": counted})


async def room_link(request: web.Request) -> web.Response:
    """``GET /api/questions/qr?room=ID``: the link the venue screen shows between speakers
    as a QR code (SVG): the viewer page with ``from=room``, whose questions are counted as
    asked in the room. It holds no token: on a private event, the room's people open it
    and the page asks for the viewer token as usual."""
    require_reader(request)
    room = room_of(request)
    query = "" if room is next(iter(request.app[ROOMS].values())) else f"&room={quote(room.id)}"
    return qr_svg(f"{public_origin(request)}/viewer?from=room{query}", "ask", "max-age=60")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/questions", listed)
    app.router.add_get("/api/questions/qr", room_link)
    app.router.add_post("/api/questions", ask)
    app.router.add_post("/api/questions/voter", issue_voter)  # before /{question_id}
    app.router.add_post("/api/questions/{question_id}", moderate)
    app.router.add_post("/api/questions/{question_id}/vote", vote)

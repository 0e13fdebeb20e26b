"""The HTTP routes of the live captions (``live/rooms/captions.py`` keeps them):

- ``POST /api/captions?room=ID`` ``{"text", "lang"?, "final"?}``: the captioner (its token,
  ``PODIUM_CAPTIONS_TOKEN`` or ``DATA/captions.token``) or a moderator sends a line;
  ``201 {"id", "at"}``. Over 500 characters: 400; over ``--limit-captions`` for the token:
  429 with ``Retry-After``;
- ``GET /api/captions?room=ID&session_id=ID&format=vtt`` (moderator): the session's final
  lines as a WebVTT file timed from the session's start; without ``format`` (or
  ``format=json``) the lines as JSON, every session's unless ``session_id`` names one.

The same line may come over the captioner's WebSocket (``caption``, answered by ``ack``).
"""

from __future__ import annotations

from aiohttp import web

from podium.core.captions import webvtt
from podium.core.errors import InvalidInput
from podium.live.access.bearer import bearer
from podium.live.http.request import CAPTIONS, POLICY, TOKENS, format_of, room_of
from podium.live.http.routes import json_object
from podium.live.rooms.captions import CaptionBook

FORMATS = ("json", "vtt")


def _book(request: web.Request) -> CaptionBook:
    return request.app[CAPTIONS][room_of(request).id]


async def post_caption(request: web.Request) -> web.Response:
    role = request.app[TOKENS].require_captioner(bearer(request))
    book = _book(request)
    body = await json_object(request, frozenset({"text", "lang", "final"}))
    request.app[POLICY].limit_captions(role)
    line = await book.add(body.get("text"), body.get("lang"), body.get("final"))
    return web.json_response({"id": line.id, "at": line.at}, status=201)


async def get_captions(request: web.Request) -> web.Response:
    request.app[TOKENS].require_moderator(bearer(request))
    book = _book(request)
    fmt = format_of(request, FORMATS)
    session_id = request.query.get("session_id")
    headers = {"Cache-Control": "no-store"}
    if fmt == "json":
        kept = await book.kept()
        lines = [c for c in kept if session_id in (None, c.session_id)]
        body = {"room": book.room.id, "captions": [c.model_dump() for c in lines]}
        return web.json_response(body, headers=headers)
    if session_id is None:
        raise InvalidInput(
            "a WebVTT file is one session's, timed from its start; name it with ?session_id=ID"
        )
    lines, started_at, title = await book.of_session(session_id)
    name = f"{book.room.id}-{session_id}.vtt"
    headers["Content-Disposition"] = f'inline; filename="{name}"'
    return web.Response(
        text=webvtt(lines, started_at, title), content_type="text/vtt", headers=headers
    )


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/captions", post_caption)
    app.router.add_get("/api/captions", get_captions)

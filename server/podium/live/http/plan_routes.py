"""The programme file beside the running plan, for moderators: ``GET /api/programme/file``
(how the file differs from the plan the room last took from it) and
``POST /api/programme/reload`` (its differences applied as one undoable change)."""

from __future__ import annotations

from aiohttp import web

from podium.core.commands import parse_command
from podium.core.errors import InvalidInput, RateLimited
from podium.live.access.bearer import bearer
from podium.live.http.request import POLICY, TOKENS, room_of
from podium.live.http.routes import json_body

RELOAD_FIELDS = ("expected_version", "command_id", "actor")  # what a reload's body may say


async def programme_file(request: web.Request) -> web.Response:
    request.app[TOKENS].require_moderator(bearer(request))
    room = room_of(request)
    return web.json_response(await room.plan.changes(room.state))


async def reload(request: web.Request) -> web.Response:
    """Answers ``{"version", "changes", "summary"}``: what the reload changed in the
    running plan. A file ``podium check`` refuses, or a change the plan's commands would
    refuse (the live speaker or session removed), changes nothing (422, saying why)."""
    request.app[TOKENS].require_moderator(bearer(request))
    peer = request.remote or "?"
    if not request.app[POLICY].allow_http_command(peer):
        raise RateLimited("too many commands from your address; wait a few seconds")
    room = room_of(request)
    body = await json_body(request) if request.can_read_body else {}
    if not isinstance(body, dict) or set(body) - set(RELOAD_FIELDS):
        raise InvalidInput(f"a reload's body is a JSON object with at most {RELOAD_FIELDS}")
    done = await room.execute(parse_command({**body, "action": "reload"}), actor=f"http:{peer}")
    change = done.state.last_change
    edits = list(change.edits or ()) if change is not None and not done.repeated else []
    summary = change.summary if change is not None else ""
    return web.json_response({"version": done.version, "changes": edits, "summary": summary})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/programme/file", programme_file)
    app.router.add_post("/api/programme/reload", reload)

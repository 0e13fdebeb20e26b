"""The HTTP routes of the live hour: health, who may read, the rooms, the programme (and,
for moderators, its file on disk and the reload), the state, commands (moderators), and
the pages with their static assets."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from podium.core.commands import parse_command
from podium.core.errors import InvalidInput, PodiumError, RateLimited
from podium.core.wire.client import LONE_SURROGATE, MAX_FRAME, has_lone_surrogate
from podium.core.wire.protocol import encode
from podium.live.access.bearer import bearer
from podium.live.http import assets
from podium.live.http.connection import CONNECTIONS
from podium.live.http.request import (
    GUARD,
    METRICS,
    POLICY,
    ROOMS,
    STOPPING,
    TOKENS,
    may_read,
    require_reader,
    room_of,
)

PAGES = {"/": "index.html", "/console": "console.html", "/viewer": "viewer.html",
         "/screen": "screen.html", "/overlay": "overlay.html", "/speaker": "speaker.html",
         "/questions": "questions.html", "/booth": "booth.html"}  # fmt: skip


# -- health: the store, the rooms, the connections and what the process holds --------------


def _rss_kib() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _fds() -> int | None:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return None


def process_stats() -> dict[str, int | None]:
    """Asyncio tasks, open file descriptors and resident memory (for ``/healthz`` and the
    soak test). Linux figures; elsewhere they are ``None``."""
    return {"tasks": len(asyncio.all_tasks()), "fds": _fds(), "rss_kib": _rss_kib()}


async def healthz(request: web.Request) -> web.Response:
    """The detailed report, ``200`` while the process serves. The store's part comes from
    the active check (``health.py``) as well as from the calls commands made."""
    rooms = request.app[ROOMS]
    store = next(iter(rooms.values())).store.health()
    status = "ok" if store["status"] == "ok" else "degraded"
    if not may_read(request):  # a private event tells strangers only whether it is up
        return web.json_response({"status": status})
    return web.json_response(
        {
            "status": status,
            "ready": unready(request.app) is None,  # what GET /readyz answers
            "store": store,
            "rooms": {
                rid: {"version": r.state.version, "clients": len(r.hub), "dropped": r.hub.dropped}
                for rid, r in rooms.items()
            },
            "connections": len(request.app[CONNECTIONS]),
            "sockets": guard.stats() if (guard := request.app.get(GUARD)) else None,
            "process": process_stats(),
        }
    )


async def access(request: web.Request) -> web.Response:
    """What a page needs to know before it asks for data: is a viewer token needed?"""
    return web.json_response({"private": request.app[TOKENS].private})


async def rooms_index(request: web.Request) -> web.Response:
    require_reader(request)
    return web.json_response(
        [{"id": r.id, "title": r.programme.event.title} for r in request.app[ROOMS].values()]
    )


async def programme(request: web.Request) -> web.Response:
    """``GET /api/programme``: the running plan, with its ``revision`` and ``marks``."""
    require_reader(request)
    room = room_of(request)
    return web.Response(text=room.plan.json(room.state), content_type="application/json")


async def state(request: web.Request) -> web.Response:
    require_reader(request)
    return web.json_response(room_of(request).envelope())


async def first(request: web.Request) -> web.Response:
    """``GET /api/first``: the programme and the state in one answer, for a page's first
    paint, with the lean state the deltas after it build on (``held``). The page announces
    it (``assets.FIRST_PAGES``), so a far browser asks for it with the page's modules: one
    request, not two, among the six connections a browser opens to a host. Compressed as
    it goes: the programme is most of it."""
    require_reader(request)
    room = room_of(request)
    state = room.state  # the plan and the state of one version
    whole = encode(room.envelope(state))
    held = room.held(state)  # what the deltas after it build on: the page holds that
    text = f'{{"programme":{room.plan.json(state)},"state":{whole},"held":{held or "null"}}}'
    response = web.Response(text=text, content_type="application/json")
    response.headers["Vary"] = "Accept-Encoding"
    if assets.accepts_gzip(request.headers.get("Accept-Encoding")):  # by its q-values
        response.enable_compression(web.ContentCoding.gzip)
    return response


async def json_body(request: web.Request) -> object:
    if request.content_length is not None and request.content_length > MAX_FRAME:
        raise InvalidInput(f"the body is over {MAX_FRAME} bytes; send one command at a time")
    raw = await request.content.read(MAX_FRAME + 1)
    if len(raw) > MAX_FRAME:
        raise InvalidInput(f"the body is over {MAX_FRAME} bytes; send one command at a time")
    try:
        data = json.loads(raw)
        lone_surrogate = has_lone_surrogate(data)
    except (ValueError, RecursionError):
        raise InvalidInput("the body is not JSON; send a JSON object with an 'action'") from None
    if lone_surrogate:
        raise InvalidInput(LONE_SURROGATE)
    return data


async def json_object(request: web.Request, fields: frozenset[str]) -> dict[str, Any]:
    """The body as a JSON object of (some of) ``fields``; ``InvalidInput`` for anything else."""
    body = await json_body(request)
    if not isinstance(body, dict):
        raise InvalidInput(f"the body must be a JSON object with {', '.join(sorted(fields))}")
    unknown = set(body) - fields
    if unknown:
        raise InvalidInput(
            f"unknown field(s) {', '.join(sorted(unknown))}; send only {', '.join(sorted(fields))}"
        )
    return body


async def commands(request: web.Request) -> web.Response:
    """``POST /api/commands``; commands refused at the door (no token, malformed), before
    any room sees them, are counted."""
    try:
        return await _command(request)
    except PodiumError as exc:
        if exc.code in ("unauthorized", "invalid"):
            room = request.query.get("room") or next(iter(request.app[ROOMS]))
            request.app[METRICS].refused(room, exc.code)
        raise


def _commanding(request: web.Request) -> str:
    """A moderator's command over HTTP, within the per-address limit: the address."""
    request.app[TOKENS].require_moderator(bearer(request))
    peer = request.remote or "?"
    if not request.app[POLICY].allow_http_command(peer):
        raise RateLimited("too many commands from your address; wait a few seconds")
    return peer


async def _command(request: web.Request) -> web.Response:
    peer = _commanding(request)
    room = room_of(request)
    command = parse_command(await json_body(request))
    done = await room.execute(command, actor=f"http:{peer}")
    body = room.envelope(done.state)
    if done.repeated:
        body["repeated"] = {"command_id": command.command_id, "version": done.version}
    return web.json_response(body)


# -- the programme file beside the running plan (moderators) ------------------------------

RELOAD_FIELDS = ("expected_version", "command_id", "actor")  # what a reload's body may say


async def programme_file(request: web.Request) -> web.Response:
    """``GET /api/programme/file``: how the file differs from the plan the room last took."""
    request.app[TOKENS].require_moderator(bearer(request))
    room = room_of(request)
    return web.json_response(await room.plan.changes(room.state))


async def reload(request: web.Request) -> web.Response:
    """Answers ``{"version", "changes", "summary"}``: what the reload changed in the
    running plan. A file ``podium check`` refuses, or a change the plan's commands would
    refuse (the live speaker or session removed), changes nothing (422, saying why)."""
    peer = _commanding(request)
    room = room_of(request)
    body = await json_body(request) if request.can_read_body else {}
    if not isinstance(body, dict) or set(body) - set(RELOAD_FIELDS):
        raise InvalidInput(f"a reload's body is a JSON object with at most {RELOAD_FIELDS}")
    done = await room.execute(parse_command({**body, "action": "reload"}), actor=f"http:{peer}")
    change = done.state.last_change
    edits = list(change.edits or ()) if change is not None and not done.repeated else []
    summary = change.summary if change is not None else ""
    return web.json_response({"version": done.version, "changes": edits, "summary": summary})


def unready(app: web.Application) -> str | None:
    """Why this process cannot apply a command or hear changes now, or None: it can."""
    if app[STOPPING].is_set():
        return "the process is shutting down"
    store = next(iter(app[ROOMS].values())).store
    late = store.pulse.problem(time.monotonic()) if store.pulse is not None else None
    return late or store.unheard()


async def readyz(request: web.Request) -> web.Response:
    why = unready(request.app)
    body: dict[str, object] = {"ready": why is None}
    if why is not None and may_read(request):  # a private event tells strangers no more
        body["why"] = why
    return web.json_response(body, status=200 if why is None else 503)


async def page(request: web.Request) -> web.FileResponse:
    return assets.page(request, PAGES[request.path])


def add_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/api/access", access)
    app.router.add_get("/api/rooms", rooms_index)
    app.router.add_get("/api/programme", programme)
    app.router.add_get("/api/state", state)
    app.router.add_get("/api/first", first)
    app.router.add_post("/api/commands", commands)
    app.router.add_get("/api/programme/file", programme_file)
    app.router.add_post("/api/programme/reload", reload)
    for path in PAGES:
        app.router.add_get(path, page)

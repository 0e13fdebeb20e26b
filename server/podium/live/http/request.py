"""What every route reads from the app and the request: the app's keys (``create_app``
sets them all), the handler type,
the room a request asks for (``?room=``) and whether it may read."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

from podium.core.errors import InvalidInput, NotFound
from podium.live.access.auth import Tokens
from podium.live.access.bearer import read_token
from podium.live.access.guard import Guard
from podium.live.access.policy import Policy
from podium.live.http.metrics import Metrics
from podium.live.rooms.captions import CaptionBook
from podium.live.rooms.outbound.automations import Automations
from podium.live.rooms.questions import QuestionBook
from podium.live.rooms.readiness import Readiness
from podium.live.rooms.room import Room

ROOMS = web.AppKey("rooms", dict[str, Room])
TOKENS = web.AppKey("tokens", Tokens)
POLICY = web.AppKey("policy", Policy)
GUARD = web.AppKey("guard", Guard)  # set by ``serve``: the connection guard's counts
METRICS = web.AppKey("metrics", Metrics)
STOPPING = web.AppKey("stopping", asyncio.Event)  # set when the process starts to stop
READINESS = web.AppKey("readiness", dict[str, Readiness])
QUESTIONS = web.AppKey("questions", dict[str, QuestionBook])
AUTOMATIONS = web.AppKey("automations", dict[str, Automations])
CAPTIONS = web.AppKey("captions", dict[str, CaptionBook])

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def room_of(request: web.Request) -> Room:
    rooms = request.app[ROOMS]
    room_id = request.query.get("room")
    if room_id is None:
        return next(iter(rooms.values()))
    room = rooms.get(room_id)
    if room is None:
        # the room ids are event data: on a private event, only for those who may read it
        listed = f"; rooms here: {', '.join(rooms)}" if may_read(request) else ""
        raise NotFound(f"no room {room_id!r}{listed}")
    return room


def may_read(request: web.Request) -> bool:
    return request.app[TOKENS].may_read(read_token(request))


def require_reader(request: web.Request) -> None:
    request.app[TOKENS].require_reader(read_token(request))


def format_of(request: web.Request, formats: tuple[str, ...], default: str = "json") -> str:
    """``?format=``, one of ``formats`` (``default`` when not given)."""
    fmt = request.query.get("format", default)
    if fmt not in formats:
        raise InvalidInput(f"unknown format {fmt!r}; use one of: {', '.join(formats)}")
    return fmt

"""The aiohttp application: a thin shell over rooms. ``create_app`` builds everything in
one place: the app's keys (``request.py``), what each room has beside its state (its
question book, its captions, the speakers' readiness, its automations, the SSE hub), the middleware
(``middleware.py``), the routes (``routes.py``, ``assets.py``, ``websocket.py``,
``integrations.py``, ``speakers.py``, ``branding.py``, ``question_routes.py``,
``caption_routes.py``) and what
runs in the background for the app's life (``lifecycle.py``)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from podium.core.commands import Command
from podium.core.state import State
from podium.core.wire.client import MAX_FRAME
from podium.live.access.auth import Tokens
from podium.live.access.policy import Policy
from podium.live.http import (
    assets,
    branding,
    caption_routes,
    integrations,
    lifecycle,
    proxied,
    question_routes,
    routes,
    speakers,
    websocket,
)
from podium.live.http.connection import CONNECTIONS
from podium.live.http.metrics import Metrics
from podium.live.http.middleware import PAGE_CSP, errors_and_headers, page_csp
from podium.live.http.request import (
    AUTOMATIONS,
    CAPTIONS,
    METRICS,
    POLICY,
    QUESTIONS,
    READINESS,
    ROOMS,
    STOPPING,
    TOKENS,
)
from podium.live.rooms.captions import CaptionBook
from podium.live.rooms.hub import Hub
from podium.live.rooms.outbound.automations import Automations
from podium.live.rooms.questions import QuestionBook
from podium.live.rooms.readiness import Readiness
from podium.live.rooms.room import Room


def create_app(
    rooms: list[Room], tokens: Tokens, web_files: Path, policy: Policy | None = None
) -> web.Application:
    """``web_files``: the pages' files, prepared by ``assets.prepare``."""
    app = web.Application(middlewares=[errors_and_headers], client_max_size=MAX_FRAME)
    app[ROOMS] = {room.id: room for room in rooms}
    app[TOKENS] = tokens
    app[POLICY] = policy or Policy()
    proxied.add_middleware(app)  # inside errors_and_headers: its refusals are answered
    app[PAGE_CSP] = page_csp([room.programme for room in rooms])
    app[STOPPING] = asyncio.Event()
    app[CONNECTIONS] = set()
    streams = {room.id: Hub() for room in rooms}  # the SSE clients of each room
    app[METRICS] = metrics = Metrics(app[ROOMS].values(), streams.__getitem__)
    # this process among those sharing a store, made with its app (not at import: a
    # process forked from one that imported the package must not share its parent's id)
    process = secrets.token_hex(6)
    app[AUTOMATIONS] = {room.id: Automations(room, process, metrics.automation) for room in rooms}
    app[READINESS] = {room.id: Readiness(room, process) for room in rooms}
    _know_speakers(app)
    for room in rooms:  # a speaker added on the day gets a link, one removed loses it
        room.state_observers.append(_replanned(app, room))
    app[QUESTIONS] = {room.id: QuestionBook(room) for room in rooms}
    app[CAPTIONS] = {room.id: CaptionBook(room, process) for room in rooms}
    for room in rooms:  # a reload's sessions from the file, a shown question's text and
        room.prepare = _preparing(room, app[QUESTIONS][room.id])  # name: in before it applies

    app.cleanup_ctx.append(lifecycle.checking)
    app.cleanup_ctx.append(lifecycle.automating)
    app.cleanup_ctx.append(lifecycle.sharing_readiness)
    app.cleanup_ctx.append(lifecycle.keeping_questions)
    app.cleanup_ctx.append(lifecycle.captioning)
    app.cleanup_ctx.append(lifecycle.advancing)
    app.cleanup_ctx.append(websocket.watching_tokens)
    app.cleanup_ctx.append(websocket.beating)
    app.on_shutdown.append(lifecycle.stopping)

    routes.add_routes(app)
    assets.add_routes(app, web_files)
    websocket.add_routes(app)
    integrations.add_routes(app, streams)
    speakers.add_routes(app)
    branding.add_routes(app)
    question_routes.add_routes(app)
    caption_routes.add_routes(app)
    return app


def _preparing(room: Room, book: QuestionBook) -> Callable[[Command, State], Awaitable[Command]]:
    """``Room.prepare``: what a command names, filled in from the room's other data (the
    programme file for a reload, the questions for show_question and undo)."""

    async def prepare(command: Command, state: State) -> Command:
        return await book.prepare(await room.plan.prepare(command), state)

    return prepare


def _know_speakers(app: web.Application) -> None:
    """The speakers whose links the server answers: every room's, as its plan stands."""
    app[TOKENS].know_speakers({rid: r.ids for rid, r in app[READINESS].items()})


def _replanned(app: web.Application, room: Room) -> Callable[[State], None]:
    """A state observer for when the plan changes: the speakers' links signed again, and
    the moderators' readiness pushed with the speakers as the plan now has them."""
    seen = [room.state.plan_revision]

    def observe(state: State) -> None:
        if state.plan_revision != seen[0]:
            seen[0] = state.plan_revision
            _know_speakers(app)
            app[READINESS][room.id].changed()

    return observe

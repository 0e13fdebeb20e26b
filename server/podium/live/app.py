"""The aiohttp application: a thin shell over rooms. ``create_app`` puts together the
middleware (``middleware.py``), the HTTP routes (``routes.py``), the WebSocket
(``websocket.py``), the routes for the tools around the live hour
(``integrations.py``), the speakers' links and readiness (``speakers.py``) and the
audience's questions (``question_routes.py``)."""

from __future__ import annotations

from aiohttp import web

from podium.core.protocol import MAX_FRAME
from podium.live import integrations, question_routes, routes, speakers, websocket
from podium.live.auth import Tokens
from podium.live.middleware import errors_and_headers
from podium.live.policy import Policy
from podium.live.request import POLICY, ROOMS, TOKENS
from podium.live.room import Room


def create_app(rooms: list[Room], tokens: Tokens, policy: Policy | None = None) -> web.Application:
    app = web.Application(middlewares=[errors_and_headers], client_max_size=MAX_FRAME)
    app[ROOMS] = {room.id: room for room in rooms}
    app[TOKENS] = tokens
    app[POLICY] = policy or Policy()
    routes.add_routes(app)
    websocket.add_routes(app)
    integrations.add_routes(app)
    speakers.add_routes(app)
    question_routes.add_routes(app)
    return app

"""The aiohttp application: a thin shell over rooms. ``create_app`` puts together the
middleware (``middleware.py``), the HTTP routes (``routes.py``), the store's active
health check and ``/readyz`` (``health.py``), the pages' files,
compressed and cached (``assets.py``), the WebSocket (``websocket.py``), the routes for
the tools around the live hour (``integrations.py``), the speakers' links and readiness
(``speakers.py``), the automations (``automations.py``), the event's logo
(``branding.py``) and the audience's questions (``question_routes.py``)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from podium.core.protocol import MAX_FRAME
from podium.live.access.auth import Tokens
from podium.live.access.policy import Policy
from podium.live.http import (
    assets,
    branding,
    integrations,
    question_routes,
    routes,
    speakers,
    websocket,
)
from podium.live.http.middleware import PAGE_CSP, errors_and_headers, page_csp
from podium.live.http.request import POLICY, ROOMS, TOKENS
from podium.live.rooms import automations, health
from podium.live.rooms.room import Room


def create_app(
    rooms: list[Room], tokens: Tokens, web_files: Path, policy: Policy | None = None
) -> web.Application:
    """``web_files``: the pages' files, prepared by ``assets.prepare``."""
    app = web.Application(middlewares=[errors_and_headers], client_max_size=MAX_FRAME)
    app[ROOMS] = {room.id: room for room in rooms}
    app[TOKENS] = tokens
    app[POLICY] = policy or Policy()
    app[PAGE_CSP] = page_csp([room.programme for room in rooms])
    routes.add_routes(app)
    health.add_routes(app)
    assets.add_routes(app, web_files)
    websocket.add_routes(app)
    integrations.add_routes(app)
    automations.set_up(app, app[integrations.METRICS].automation)
    speakers.add_routes(app)
    branding.add_routes(app)
    question_routes.add_routes(app)
    return app

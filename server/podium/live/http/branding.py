"""The event's logo (``[event.branding]``), served as a static file to anyone: its type
from the programme's check, ``nosniff``, and for an SVG a policy under which it runs
nothing (no script, sandboxed) even when opened by itself. Pages show it with ``<img>``.
The logo is public on a private event too: an ``<img>`` sends no bearer token, and a
logo is not event data (docs/security.md)."""

from __future__ import annotations

from aiohttp import web

from podium.core.config.branding import Branding
from podium.core.errors import NotFound
from podium.live.http.request import ROOMS

LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def _branding(request: web.Request) -> Branding:
    room = request.app[ROOMS].get(request.match_info["room"])
    look = room.programme.event.branding if room else None
    if look is None or look.logo_path.suffix.lower() != f".{request.match_info['ext']}":
        raise NotFound("no such logo; /api/programme names the event's logo under branding")
    return look


async def logo(request: web.Request) -> web.FileResponse:
    look = _branding(request)
    response = web.FileResponse(look.logo_path)
    response.content_type = look.logo_type
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = LOGO_CSP
    response.headers["Cache-Control"] = "no-cache"  # revalidated: a new logo shows on reload
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_get(r"/branding/{room}/logo.{ext:svg|png}", logo)

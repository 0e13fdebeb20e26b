"""The speakers' side of the server: each speaker's link (``/speaker`` with a token of
their own in the fragment), its QR code, the page's own check of its token, the
readiness the moderators read and set, and each speaker's script.

A speaker's token opens that speaker's page, readiness and script only: no commands, no
other speaker's readiness or script, no moderator endpoint. A script is read by its
speaker, the moderators and the interpreters' booth, nobody else.
"""

from __future__ import annotations

import asyncio
import io
from urllib.parse import quote

import segno
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from podium.core.config.languages import SCRIPT_TYPES
from podium.core.errors import Forbidden, InvalidInput, NotFound, Unauthorized, invalid_input
from podium.live.access.auth import speaker_token
from podium.live.access.bearer import bearer
from podium.live.http.request import POLICY, READINESS, TOKENS, room_of
from podium.live.http.routes import json_body
from podium.live.rooms.room import Room

NOT_A_SPEAKER_LINK = (
    "this speaker link is not valid (any more): it was mistyped, or the organiser made new"
    " links; ask them for your current link"
)


class Mark(BaseModel):
    """``POST /api/readiness``: a moderator marks a speaker present (or no longer)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    speaker_id: str = Field(max_length=64)
    ready: bool


def public_origin(request: web.Request) -> str:
    """Where people reach this server: ``--public-url``, else as this request came."""
    return request.app[POLICY].public_origin or f"{request.scheme}://{request.host}"


def speaker_url(request: web.Request, room: Room, speaker_id: str) -> str:
    key = request.app[TOKENS].speaker_key
    if key is None:
        raise InvalidInput(
            "this server has no speaker key, so no speaker links; start it with a data dir"
            " (it makes DATA/speaker.key) or set PODIUM_SPEAKER_KEY"
        )
    token = speaker_token(key, room.id, speaker_id)
    return f"{public_origin(request)}/speaker?room={quote(room.id)}#token={token}"


def _moderators_room(request: web.Request) -> Room:
    request.app[TOKENS].require_moderator(bearer(request))
    return room_of(request)


async def links(request: web.Request) -> web.Response:
    """``GET /api/speakers/links?room=ID`` (moderator): every speaker's link."""
    room = _moderators_room(request)
    return web.json_response(
        [
            {"speaker_id": sp.id, "url": speaker_url(request, room, sp.id)}
            for session in room.programme.sessions
            for sp in session.speakers
        ]
    )


async def qr_code(request: web.Request) -> web.Response:
    """``GET /api/speakers/qr?room=ID&speaker_id=X`` (moderator): the link as a QR code
    (SVG), for a speaker in the room to open on their phone."""
    room = _moderators_room(request)
    speaker_id = request.query.get("speaker_id", "")
    if room.programme.find_speaker(speaker_id) is None:
        raise NotFound(f"no speaker {speaker_id!r} in {room.id!r}; see GET /api/programme")
    return qr_svg(speaker_url(request, room, speaker_id), speaker_id)  # no-store: a token


def qr_svg(url: str, title: str, cache: str = "no-store") -> web.Response:
    """``url`` as a QR code (SVG)."""
    code = segno.make(url, error="m")
    svg = io.BytesIO()
    code.save(svg, kind="svg", scale=4, border=2, xmldecl=False, title=title)
    response = web.Response(body=svg.getvalue(), content_type="image/svg+xml")
    response.headers["Cache-Control"] = cache
    return response


async def whoami(request: web.Request) -> web.Response:
    """``GET /api/speakers/me?room=ID`` with a speaker's token: whose link it is. A wrong
    or replaced token is refused with what to do."""
    found = request.app[TOKENS].speaker_of(bearer(request))
    if found is None:
        raise Unauthorized(NOT_A_SPEAKER_LINK)
    room = room_of(request)
    if found[0] != room.id:
        raise Forbidden(f"this speaker link is for {found[0]!r}, not {room.id!r}; open it as sent")
    return web.json_response({"room": room.id, "speaker_id": found[1]})


async def readiness(request: web.Request) -> web.Response:
    """``GET /api/readiness?room=ID`` (moderator)."""
    room = _moderators_room(request)
    return web.json_response({"speakers": request.app[READINESS][room.id].snapshot()})


async def mark(request: web.Request) -> web.Response:
    """``POST /api/readiness?room=ID`` ``{"speaker_id", "ready"}`` (moderator)."""
    room = _moderators_room(request)
    try:
        given = Mark.model_validate(await json_body(request))
    except ValidationError as exc:
        raise invalid_input(exc, "readiness") from None
    registry = request.app[READINESS][room.id]
    registry.mark(given.speaker_id, given.ready)
    return web.json_response({"speakers": registry.snapshot()})


async def script(request: web.Request) -> web.Response:
    """``GET /api/speakers/{id}/script?room=ID``: the speaker's script as written (Markdown
    or text), to that speaker's own link, a moderator and the booth; 401/403 to others."""
    room = room_of(request)
    speaker_id = request.match_info["speaker_id"]
    request.app[TOKENS].require_script_reader(bearer(request), room.id, speaker_id)
    found = room.programme.find_speaker(speaker_id)
    if found is None:
        raise NotFound(f"no speaker {speaker_id!r} in {room.id!r}; see GET /api/programme")
    session, index = found
    path = session.speakers[index].script_path
    if path is None:
        raise NotFound(f"{speaker_id!r} has no script; add script = \"scripts/FILE.md\" to"
                       " the speaker in the programme file")  # fmt: skip
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise NotFound(f"the script file of {speaker_id!r} is gone or changed since the"
                       " programme was loaded; check it with podium check and restart"
                       ) from None  # fmt: skip
    response = web.Response(text=text, content_type=SCRIPT_TYPES[path.suffix.lower()])
    response.headers["Cache-Control"] = "no-store"  # not for shared caches
    return response


def add_routes(app: web.Application) -> None:
    """The speakers' routes, on the app ``app.create_app`` builds."""
    app.router.add_get("/api/speakers/links", links)
    app.router.add_get("/api/speakers/qr", qr_code)
    app.router.add_get("/api/speakers/me", whoami)
    app.router.add_get("/api/speakers/{speaker_id}/script", script)
    app.router.add_get("/api/readiness", readiness)
    app.router.add_post("/api/readiness", mark)

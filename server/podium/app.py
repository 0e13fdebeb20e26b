"""HTTP and WebSocket routes (aiohttp): a thin shell over rooms.

Every error leaves as JSON ``{"error": {"code", "message"}}`` (HTTP) or an ``error``
message (WebSocket); no traceback ever reaches a client.
"""

from __future__ import annotations

import json
import logging
import weakref
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from podium import engine
from podium.auth import Tokens
from podium.errors import Forbidden, InvalidInput, NotFound, PodiumError, Unauthorized
from podium.hub import Client
from podium.protocol import MAX_FRAME, AuthIn, CommandIn, PingIn, encode, parse_client
from podium.report_html import STYLE_HASH as REPORT_STYLE
from podium.room import Room

log = logging.getLogger("podium.app")

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
PAGES = {"/": "index.html", "/console": "console.html", "/viewer": "viewer.html",
         "/screen": "screen.html", "/overlay": "overlay.html"}  # fmt: skip
HEARTBEAT_S = 20.0

ROOMS = web.AppKey("rooms", dict[str, Room])
TOKENS = web.AppKey("tokens", Tokens)
SOCKETS = web.AppKey("sockets", weakref.WeakSet[web.WebSocketResponse])

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CSP = (
    f"default-src 'self'; script-src 'self'; style-src 'self' {REPORT_STYLE}; img-src 'self' data:;"
    " connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'"
)


def _error_response(error: PodiumError) -> web.Response:
    return web.json_response({"error": error.to_dict()}, status=error.http_status)


@web.middleware
async def errors_and_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except PodiumError as exc:
        response = _error_response(exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        response = web.json_response(
            {"error": {"code": "http", "message": exc.reason.lower()}}, status=exc.status
        )
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        response = web.json_response(
            {"error": {"code": "internal", "message": "internal error; see the server log"}},
            status=500,
        )
    if not response.prepared:
        ancestors = "*" if request.path == "/overlay" else "'none'"
        response.headers.setdefault(
            "Content-Security-Policy", f"{CSP}; frame-ancestors {ancestors}"
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


def room_of(request: web.Request) -> Room:
    rooms = request.app[ROOMS]
    room_id = request.query.get("room")
    if room_id is None:
        return next(iter(rooms.values()))
    room = rooms.get(room_id)
    if room is None:
        raise NotFound(f"no room {room_id!r}; rooms here: {', '.join(rooms)}")
    return room


def bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


async def healthz(request: web.Request) -> web.Response:
    rooms = request.app[ROOMS]
    store = next(iter(rooms.values())).store.health()
    return web.json_response(
        {
            "status": "ok" if store["status"] == "ok" else "degraded",
            "store": store,
            "rooms": {
                rid: {"version": r.state.version, "clients": len(r.hub)} for rid, r in rooms.items()
            },
        }
    )


async def rooms_index(request: web.Request) -> web.Response:
    return web.json_response(
        [{"id": r.id, "title": r.programme.event.title} for r in request.app[ROOMS].values()]
    )


async def programme(request: web.Request) -> web.Response:
    room = room_of(request)
    return web.json_response(room.programme.public_dict(room.state.plan_date))


async def state(request: web.Request) -> web.Response:
    return web.json_response(room_of(request).envelope())


async def _json_body(request: web.Request) -> object:
    if request.content_length is not None and request.content_length > MAX_FRAME:
        raise InvalidInput(f"the body is over {MAX_FRAME} bytes; send one command at a time")
    raw = await request.content.read(MAX_FRAME + 1)
    if len(raw) > MAX_FRAME:
        raise InvalidInput(f"the body is over {MAX_FRAME} bytes; send one command at a time")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidInput("the body is not JSON; send a JSON object with an 'action'") from None


async def commands(request: web.Request) -> web.Response:
    request.app[TOKENS].require_moderator(bearer(request))
    room = room_of(request)
    command = engine.parse_command(await _json_body(request))
    peer = request.remote or "?"
    await room.execute(command, actor=f"http:{peer}")
    return web.json_response(room.envelope())


async def page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(WEB_DIR / PAGES[request.path])


# -- the WebSocket --------------------------------------------------------------------------


class Connection:
    """One WebSocket client: its role, and the answers to what it sends."""

    def __init__(self, ws: web.WebSocketResponse, room: Room, tokens: Tokens, peer: str) -> None:
        self.ws = ws
        self.room = room
        self.tokens = tokens
        self.peer = peer
        self.role = "viewer"

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send_str(encode(message))

    async def error(self, error: PodiumError, msg_id: str | int | None = None) -> None:
        await self.send({"type": "error", "id": msg_id, **error.to_dict()})

    async def handle(self, text: str) -> None:
        try:
            message = parse_client(text)
        except InvalidInput as exc:
            await self.error(exc)
            return
        if isinstance(message, PingIn):
            await self.send({"type": "pong", "t0": message.t0, "server_time": self.room.clock()})
        elif isinstance(message, AuthIn):
            await self.auth(message)
        else:
            await self.command(message)

    async def auth(self, message: AuthIn) -> None:
        role = self.tokens.role_of(message.token)
        if role is None:
            await self.error(Unauthorized("that token is not valid here; check it and try again"))
            return
        self.role = role
        await self.send({"type": "auth_ok", "role": role})

    async def command(self, message: CommandIn) -> None:
        if self.role != "moderator":
            forbidden = Forbidden("only moderators send commands; authenticate first")
            await self.error(forbidden, message.id)
            return
        try:
            command = engine.parse_command(message.command)
            new = await self.room.execute(command, actor=f"ws:{self.peer}")
        except PodiumError as exc:
            await self.error(exc, message.id)
            return
        await self.send({"type": "ack", "id": message.id, "version": new.version})


async def websocket(request: web.Request) -> web.WebSocketResponse:
    room = room_of(request)
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_S, compress=False, max_msg_size=MAX_FRAME)
    await ws.prepare(request)
    transport = request.transport
    if transport is None:
        return ws
    request.app[SOCKETS].add(ws)
    client = Client(transport=transport, kind=request.query.get("client", "viewer")[:16])
    room.hub.add(client, room.snapshot_frame)
    conn = Connection(ws, room, request.app[TOKENS], request.remote or "?")
    try:
        async for msg in ws:
            if msg.type is WSMsgType.TEXT:
                await conn.handle(msg.data)
                client.role = conn.role
            elif msg.type is WSMsgType.BINARY:
                await conn.error(InvalidInput("binary frames are not understood; send JSON text"))
    finally:
        room.hub.discard(client)
    return ws


async def _going_away(app: web.Application) -> None:
    for ws in list(app[SOCKETS]):
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server restarting")


def create_app(rooms: list[Room], tokens: Tokens) -> web.Application:
    app = web.Application(middlewares=[errors_and_headers], client_max_size=MAX_FRAME)
    app[ROOMS] = {room.id: room for room in rooms}
    app[TOKENS] = tokens
    app[SOCKETS] = weakref.WeakSet()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/api/rooms", rooms_index)
    app.router.add_get("/api/programme", programme)
    app.router.add_get("/api/state", state)
    app.router.add_post("/api/commands", commands)
    app.router.add_get("/ws", websocket)
    for path in PAGES:
        app.router.add_get(path, page)
    app.router.add_static("/assets/", WEB_DIR, follow_symlinks=False)
    app.on_shutdown.append(_going_away)
    from podium.integrations import add_routes  # its routes build on this module's

    add_routes(app)
    return app

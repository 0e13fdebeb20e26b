"""HTTP and WebSocket routes (aiohttp): a thin shell over rooms.

Every error leaves as JSON ``{"error": {"code", "message"}}`` (HTTP) or an ``error``
message (WebSocket); no traceback ever reaches a client.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from podium.core import engine
from podium.core.errors import (
    Forbidden,
    InvalidInput,
    InvariantBroken,
    NotFound,
    PodiumError,
    RateLimited,
    Unauthorized,
)
from podium.core.protocol import (
    LONE_SURROGATE,
    MAX_FRAME,
    AuthIn,
    CommandIn,
    InvalidMessage,
    PingIn,
    ReadyIn,
    encode,
    has_lone_surrogate,
    parse_client,
)
from podium.live import diagnostics
from podium.live.access import Policy, bearer, read_token
from podium.live.auth import Tokens
from podium.live.guard import Guard
from podium.live.hub import PING_FRAME, Client
from podium.live.ratelimit import Bucket
from podium.live.readiness import READINESS, Readiness
from podium.live.room import Room
from podium.report.html import STYLE_HASH as REPORT_STYLE

log = logging.getLogger("podium.live.app")

WEB_DIR = Path(__file__).resolve().parents[3] / "web"
PAGES = {"/": "index.html", "/console": "console.html", "/viewer": "viewer.html",
         "/screen": "screen.html", "/overlay": "overlay.html"}  # fmt: skip
TOKEN_REVOKED = 4001  # WebSocket close code: the token this connection used was rotated
TOKEN_POLL_S = 1.0
SEND_BUFFER = 64 * 1024  # per WebSocket or SSE client in the kernel; Linux doubles it

ROOMS = web.AppKey("rooms", dict[str, Room])
TOKENS = web.AppKey("tokens", Tokens)
POLICY = web.AppKey("policy", Policy)
CONNECTIONS = web.AppKey("connections", set["Connection"])
HEARTBEATS = web.AppKey("heartbeats", asyncio.Task[None])
WATCHER = web.AppKey("token_watcher", asyncio.Task[None])
GUARD = web.AppKey("guard", Guard)  # set by ``serve``: the connection guard's counts

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CSP = (
    f"default-src 'self'; script-src 'self'; style-src 'self' {REPORT_STYLE}; img-src 'self' data:;"
    " connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'"
)


def _log_if_bug(error: PodiumError, where: str) -> None:
    """A broken invariant is a bug of ours: the client gets its message, the log the trace."""
    if isinstance(error, InvariantBroken):
        log.error("a broken invariant on %s: %s", where, error.message, exc_info=error)


def _error_response(error: PodiumError) -> web.Response:
    response = web.json_response({"error": error.to_dict()}, status=error.http_status)
    if isinstance(error, RateLimited):
        response.headers["Retry-After"] = "10"
    return response


@web.middleware
async def errors_and_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except PodiumError as exc:
        _log_if_bug(exc, f"{request.method} {request.path}")
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
        # the room ids are event data: on a private event, only for those who may read it
        listed = f"; rooms here: {', '.join(rooms)}" if _may_read(request) else ""
        raise NotFound(f"no room {room_id!r}{listed}")
    return room


def _may_read(request: web.Request) -> bool:
    return request.app[TOKENS].may_read(read_token(request))


async def healthz(request: web.Request) -> web.Response:
    rooms = request.app[ROOMS]
    store = next(iter(rooms.values())).store.health()
    status = "ok" if store["status"] == "ok" else "degraded"
    if not _may_read(request):  # a private event tells strangers only whether it is up
        return web.json_response({"status": status})
    return web.json_response(
        {
            "status": status,
            "store": store,
            "rooms": {
                rid: {"version": r.state.version, "clients": len(r.hub), "dropped": r.hub.dropped}
                for rid, r in rooms.items()
            },
            "connections": len(request.app[CONNECTIONS]),
            "sockets": guard.stats() if (guard := request.app.get(GUARD)) else None,
            "process": diagnostics.process_stats(),
        }
    )


async def access(request: web.Request) -> web.Response:
    """What a page needs to know before it asks for data: is a viewer token needed?"""
    return web.json_response({"private": request.app[TOKENS].private})


async def rooms_index(request: web.Request) -> web.Response:
    request.app[TOKENS].require_reader(read_token(request))
    return web.json_response(
        [{"id": r.id, "title": r.programme.event.title} for r in request.app[ROOMS].values()]
    )


async def programme(request: web.Request) -> web.Response:
    request.app[TOKENS].require_reader(read_token(request))
    room = room_of(request)
    return web.json_response(room.programme.public_dict(room.state.day))


async def state(request: web.Request) -> web.Response:
    request.app[TOKENS].require_reader(read_token(request))
    return web.json_response(room_of(request).envelope())


async def _json_body(request: web.Request) -> object:
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


async def commands(request: web.Request) -> web.Response:
    request.app[TOKENS].require_moderator(bearer(request))
    peer = request.remote or "?"
    if not request.app[POLICY].allow_http_command(peer):
        raise RateLimited("too many commands from your address; wait a few seconds")
    room = room_of(request)
    command = engine.parse_command(await _json_body(request))
    done = await room.execute(command, actor=f"http:{peer}")
    body = room.envelope(done.state)
    if done.repeated:
        body["repeated"] = {"command_id": command.command_id, "version": done.version}
    return web.json_response(body)


async def page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(WEB_DIR / PAGES[request.path])


# -- the WebSocket --------------------------------------------------------------------------


class Connection:
    """One WebSocket client: its role, its limits, and the answers to what it sends."""

    def __init__(
        self, ws: web.WebSocketResponse, room: Room, tokens: Tokens, policy: Policy, peer: str
    ) -> None:
        self.ws = ws
        self.transport: asyncio.WriteTransport | None = None  # set by the handler
        self.room = room
        self.tokens = tokens
        self.peer = peer
        self.role = "viewer"
        self.token: str | None = None  # the token it authenticated with, if any
        self.client: Client | None = None  # set once it may read (and gets pushes)
        self.speaker_id: str | None = None  # for a speaker's link: whose
        self.readiness: Readiness | None = None  # set by the handler: moderators and speakers
        self.heard = True  # anything received (a pong, a message) since the last heartbeat
        now = asyncio.get_running_loop().time()
        self._messages = Bucket(policy.limits.messages, now)
        self._commands = Bucket(policy.limits.commands, now)

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send_str(encode(message))

    async def error(self, error: PodiumError, msg_id: str | int | None = None) -> None:
        await self.send({"type": "error", "id": msg_id, **error.to_dict()})

    def join(self, kind: str) -> None:
        """Start pushes: the snapshot now, then every change."""
        if self.client is None and self.transport is not None:
            self.client = Client(transport=self.transport, kind=kind, role=self.role)
            self.room.hub.add(self.client, self.room.snapshot_frame)

    def leave(self) -> None:
        if self.client is not None:
            self.room.hub.discard(self.client)
        if self.readiness is not None:
            self.readiness.left(self)

    def still_valid(self) -> bool:
        """After a token rotation: may this connection go on as it is?"""
        if self.token is None:
            return self.tokens.may_read(None)
        granted = self.tokens.role_of(self.token)
        return granted == "moderator" if self.role == "moderator" else granted is not None

    async def over_limit(self, bucket: Bucket, what: str) -> bool:
        """``True`` (after an error and a close) when this connection sends too much."""
        if bucket.take(asyncio.get_running_loop().time()):
            return False
        rate = bucket.rate
        await self.error(RateLimited(f"too many {what} (limit {rate}); reconnect and slow down"))
        await self.ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"rate limited")
        return True

    async def handle_binary(self) -> None:
        if not await self.over_limit(self._messages, "messages"):
            await self.error(InvalidInput("binary frames are not understood; send JSON text"))

    async def handle(self, text: str, kind: str) -> None:
        if await self.over_limit(self._messages, "messages"):
            return
        try:
            message = parse_client(text)
        except InvalidMessage as exc:
            await self.error(exc, exc.msg_id)
            return
        if isinstance(message, PingIn):
            await self.send({"type": "pong", "t0": message.t0, "server_time": self.room.clock()})
            if self.readiness is not None:
                self.readiness.heard(self, message.rtt_ms)
        elif isinstance(message, ReadyIn):
            await self.ready(message)
        elif isinstance(message, AuthIn):
            await self.auth(message.token, kind)
        else:
            await self.command(message)

    async def auth(self, token: str, kind: str) -> None:
        role = self.tokens.role_of(token)
        if role is None:
            await self.error(Unauthorized("that token is not valid here; check it and try again"))
            return
        speaker = self.tokens.speaker_of(token) if role == "speaker" else None
        if speaker is not None and speaker[0] != self.room.id:
            await self.error(Forbidden(f"this speaker link is for {speaker[0]!r}; open it as sent"))
            return
        if self.readiness is not None:
            self.readiness.left(self)
        self.token = token
        self.role = "screen" if role == "viewer" and kind in ("screen", "overlay") else role
        self.speaker_id = speaker[1] if speaker else None
        whose = {"speaker_id": self.speaker_id} if speaker else {}
        await self.send({"type": "auth_ok", "role": self.role, **whose})
        if self.client is not None:
            self.client.role = self.role
        self.join(kind)
        if self.readiness is not None:
            self.readiness.joined(self)

    async def ready(self, message: ReadyIn) -> None:
        """A speaker's "I'm ready" (or not), answered with an ``ack``."""
        try:
            if self.readiness is None:
                raise Forbidden("readiness is not kept here")
            self.readiness.said(self, message)
        except PodiumError as exc:
            await self.error(exc, message.id)
            return
        await self.send({"type": "ack", "id": message.id, "version": self.room.state.version})

    async def command(self, message: CommandIn) -> None:
        if self.role != "moderator":
            forbidden = Forbidden(
                "a speaker's link sends no commands; the moderator runs the room"
                if self.role == "speaker"
                else "only moderators send commands; authenticate first"
            )
            await self.error(forbidden, message.id)
            return
        if await self.over_limit(self._commands, "commands"):
            return
        try:
            command = engine.parse_command(message.command)
            done = await self.room.execute(command, actor=f"ws:{self.peer}")
        except PodiumError as exc:
            _log_if_bug(exc, f"a WebSocket from {self.peer}")
            await self.error(exc, message.id)
            return
        ack = {"type": "ack", "id": message.id, "version": done.version}
        await self.send({**ack, "repeated": True} if done.repeated else ack)


async def websocket(request: web.Request) -> web.WebSocketResponse:
    room = room_of(request)
    policy = request.app[POLICY]
    peer = request.remote or "?"
    if not policy.origin_allowed(request):
        raise Forbidden(
            f"pages from {request.headers.get('Origin')} may not connect here; the organiser"
            " can allow it with --allow-origin"
        )
    if not policy.allow_connect(peer):
        raise RateLimited("too many new connections from your address; wait a few seconds")
    # no per-connection heartbeat: one pass pings everyone (``heartbeat`` below)
    ws = web.WebSocketResponse(autoping=False, compress=False, max_msg_size=MAX_FRAME)
    await ws.prepare(request)
    kind = request.query.get("client", "viewer")[:16]
    conn = Connection(ws, room, request.app[TOKENS], policy, peer)
    conn.transport = request.transport
    conn.readiness = request.app[READINESS].get(room.id)
    bound_send_buffer(request.transport)
    connections = request.app[CONNECTIONS]
    connections.add(conn)
    try:
        query_token = request.query.get("token")
        if query_token:
            await conn.auth(query_token, kind)
        if conn.tokens.may_read(conn.token):
            conn.join(kind)
        async for msg in ws:
            conn.heard = True
            if msg.type is WSMsgType.TEXT:
                await conn.handle(msg.data, kind)
            elif msg.type is WSMsgType.BINARY:
                await conn.handle_binary()
            elif msg.type is WSMsgType.PING:
                await ws.pong(msg.data)
    except Exception:  # a bug of ours: say so and close, never leave the client hanging
        log.exception("unexpected error on a WebSocket from %s", peer)
        await ws.close(code=WSCloseCode.INTERNAL_ERROR, message=b"internal error")
    finally:
        conn.leave()
        connections.discard(conn)
    return ws


def bound_send_buffer(transport: asyncio.BaseTransport | None) -> None:
    """A fixed send buffer for a pushed-to client (WebSocket or SSE): the kernel would
    otherwise grow it to megabytes for a client that stops reading, before the hub's own
    bound (``max_buffer``) is seen."""
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)


async def _close_all(conns: list[Connection], code: int, message: bytes) -> None:
    await asyncio.gather(*(c.ws.close(code=code, message=message) for c in conns))


def heartbeat(conns: list[Connection]) -> None:
    """One pass over every WebSocket: drop those silent since the previous pass (no pong,
    no message: the peer is gone), and write the same pre-built ping frame to the others.

    aiohttp's own heartbeat keeps two timers and makes a task per connection per ping;
    at 10,000 idle viewers that was 5-6 % of a core (docs/performance.md)."""
    for conn in conns:
        transport = conn.transport
        if transport is None or transport.is_closing():
            continue
        if conn.heard:
            conn.heard = False
            transport.write(PING_FRAME)
        else:
            log.info("dropped a WebSocket from %s: no answer to the last ping", conn.peer)
            transport.abort()


async def _going_away(app: web.Application) -> None:
    await _close_all(list(app[CONNECTIONS]), WSCloseCode.GOING_AWAY, b"server restarting")


async def _watch_tokens(app: web.Application) -> None:
    tokens = app[TOKENS]

    async def watch() -> None:
        while True:
            await asyncio.sleep(TOKEN_POLL_S)
            try:
                changed = tokens.reload()
            except OSError as exc:
                log.warning("cannot read the token files: %s", exc.strerror)
                continue
            if changed:
                revoked = [c for c in app[CONNECTIONS] if not c.still_valid()]
                log.info(
                    "tokens rotated; closing %d connection(s) that used old ones", len(revoked)
                )
                await _close_all(revoked, TOKEN_REVOKED, b"token rotated")

    app[WATCHER] = asyncio.create_task(watch())


async def _start_heartbeats(app: web.Application) -> None:
    interval = app[POLICY].heartbeat_s

    async def beat() -> None:
        while True:
            await asyncio.sleep(interval)
            heartbeat(list(app[CONNECTIONS]))

    if interval > 0:
        app[HEARTBEATS] = asyncio.create_task(beat())


async def _stop_watching(app: web.Application) -> None:
    for task in (app[WATCHER], app.get(HEARTBEATS)):
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def create_app(rooms: list[Room], tokens: Tokens, policy: Policy | None = None) -> web.Application:
    app = web.Application(middlewares=[errors_and_headers], client_max_size=MAX_FRAME)
    app[ROOMS] = {room.id: room for room in rooms}
    app[TOKENS] = tokens
    app[POLICY] = policy or Policy()
    app[CONNECTIONS] = set()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/api/access", access)
    app.router.add_get("/api/rooms", rooms_index)
    app.router.add_get("/api/programme", programme)
    app.router.add_get("/api/state", state)
    app.router.add_post("/api/commands", commands)
    app.router.add_get("/ws", websocket)
    for path in PAGES:
        app.router.add_get(path, page)
    app.router.add_static("/assets/", WEB_DIR, follow_symlinks=False)
    app.on_startup.append(_watch_tokens)
    app.on_startup.append(_start_heartbeats)
    app.on_shutdown.append(_going_away)
    app.on_cleanup.append(_stop_watching)
    from podium.live.integrations import add_routes  # its routes build on this module's
    from podium.live.speakers import add_routes as add_speaker_routes

    add_routes(app)
    add_speaker_routes(app)
    return app

"""The WebSocket (``/ws``): one ``Connection`` per client (``connection.py``), a rolling
heartbeat over all of them, and the closing of those whose token was rotated or whose server
is going away."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import AsyncIterator, Iterable

from aiohttp import WSCloseCode, WSMsgType, web

from podium.core.errors import Forbidden, InvalidInput, RateLimited
from podium.core.wire.client import MAX_FRAME
from podium.live.http.connection import CONNECTIONS, Connection
from podium.live.http.request import CAPTIONS, POLICY, QUESTIONS, READINESS, TOKENS, room_of
from podium.live.rooms.hub import bound_send_buffer
from podium.runtime.frames import PING_FRAME

log = logging.getLogger("podium.live.websocket")

TOKEN_REVOKED = 4001  # WebSocket close code: the token this connection used was rotated
HEARTBEAT_TURN_S = 0.2  # the heartbeat pass is spread over its interval, a turn this often

BEATS = web.AppKey("beats", list[set[Connection]])  # the connections by heartbeat turn


async def websocket(request: web.Request) -> web.WebSocketResponse:
    room = room_of(request)
    policy = request.app[POLICY]
    peer = request.remote or "?"
    if not policy.origin_allowed(request):
        origin = request.headers.get("Origin")
        log.warning(
            "refused a WebSocket from %s: its page is from %s, but pages here are from %s;"
            " behind a proxy, give podium the address viewers open with --public-url"
            " (and let the proxy pass Host with its port), or allow a site with --allow-origin",
            peer,
            origin,
            policy.expected_origins(request),
        )
        raise Forbidden(
            f"pages from {origin} may not connect here; the organiser can name the address"
            " viewers open with --public-url (or allow another site with --allow-origin)"
        )
    full = request.query.get("full", "0")
    if full not in ("0", "1"):
        raise InvalidInput(
            f"full={full[:16]!r} is not understood; leave it out for deltas, or give full=1"
            " for whole states"
        )
    if not policy.allow_connect(peer):
        raise RateLimited("too many new connections from your address; wait a few seconds")
    # no per-connection heartbeat: one rolling pass pings everyone (``heartbeat`` below)
    ws = web.WebSocketResponse(autoping=False, compress=False, max_msg_size=MAX_FRAME)
    await ws.prepare(request)
    kind = request.query.get("client", "viewer")[:16]
    conn = Connection(ws, room, request.app[TOKENS], policy, peer)
    conn.transport = request.transport
    have = request.query.get("have", "")
    conn.have = int(have) if have.isdigit() and len(have) < 16 else None
    conn.full = full == "1"
    conn.readiness = request.app[READINESS].get(room.id)
    conn.questions = request.app[QUESTIONS].get(room.id)
    conn.captions = request.app[CAPTIONS].get(room.id)
    bound_send_buffer(request.transport)
    connections = request.app[CONNECTIONS]
    connections.add(conn)
    beats = request.app.get(BEATS)  # none when the heartbeat is off
    turn = beats[conn.turn % len(beats)] if beats else set()
    turn.add(conn)
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
        turn.discard(conn)
    return ws


async def _close_all(conns: list[Connection], code: int, message: bytes) -> None:
    await asyncio.gather(*(c.ws.close(code=code, message=message) for c in conns))


def heartbeat(conns: Iterable[Connection]) -> None:
    """One pass over these WebSockets: drop those silent since their previous ping (no
    pong, no message: the peer is gone), and write the same pre-built ping frame to the
    others.

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


async def watching_tokens(app: web.Application) -> AsyncIterator[None]:
    """For the app's life: the secrets read again from their keeper every ``poll_s``
    (the token files every second, Redis' copy every half second), and the connections
    that used a rotated token closed."""
    tokens = app[TOKENS]
    keeper = tokens.keeper
    if keeper is None:  # tokens given as they are: nothing to watch
        yield
        return

    async def watch() -> None:
        while True:
            await asyncio.sleep(keeper.poll_s)
            try:
                await keeper.refresh()
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

    task = asyncio.create_task(watch())
    yield
    await _stopped(task)


async def beating(app: web.Application) -> AsyncIterator[None]:
    """Every connection is pinged once per interval, a slice of them every 200 ms (a
    hundredth at the default 20 s): one pass over 10,000 (10,000 pings, then 10,000 pongs
    to read) held up a change that came meanwhile by 0.4-1.6 s, a twentieth of them still
    by 50-250 ms on a loaded machine (docs/performance.md). Each connection is put in its
    slice (``BEATS``) when it opens: picking a slice out of all 10,000 connections five
    times a second was 4 % of the server's time during a question storm."""
    interval = app[POLICY].heartbeat_s
    if interval <= 0:
        yield
        return
    turns = max(1, round(interval / HEARTBEAT_TURN_S))
    beats = app[BEATS] = [set() for _ in range(turns)]

    async def beat() -> None:
        for conns in itertools.cycle(beats):
            await asyncio.sleep(interval / turns)
            heartbeat(conns)  # a connection leaves its slice on a later turn, never in it

    task = asyncio.create_task(beat())
    yield
    await _stopped(task)


async def _stopped(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def add_routes(app: web.Application) -> None:
    app.router.add_get("/ws", websocket)
    app.on_shutdown.append(_going_away)

"""Routes for the tools around the live hour (see docs/integrations.md):

- ``GET /api/state/text?field=...``: one value as plain text, for Stream Deck buttons.
- ``GET /api/events``: Server-Sent Events, the same messages as the WebSocket, read only.
- ``GET /metrics``: Prometheus metrics.
- ``GET /api/report?format=...``: the post-event report (moderators only);
  ``format=questions.csv``: every question of the audience.

The read routes are protected like the read API: open, unless the event is private
(``PODIUM_VIEWER_TOKEN``); then they need the viewer or moderator token as
``Authorization: Bearer`` or, for clients that cannot set headers, ``?token=``.

SSE clients are clients of a second hub per room, fed by the room's hub: each change is
turned into one SSE chunk once and written to every SSE client in one pass, like the
WebSocket frames (``hub.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from aiohttp import web

from podium.core.errors import InvalidInput
from podium.core.timefmt import clock, countdown, countdown_seconds, length
from podium.live.access.bearer import bearer
from podium.live.http.request import (
    AUTOMATIONS,
    METRICS,
    ROOMS,
    TOKENS,
    format_of,
    require_reader,
    room_of,
)
from podium.live.rooms.hub import Change, Client, Hub, Listener, bound_send_buffer
from podium.live.rooms.room import Room
from podium.report.formats import FORMATS, render
from podium.report.html import csp as report_csp
from podium.report.replay import build

KEEPALIVE_S = 15.0
STREAMS = web.AppKey("streams", dict[str, Hub])
CLOSING = web.AppKey("closing", asyncio.Event)


# -- plain-text fields ----------------------------------------------------------------------


def _name(person: dict[str, Any] | None) -> str:
    return person["display_name"] if person else ""


TEXT_FIELDS: dict[str, Callable[[Room, dict[str, Any], int], str]] = {
    "speaker": lambda r, s, now: _name(s["speaker"]),
    "affiliation": lambda r, s, now: (s["speaker"] or {}).get("affiliation", ""),
    "next_speaker": lambda r, s, now: _name(s["next_speaker"]),
    "session": lambda r, s, now: (s["session"] or {}).get("title", ""),
    "remaining": lambda r, s, now: countdown(s["timer"]["remaining_ms"]),
    "remaining_seconds": lambda r, s, now: str(countdown_seconds(s["timer"]["remaining_ms"])),
    "session_remaining": lambda r, s, now: (
        countdown(s["session"]["remaining_ms"]) if s["session"] else ""
    ),
    "timer": lambda r, s, now: s["timer"]["status"],
    "phase": lambda r, s, now: s["phase"],
    "drift": lambda r, s, now: length(s["drift_ms"], signed=True),
    "message": lambda r, s, now: (s["message"] or {}).get("text", ""),
    "clock": lambda r, s, now: clock(now, r.programme.zone),
    "version": lambda r, s, now: str(r.state.version),
}


async def state_text(request: web.Request) -> web.Response:
    require_reader(request)
    room = room_of(request)
    field = request.query.get("field")
    if field is not None and field not in TEXT_FIELDS:
        raise InvalidInput(f"unknown field {field!r}; use one of: {', '.join(TEXT_FIELDS)}")
    now = room.clock()
    state = room.view(now)
    if field is not None:
        text = TEXT_FIELDS[field](room, state, now)
    else:
        text = "\n".join(f"{name}: {get(room, state, now)}" for name, get in TEXT_FIELDS.items())
    return web.Response(text=text, headers={"Cache-Control": "no-store"})


# -- Server-Sent Events -----------------------------------------------------------------------


def sse_chunk(frame: bytes) -> bytes:
    """A server's WebSocket text frame as one SSE event in one HTTP/1.1 chunk."""
    size = frame[1] & 0x7F
    offset = 2 if size < 126 else 4 if size == 126 else 10
    return _chunk(b"data: " + frame[offset:] + b"\n\n")


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


KEEPALIVE = _chunk(b": keepalive\n\n")


def _feed(stream: Hub) -> Listener:
    def forward(change: Change, _seconds: float) -> None:
        if len(stream):  # the whole state: SSE consumers read one event at a time
            stream.publish(Change.same(sse_chunk(change.full)))

    return forward


async def events(request: web.Request) -> web.StreamResponse:
    require_reader(request)
    room = room_of(request)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        }
    )
    response.enable_chunked_encoding()
    await response.prepare(request)
    transport = request.transport
    if transport is None:
        return response
    bound_send_buffer(transport)  # then the hub drops a non-reader, as on the WebSocket
    stream = request.app[STREAMS][room.id]
    client = Client(transport=transport, kind=f"sse:{request.query.get('client', 'viewer')[:12]}")
    stream.add(client, _chunk(b"retry: 2000\n\n") + sse_chunk(room.whole_snapshot))
    closing = request.app[CLOSING]
    try:
        while not transport.is_closing() and not closing.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(closing.wait(), KEEPALIVE_S)
            if not transport.is_closing():
                transport.write(KEEPALIVE)
    finally:
        stream.discard(client)
    return response


async def _close_streams(app: web.Application) -> None:
    app[CLOSING].set()
    for stream in app[STREAMS].values():
        for client in stream.clients():
            client.transport.close()


# -- metrics and the report ----------------------------------------------------------------------


async def metrics(request: web.Request) -> web.Response:
    require_reader(request)
    body = request.app[METRICS].exposition()
    return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4"})


async def automations(request: web.Request) -> web.Response:
    """``GET /api/automations?room=ID``: the room's automations (no secrets) and their last
    deliveries and failures, newest first. Moderators only."""
    request.app[TOKENS].require_moderator(bearer(request))
    room = room_of(request)
    return web.json_response(request.app[AUTOMATIONS][room.id].snapshot())


async def report(request: web.Request) -> web.Response:
    request.app[TOKENS].require_moderator(bearer(request))
    room = room_of(request)
    fmt = format_of(request, FORMATS)
    records = await room.store.read_log(room.id)
    asked = await room.store.load_questions(room.id)
    said = await room.store.load_captions(room.id)
    # a long log takes a while to replay (~80 ms per 1,000 records): off the event loop
    report = await asyncio.to_thread(build, room.programme, records, room.clock(), asked, said)
    text, media = await asyncio.to_thread(render, report, fmt)
    headers = {"Cache-Control": "no-store"}
    if fmt == "html":
        headers["Content-Security-Policy"] = report_csp(room.programme)
    return web.Response(text=text, content_type=media, headers=headers)


def add_routes(app: web.Application, streams: dict[str, Hub]) -> None:
    """Add the integration routes to the app ``app.create_app`` builds, with the SSE hubs
    it made (``streams``, fed by the rooms' hubs here)."""
    app[STREAMS] = streams
    app[CLOSING] = asyncio.Event()
    for room_id, stream in streams.items():
        app[ROOMS][room_id].hub.listeners.append(_feed(stream))
    app.router.add_get("/api/state/text", state_text)
    app.router.add_get("/api/events", events)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/api/report", report)
    app.router.add_get("/api/automations", automations)
    app.on_shutdown.insert(0, _close_streams)

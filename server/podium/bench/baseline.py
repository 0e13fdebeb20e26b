"""The practical limit for ``podium bench --baseline``: a minimal aiohttp broadcast server.

It speaks just enough of Podium's wire protocol for the bench (``snapshot`` on connect,
``auth`` -> ``auth_ok``, ``command`` -> a new ``state`` to everyone, then ``ack``) and has
none of Podium's logic: no programme, no engine, no store, no heartbeats. Each change is
encoded once with the payload it was given and the same frame is written straight to every
connection's transport in one pass. Podium's figures are quoted as ratios to this one.

Run by the bench as ``python -m podium.bench.baseline --port N --state FILE``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import time
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from podium.core.wire.protocol import encode, state_message
from podium.runtime.eventloop import new_runner
from podium.runtime.fdlimit import raise_open_file_limit
from podium.runtime.frames import text_frame


class Broadcast:
    def __init__(self, room: str, state: dict[str, Any]) -> None:
        self.room = room
        self.state = state
        self.version = 0
        self.transports: set[asyncio.Transport] = set()
        self.snapshot = self._frame("snapshot")

    def _frame(self, kind: str) -> bytes:
        now = time.time_ns() // 1_000_000
        return text_frame(state_message(kind, self.room, self.version, now, self.state))

    def change(self) -> int:
        self.version += 1
        frame = self._frame("state")
        self.snapshot = self._frame("snapshot")
        for transport in list(self.transports):
            if transport.is_closing():
                self.transports.discard(transport)
            else:
                transport.write(frame)
        return self.version


BROADCAST = web.AppKey("broadcast", Broadcast)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "clients": len(request.app[BROADCAST].transports)})


async def websocket(request: web.Request) -> web.WebSocketResponse:
    hub = request.app[BROADCAST]
    ws = web.WebSocketResponse(compress=False)
    await ws.prepare(request)
    transport = request.transport
    if transport is None:
        return ws
    transport.write(hub.snapshot)
    hub.transports.add(transport)
    try:
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            if data.get("type") == "auth":
                await ws.send_str(encode({"type": "auth_ok", "role": "moderator"}))
            elif data.get("type") == "command":
                version = hub.change()
                await ws.send_str(encode({"type": "ack", "id": data.get("id"), "version": version}))
    finally:
        hub.transports.discard(transport)
    return ws


async def serve(host: str, port: int, room: str, state: dict[str, Any]) -> None:
    app = web.Application()
    app[BROADCAST] = Broadcast(room, state)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/ws", websocket)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, host, port, backlog=4096).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description="minimal broadcast server (bench baseline)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--room", default="baseline")
    parser.add_argument("--state", type=Path, required=True, help="JSON state to broadcast")
    args = parser.parse_args()
    raise_open_file_limit()
    state = json.loads(args.state.read_text())
    with new_runner() as runner:
        runner.run(serve(args.host, args.port, args.room, state))


if __name__ == "__main__":
    main()

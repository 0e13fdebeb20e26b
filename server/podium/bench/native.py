"""The native anchor for ``podium bench --baseline``: uWebSockets (C++, through socketify)
broadcasting the whole state, with its own pub/sub, the best a broadcast server can do.

It speaks what ``baseline.py`` speaks (``snapshot`` on connect, ``auth`` -> ``auth_ok``,
``command`` -> a new ``state`` to everyone, then ``ack``), with the same payload, so the
bench compares Podium's deltas with the old bytes sent by the fastest server there is.

Run by the bench as ``python -m podium.bench.native --port N --state FILE``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from socketify import App, AppListenOptions, CompressOptions, OpCode, Request, Response, WebSocket

from podium.core.wire.protocol import encode, state_message
from podium.runtime.fdlimit import raise_open_file_limit

ROOM = "baseline"


class Anchor:
    def __init__(self, app: App, state: dict[str, Any]) -> None:
        self.app = app
        self.state = state
        self.version = 0
        self.clients = 0

    def _message(self, kind: str) -> str:
        return state_message(kind, ROOM, self.version, time.time_ns() // 1_000_000, self.state)

    def opened(self, ws: WebSocket) -> None:
        self.clients += 1
        ws.subscribe(ROOM)
        ws.send(self._message("snapshot"), OpCode.TEXT)

    def closed(self, _ws: WebSocket, _code: int, _message: bytes | str | None) -> None:
        self.clients -= 1

    def received(self, ws: WebSocket, text: bytes | str, _opcode: OpCode) -> None:
        data = json.loads(text)
        if data.get("type") == "auth":
            ws.send(encode({"type": "auth_ok", "role": "moderator"}), OpCode.TEXT)
        elif data.get("type") == "command":
            self.version += 1
            self.app.publish(ROOM, self._message("state"), OpCode.TEXT)
            ack = {"type": "ack", "id": data.get("id"), "version": self.version}
            ws.send(encode(ack), OpCode.TEXT)

    def healthz(self, res: Response, _req: Request) -> None:
        res.write_header("Content-Type", "application/json")
        res.end(encode({"status": "ok", "clients": self.clients}))


def main() -> None:
    parser = argparse.ArgumentParser(description="uWebSockets broadcast server (bench anchor)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", type=Path, required=True, help="JSON state to broadcast")
    args = parser.parse_args()
    raise_open_file_limit()
    app = App()
    anchor = Anchor(app, json.loads(args.state.read_text()))
    app.get("/healthz", anchor.healthz)
    behaviour = {
        "compression": CompressOptions.DISABLED,
        "max_payload_length": 64 * 1024,
        "max_backpressure": 256 * 1024,
        "idle_timeout": 0,
        "open": anchor.opened,
        "message": anchor.received,
        "close": anchor.closed,
    }
    app.ws("/ws", behaviour)
    app.listen(AppListenOptions(port=args.port, host=args.host))
    app.run()


if __name__ == "__main__":
    main()

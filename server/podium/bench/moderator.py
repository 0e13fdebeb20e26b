"""The moderator: one authenticated console that sends the mix of commands, times their acks
and follows the state."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from podium.bench.options import BenchFailed

MIX = ("next", "pause", "add_time", "resume", "show_message")
TIMER_MIX = ("pause", "add_time", "resume")  # timer changes only (the question storm's)


class Moderator:
    """One authenticated console: sends commands, times their acks, follows the state."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.version = -1
        self.state: dict[str, Any] = {}
        self.frame_bytes = 0
        self.stamped: dict[int, int] = {}  # version -> server_time (epoch ms) of its push
        self.waiting: dict[int, asyncio.Future[tuple[int, int]]] = {}
        self.moved = asyncio.Event()
        self.ids = iter(range(1, 1 << 62))
        self.reader: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, url: str, token: str) -> Moderator:
        ws = await connect(url, compression=None, proxy=None, max_size=None, open_timeout=60)
        moderator = cls(ws)
        text = await asyncio.wait_for(ws.recv(), 30)
        moderator._take(json.loads(text), _size(text))
        await ws.send(json.dumps({"type": "auth", "token": token}))
        while True:
            text = await asyncio.wait_for(ws.recv(), 30)
            message = json.loads(text)
            if message["type"] == "auth_ok":
                break
            if message["type"] == "error":
                raise BenchFailed(f"the moderator token was refused: {message['message']}")
            moderator._take(message, _size(text))
        moderator.reader = asyncio.create_task(moderator._read())
        return moderator

    def _take(self, message: dict[str, Any], size: int) -> None:
        if message.get("type") in ("state", "snapshot") and message["version"] > self.version:
            self.version = message["version"]
            self.stamped[self.version] = message["server_time"]
            self.state = message["state"]
            self.frame_bytes = size
            self.moved.set()

    async def _read(self) -> None:
        async for text in self.ws:
            now = time.time_ns()
            message = json.loads(text)
            kind = message.get("type")
            waiter = self.waiting.pop(message.get("id"), None) if kind in ("ack", "error") else None
            if waiter is not None and not waiter.done():
                if kind == "ack":
                    waiter.set_result((message["version"], now))
                else:
                    waiter.set_exception(BenchFailed(f"the server refused: {message['message']}"))
            self._take(message, _size(text))

    async def send(self, command: dict[str, Any]) -> tuple[int, int, int]:
        """Send a command; (new version, sent at, acked at) in time_ns."""
        msg_id = next(self.ids)
        waiter: asyncio.Future[tuple[int, int]] = asyncio.get_running_loop().create_future()
        self.waiting[msg_id] = waiter
        sent = time.time_ns()
        await self.ws.send(json.dumps({"type": "command", "id": msg_id, "command": command}))
        version, acked = await asyncio.wait_for(waiter, 60)
        return version, sent, acked

    async def caught_up(self, version: int) -> None:
        while self.version < version:
            self.moved.clear()
            await asyncio.wait_for(self.moved.wait(), 30)

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        await self.ws.close()


def _size(text: str | bytes) -> int:
    return len(text.encode() if isinstance(text, str) else text)


def plan(index: int, state: dict[str, Any], mix: tuple[str, ...] = MIX) -> dict[str, Any]:
    """The ``index``-th command of ``mix``, made valid for ``state``."""
    action = mix[index % len(mix)]
    timer = (state.get("timer") or {}).get("status")
    if action == "next" and not state.get("next_speaker"):
        action = "previous"
    elif action in ("pause", "resume"):
        action = "pause" if timer == "running" else "resume"
    if action == "add_time":
        return {"action": action, "seconds": 30}
    if action == "show_message":
        return {"action": action, "text": f"Please take your seats ({index})", "target": "viewers"}
    return {"action": action}

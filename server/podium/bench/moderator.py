"""The moderator: one authenticated console that sends the mix of commands, times their acks
and follows the state as a page does (a snapshot, then each delta applied to it; the
baseline servers send whole states), noting the size of each change's frame."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from podium.bench.options import BenchFailed
from podium.core.wire.delta import merge

# the seed day's mix: the speakers move, the timer is paused, resumed and given time, the
# stage gets messages and cues, a session ends and the next one starts
MIX = (
    "next",
    "pause",
    "add_time",
    "resume",
    "show_message",
    "cue",
    "previous",
    "next",
    "end_session",
    "start_session",
)
TIMER_MIX = ("pause", "add_time", "resume")  # timer changes only (the question storm's)


class Moderator:
    """One authenticated console: sends commands, times their acks, follows the state."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.version = -1
        self.state: dict[str, Any] = {}
        self.frame_bytes = 0  # the first frame's: the snapshot
        self.change_bytes: dict[int, int] = {}  # version -> its change's frame size
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
        kind = message.get("type")
        if kind not in ("state", "snapshot", "delta") or message["version"] <= self.version:
            return
        if kind == "delta":
            if message["base"] != self.version:
                raise BenchFailed(f"a delta from {message['base']} came at {self.version}")
            self.state = merge(self.state, message["patch"], message.get("removed"))
        else:
            self.state = message["state"]
        self.version = message["version"]
        self.stamped[self.version] = message["server_time"]
        if kind == "snapshot":
            self.frame_bytes = size
        else:
            self.change_bytes[self.version] = size
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


def _next_session(state: dict[str, Any]) -> str | None:
    """The session the schedule says is next (a whole state's list, a lean one's object)."""
    schedule = state.get("schedule") or []
    rows = schedule.items() if isinstance(schedule, dict) else ((r["id"], r) for r in schedule)
    return next((id for id, row in rows if row["status"] == "next"), None)


def plan(index: int, state: dict[str, Any], mix: tuple[str, ...] = MIX) -> dict[str, Any]:
    """The ``index``-th command of ``mix``, made valid for ``state``."""
    action = mix[index % len(mix)]
    if state.get("phase") != "live":  # the session ended: the next one (else undo the end)
        upcoming = _next_session(state)
        if upcoming is None:
            return {"action": "undo"}
        return {"action": "start_session", "session_id": upcoming}
    timer = (state.get("timer") or {}).get("status")
    speaker = state.get("speaker")
    if speaker is None and action in ("next", "previous", "cue", "start_session"):
        action = "end_session"  # a session without speakers times its slot
    elif action == "start_session":
        action = "previous"
    elif action in ("pause", "resume"):
        action = "pause" if timer == "running" else "resume"
    if action == "previous" and speaker["index"] == 0:
        action = "next"
    if action == "next" and not state.get("next_speaker"):
        action = "previous" if speaker["index"] > 0 else "end_session"
    if action == "add_time":
        return {"action": action, "seconds": 30}
    if action == "show_message":
        return {"action": action, "text": f"Please take your seats ({index})", "target": "viewers"}
    if action == "cue":
        return {"action": action, "kind": "wrap_up" if index % 2 else "stop"}
    return {"action": action}

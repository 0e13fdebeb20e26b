"""Real WebSocket clients for the fault, fuzz and access tests: a moderator that drives a
script of commands and records what was acknowledged, and readers of the store's files."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import websockets

from tests.helpers import Server, recv_type

# Valid from any point once session-1 is live (and harmless when one is refused).
LOOP: list[dict[str, Any]] = [
    {"action": "add_time", "seconds": 5},
    {"action": "pause"},
    {"action": "add_time", "seconds": -2},
    {"action": "resume"},
    {"action": "next"},
    {"action": "show_message", "text": "two minutes left", "target": "all"},
    {"action": "previous"},
    {"action": "clear_message"},
]


def script() -> Iterator[dict[str, Any]]:
    yield {"action": "start_session", "session_id": "session-1"}
    yield from itertools.cycle(LOOP)


@contextlib.asynccontextmanager
async def moderator(server: Server, **kwargs: Any) -> AsyncIterator[websockets.ClientConnection]:
    async with websockets.connect(server.ws_url + "&client=console", **kwargs) as ws:
        await recv_type(ws, "snapshot")
        await ws.send(json.dumps({"type": "auth", "token": server.token}))
        await recv_type(ws, "auth_ok")
        yield ws


async def drive(
    ws: websockets.ClientConnection, acked: dict[int, dict[str, Any]], count: int = 10_000
) -> None:
    """Send commands one by one; ``acked`` maps each acknowledged version to its command.
    Stops quietly when the connection goes (the server was killed)."""
    with contextlib.suppress(websockets.ConnectionClosed, TimeoutError, asyncio.TimeoutError):
        for n, command in zip(range(count), script(), strict=False):
            await ws.send(json.dumps({"type": "command", "id": n, "command": command}))
            while True:
                reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if reply.get("id") == n and reply["type"] in ("ack", "error"):
                    break
            if reply["type"] == "ack":
                acked[reply["version"]] = command


async def watch(
    server: Server, seen: dict[int, dict[str, Any]], ready: asyncio.Event | None = None
) -> None:
    """A viewer keeping every state it is pushed, by version, until the connection ends."""
    with contextlib.suppress(websockets.ConnectionClosed, OSError):
        async with websockets.connect(server.ws_url) as ws:
            if ready is not None:
                ready.set()
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] in ("snapshot", "state"):
                    seen[message["version"]] = message["state"]


def room_dir(server: Server) -> Path:
    return server.data_dir / "itu-miit-2021"


def log_records(server: Server) -> list[dict[str, Any]]:
    path = room_dir(server) / "log.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def stored_state(server: Server) -> dict[str, Any]:
    return json.loads((room_dir(server) / "state.json").read_text())


def checkpointed(server: Server, version: int, bound_s: float = 15.0) -> dict[str, Any]:
    """The checkpoint once it holds ``version``: the file store writes it when the room has
    been idle a second (``store/disk/checkpoints.py``), so a test waits for it, bounded."""
    deadline = time.monotonic() + bound_s
    while (state := stored_state(server))["version"] < version:
        assert time.monotonic() < deadline, f"the checkpoint stayed at {state['version']}"
        time.sleep(0.05)
    return state


def timing(state: dict[str, Any]) -> tuple[Any, ...]:
    """What must survive a restart exactly: who is on, and when their time ends."""
    timer = state["timer"]
    speaker = state["speaker"]["id"] if state.get("speaker") else None
    return (speaker, timer["status"], timer.get("ends_at"), timer["duration_ms"])

"""``podium watch [URL]``: the live session, speaker and countdown in a terminal (rich).

A WebSocket viewer like the web pages: it takes the snapshot, then every change, and counts
down locally from ``ends_at`` with the clock offset it measures (ping/pong), so it shows
the same second as every screen. It reconnects by itself when the server goes away.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import time
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import websockets
from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.text import Text

from podium.core.errors import PodiumError
from podium.core.timefmt import countdown, length

REFRESH_S = 0.25
FIRST_VIEW_S = 10.0


def ws_url(url: str, room: str | None, token: str | None = None) -> str:
    """``http://host:8080`` -> ``ws://host:8080/ws?client=watch&full=1`` (whole states,
    not deltas); a private event's token goes in the query, as the WebSocket route accepts
    it."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    scheme = {"https": "wss", "wss": "wss"}.get(parts.scheme, "ws")
    extra = {"room": room, "token": token}
    query = urlencode({"client": "watch", "full": "1", **{k: v for k, v in extra.items() if v}})
    return urlunsplit((scheme, parts.netloc, "/ws", query, ""))


def local_ms() -> int:
    return time.time_ns() // 1_000_000


def remaining(state: dict[str, Any], server_now: int) -> int:
    """The ms left at ``server_now``, never more than the turn's length (as on the pages:
    an offset a few ms behind the server's would show a fresh turn a second long)."""
    timer = state["timer"]
    if timer["status"] == "running" and timer["ends_at"] is not None:
        return min(int(timer["ends_at"]) - server_now, int(timer["duration_ms"]))
    return int(timer["remaining_ms"])


def render(message: dict[str, Any], server_now: int, status: str = "") -> Panel:
    """What the terminal shows for a state message, as of ``server_now``."""
    state = message["state"]
    lines: list[Text] = []
    session = state["session"]
    if state["blackout"]:
        lines.append(Text("screen blacked out", style="bold white on red"))
    if session is None:
        lines.append(Text(f"no session live ({state['phase']})", style="bold"))
        upcoming = next((r for r in state["schedule"] if r["status"] == "next"), None)
        if upcoming:
            lines.append(Text(f"next session: {upcoming['id']}", style="dim"))
    else:
        lines.append(Text(session["title"], style="bold"))
        if session["moderators"]:
            lines.append(Text("moderator: " + "; ".join(session["moderators"]), style="dim"))
    speaker = state["speaker"]
    if speaker:
        lines.append(Text(""))
        lines.append(Text(f"{speaker['display_name']}  ({speaker['index'] + 1}/{speaker['count']})",
                          style="bold cyan"))  # fmt: skip
        if speaker["affiliation"]:
            lines.append(Text(speaker["affiliation"], style="cyan"))
    if session is not None:
        left = remaining(state, server_now)
        style = "bold red" if left < 0 else "bold yellow" if left < 60_000 else "bold green"
        paused = "  paused" if state["timer"]["status"] == "paused" else ""
        lines.append(Text(""))
        lines.append(Text(f"{countdown(left)}{paused}", style=style))
    if state["next_speaker"]:
        lines.append(Text(f"next: {state['next_speaker']['display_name']}", style="dim"))
    if state["message"]:
        lines.append(Text(f"message ({state['message']['target']}): {state['message']['text']}",
                          style="bold magenta"))  # fmt: skip
    drift = state["drift_ms"]
    footer = f"drift {length(drift, signed=True)} · v{message['version']}"
    return Panel(Group(*lines), title=message["room"], subtitle=f"{footer} {status}".strip())


async def _offset(ws: websockets.ClientConnection, pending: list[dict[str, Any]]) -> int:
    """Server clock minus ours, from one ping/pong (messages meanwhile are kept)."""
    t0 = local_ms()
    await ws.send(json.dumps({"type": "ping", "t0": t0}))
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if message["type"] == "pong":
            return int(message["server_time"] - (t0 + local_ms()) / 2)
        pending.append(message)


def _token() -> str | None:
    """For a private event: the viewer token, else the moderator's, from the environment."""
    return os.environ.get("PODIUM_VIEWER_TOKEN") or os.environ.get("PODIUM_MODERATOR_TOKEN")


async def _first_view(ws: websockets.ClientConnection, url: str) -> dict[str, Any]:
    """The snapshot, past an ``auth_ok``; the server's own words if it refuses."""
    while True:
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), FIRST_VIEW_S))
        except TimeoutError:
            raise PodiumError(
                f"{url} sent no state within {FIRST_VIEW_S:.0f} s; if the event is private,"
                " set PODIUM_VIEWER_TOKEN"
            ) from None
        if message["type"] == "error":
            raise PodiumError(f"{url}: {message['code']}: {message['message']}")
        if message["type"] in ("snapshot", "state"):
            return message


async def once(url: str, room: str | None, console: Console) -> None:
    """Print the current view once and return (for scripts and checks)."""
    try:
        async with websockets.connect(ws_url(url, room, _token()), open_timeout=10) as ws:
            snapshot = await _first_view(ws, url)
            pending: list[dict[str, Any]] = []
            offset = await _offset(ws, pending)
    except (OSError, websockets.WebSocketException, TimeoutError) as exc:
        raise PodiumError(f"cannot watch {url}: {exc}; is the server running there?") from None
    latest = next((m for m in reversed(pending) if m["type"] == "state"), snapshot)
    console.print(render(latest, local_ms() + offset))


async def follow(url: str, room: str | None, console: Console) -> None:
    """Show the live view until Ctrl-C, reconnecting when the connection drops."""
    latest: dict[str, Any] | None = None
    offset = 0
    status = "connecting"
    with Live(console=console, auto_refresh=False) as live:
        async for ws in websockets.connect(ws_url(url, room, _token()), open_timeout=10):
            try:
                pending: list[dict[str, Any]] = [await _first_view(ws, url)]
                offset = await _offset(ws, pending)
                status = ""
                while True:
                    for message in pending:
                        if message["type"] in ("snapshot", "state"):
                            latest = message
                    pending.clear()
                    if latest is not None:
                        live.update(render(latest, local_ms() + offset, status), refresh=True)
                    with contextlib.suppress(TimeoutError):
                        pending.append(json.loads(await asyncio.wait_for(ws.recv(), REFRESH_S)))
            except websockets.ConnectionClosed:
                status = "reconnecting…"
                if latest is not None:
                    live.update(render(latest, local_ms() + offset, status), refresh=True)


def cmd_watch(args: argparse.Namespace) -> int:
    console = Console()
    asyncio.run((once if args.once else follow)(args.url, args.room, console))
    return 0

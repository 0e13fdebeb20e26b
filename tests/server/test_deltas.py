"""Deltas on a real server: a page's WebSocket (``/ws``) gets a lean snapshot and then one
delta per change, and holds at every version what a client of whole states
(``/ws?full=1``) is pushed; joining with ``?have=`` gets ``current`` or a snapshot."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

import websockets

from podium.core.wire.delta import lean, merge
from tests import rawws
from tests.clients import drive, moderator
from tests.helpers import Server, recv_type
from tests.redis_server import RedisServer

COMMANDS = 24


async def follow_deltas(server: Server, held: dict[int, dict[str, Any]], sizes: list[int]) -> None:
    """A page's connection: the snapshot, then each delta applied to the version before."""
    with contextlib.suppress(websockets.ConnectionClosed):
        async with websockets.connect(server.ws_url.replace("full=1", "client=viewer")) as ws:
            first = await recv_type(ws, "snapshot")
            version, state = first["version"], first["state"]
            held[version] = state
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] != "delta":
                    continue
                assert message["base"] == version, "a delta that does not follow"
                state = merge(state, message["patch"], message.get("removed"))
                version = message["version"]
                held[version] = state
                sizes.append(len(raw.encode()))


async def follow_whole(server: Server, whole: dict[int, dict[str, Any]]) -> None:
    with contextlib.suppress(websockets.ConnectionClosed):
        async with websockets.connect(server.ws_url) as ws:
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] in ("snapshot", "state"):
                    whole[message["version"]] = message["state"]


Versions = dict[int, dict[str, Any]]


async def drive_and_follow(page: Server, commanded: Server) -> tuple[Versions, Versions, list[int]]:
    """A moderator on ``commanded`` sends ``COMMANDS`` commands while a page on ``page``
    follows the deltas and a client of whole states follows ``commanded``; once the page
    holds the last version acknowledged: (what the page held, the whole states, the sizes
    of the deltas), each by version."""
    held: Versions = {}
    whole: Versions = {}
    sizes: list[int] = []
    readers = [
        asyncio.create_task(follow_deltas(page, held, sizes)),
        asyncio.create_task(follow_whole(commanded, whole)),
    ]
    acked: Versions = {}
    async with moderator(commanded) as ws:
        while not (held and whole):
            await asyncio.sleep(0.01)
        await drive(ws, acked, COMMANDS)
        async with asyncio.timeout(15):
            while max(acked) not in held or max(acked) not in whole:
                await asyncio.sleep(0.01)
    for task in readers:
        task.cancel()
    assert len(acked) == COMMANDS and set(acked) <= set(held) <= set(whole)
    return held, whole, sizes


async def test_a_page_holds_every_version_a_client_of_whole_states_gets(server: Server) -> None:
    held, whole, sizes = await drive_and_follow(server, server)
    assert set(held) == set(whole)
    for version, state in whole.items():
        assert held[version] == lean(state), version
    assert max(sizes) < max(len(json.dumps(s)) for s in whole.values()) / 2


async def test_a_page_on_another_process_holds_what_this_one_pushes_whole(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """Two processes sharing Redis: the page on the second applies the deltas that process
    makes from the states it adopts, each from the version it pushed before."""
    shared = ["--redis", redis_server.url, "--redis-prefix", redis_server.prefix]
    first, second = (Server(data_dir=tmp_path / f"data-{i}", extra_args=shared) for i in (1, 2))
    try:
        for server in (first, second):
            server.start()
        held, whole, _ = await drive_and_follow(second, first)
        for version, state in held.items():
            assert state == lean(whole[version]), version
    finally:
        first.kill()
        second.kill()


async def test_joining_with_a_version_gets_current_or_the_lean_snapshot(server: Server) -> None:
    async with moderator(server) as ws:
        start = {"action": "start_session", "session_id": "session-1"}
        await ws.send(json.dumps({"type": "command", "id": 1, "command": start}))
        version = (await recv_type(ws, "ack"))["version"]
    now = server.state()
    page = server.ws_url.replace("full=1", "client=viewer")
    async with websockets.connect(f"{page}&have={version}") as holding:
        current = await recv_type(holding, "current")
        assert (current["version"], current["room"]) == (version, "itu-miit-2021")
    async with websockets.connect(f"{page}&have={version - 1}") as behind:
        snapshot = await recv_type(behind, "snapshot")
        assert snapshot["version"] == version
        assert snapshot["state"] == lean(now["state"])
    async with websockets.connect(f"{server.ws_url}&have={version - 1}") as whole:
        assert (await recv_type(whole, "snapshot"))["state"]["session"]["title"]


async def test_the_first_data_holds_the_lean_state_a_joiner_is_sent(server: Server) -> None:
    """``/api/first`` carries, beside the whole state, the lean state the next delta builds
    on (a booth signal the whole state stopped showing 15 s on is still in it): a page that
    paints from it and follows deltas holds what a page that joined over the socket holds."""
    assert server.command("start_session", session_id="session-1")[0] == 200
    status, first = server.request("GET", "/api/first")
    assert status == 200
    version = first["state"]["version"]
    page = server.ws_url.replace("full=1", "client=viewer")
    async with websockets.connect(f"{page}&have={version - 1}") as joiner:
        snapshot = await recv_type(joiner, "snapshot")
    assert snapshot["version"] == version
    assert first["held"] == snapshot["state"]
    assert first["held"]["timer"]["remaining_ms"] is None  # lean: nothing moves with the clock


def test_a_full_that_is_not_understood_is_refused(server: Server) -> None:
    sock, status, head = rawws.handshake(server.port, "/ws?full=yes")
    sock.close()
    assert status == 400
    assert b"full=1 for whole states" in head
    assert server.state()["version"] == 0  # nothing changed

"""Slow, dead and churning clients against the real server: a viewer that stops reading
is dropped without delaying 200 others, heartbeats reap dead sockets, and a churn soak
leaves no growth in memory, tasks or file descriptors (``PODIUM_SOAK_SECONDS``)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import websockets

from tests import rawws
from tests.clients import moderator, script
from tests.helpers import Server, recv_json, recv_type

HIGH_LIMITS = ["--limit-commands", "10000/1", "--limit-messages", "10000/1"]
MiB = 1024


def health(server: Server) -> dict:
    return server.request("GET", "/healthz")[1]


async def wait_for(predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await asyncio.to_thread(predicate):
            return True
        await asyncio.sleep(0.1)
    return False


async def test_a_viewer_that_stops_reading_is_dropped_and_200_others_get_every_change(
    tmp_path: Path,
) -> None:
    server = Server(data_dir=tmp_path / "data", extra_args=HIGH_LIMITS).start()
    try:
        rss_before = health(server)["process"]["rss_kib"]
        # whole states (~3 KB a change), so that 160 changes pass the bound
        path = "/ws?full=1"
        stuck, status, _ = await asyncio.to_thread(rawws.handshake, server.port, path, rcvbuf=2048)
        assert status == 101
        viewers = [await websockets.connect(server.ws_url) for _ in range(200)]
        got: list[list[int]] = [[] for _ in viewers]
        lag_ms: list[float] = []

        async def collect(ws: websockets.ClientConnection, into: list[int]) -> None:
            with contextlib.suppress(websockets.ConnectionClosed):
                async for raw in ws:
                    message = json.loads(raw)
                    into.append(message["version"])
                    lag_ms.append(time.time() * 1000 - message["server_time"])

        readers = [
            asyncio.create_task(collect(ws, into)) for ws, into in zip(viewers, got, strict=True)
        ]
        async with moderator(server) as mod:
            await mod.send(json.dumps({"type": "command", "id": 0, "command": next(script())}))
            await recv_type(mod, "ack")
            for n in range(1, 161):  # ~3 KB a change: the stuck viewer falls 450 KB behind
                text = f"{n:04d} " * 95
                command = {"action": "show_message", "text": text, "target": "all"}
                await mod.send(json.dumps({"type": "command", "id": n, "command": command}))
                await recv_type(mod, "ack", timeout=20)
        final = server.state()["version"]
        assert await wait_for(lambda: all(v and v[-1] == final for v in got), 60)
        for versions in got:
            assert versions == list(range(versions[0], final + 1))  # every change, in order
        report = health(server)
        assert report["rooms"]["itu-miit-2021"]["dropped"] == 1
        assert report["rooms"]["itu-miit-2021"]["clients"] == 200
        growth = report["process"]["rss_kib"] - rss_before
        lag_ms.sort()
        print(
            f"\n200 viewers + 1 stuck: rss +{growth / MiB:.1f} MiB,"
            f" lag p50 {lag_ms[len(lag_ms) // 2]:.0f} ms,"
            f" p99 {lag_ms[len(lag_ms) * 99 // 100]:.0f} ms"
        )
        assert growth < 48 * MiB, f"server memory grew by {growth} KiB"
        assert rawws.close_code(stuck, limit=10_000) is None  # aborted, not politely closed
        for ws in viewers:
            await ws.close()
        await asyncio.gather(*readers)
    finally:
        server.kill()


async def test_a_client_that_stops_reading_is_dropped_on_any_write_not_only_a_change(
    tmp_path: Path,
) -> None:
    """The transport's own flow control marks a non-reader, whatever filled its buffer:
    here the pongs to its own pings (~1 MB), while no change is ever pushed. Its receive
    buffer (64 KB, 128 KB as Linux doubles it) holds far less than the pongs, but not so
    little that it is full while its own pings are still on their way: Linux 6.18 then
    drops the server's acknowledgements to it, and the pings trickle in on retransmits
    with a growing back-off (half of the runs with 2 KB, none of thirty with 64 KB). The
    pings go in one call into a send buffer that holds them all (4 MB): a client writing
    them one by one into a small buffer, and so holding its socket while acknowledgements
    came, still stalled now and then on a loaded machine (1 run of 16 beside three busy
    CPU hogs)."""
    server = Server(data_dir=tmp_path / "data").start()
    try:
        stuck, status, _ = await asyncio.to_thread(
            rawws.handshake, server.port, rcvbuf=65536, sndbuf=4 << 20
        )
        assert status == 101
        pings = rawws.frame(b"x" * 125, opcode=0x9) * 8000

        def flood() -> None:
            with contextlib.suppress(OSError):  # the server ends it part-way
                stuck.sendall(pings)

        await asyncio.to_thread(flood)
        room = "itu-miit-2021"
        assert await wait_for(lambda: health(server)["rooms"][room]["dropped"] == 1)
        report = health(server)
        assert report["rooms"][room]["version"] == 0  # nothing was pushed meanwhile
        assert report["connections"] == 0
        stuck.close()
    finally:
        server.kill()


def dropped(server: Server) -> float:
    """Clients dropped for not reading, WebSocket and SSE together (``/metrics``)."""
    body = server.request("GET", "/metrics")[1].decode()
    line = next(x for x in body.splitlines() if x.startswith("podium_clients_dropped_total{"))
    return float(line.rpartition(" ")[2])


async def test_an_sse_client_that_stops_reading_is_dropped_like_a_websocket(
    tmp_path: Path,
) -> None:
    """SSE clients get the WebSocket's fixed kernel send buffer: a non-reader is dropped
    after ~400 KB (once: ~4 MB in the kernel, and 2,500 changes), a reader gets all."""
    server = Server(data_dir=tmp_path / "data", extra_args=HIGH_LIMITS).start()
    request = f"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode()
    try:
        stuck = socket.socket()
        stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        stuck.connect(("127.0.0.1", server.port))
        stuck.sendall(request)  # and never reads
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(request)
        versions: list[int] = []

        async def collect() -> None:
            while line := await reader.readline():
                if line.startswith(b"data: "):
                    versions.append(json.loads(line[6:])["version"])

        reading = asyncio.create_task(collect())
        async with moderator(server) as mod:
            await mod.send(json.dumps({"type": "command", "id": 0, "command": next(script())}))
            await recv_type(mod, "ack")
            for n in range(1, 251):  # ~3 KB a change: 750 KB in all
                command = {"action": "show_message", "text": f"{n:04d} " * 95, "target": "all"}
                await mod.send(json.dumps({"type": "command", "id": n, "command": command}))
                await recv_type(mod, "ack", timeout=20)
        assert await wait_for(lambda: bool(versions) and versions[-1] == 251, 60)
        assert versions == list(range(252))  # the snapshot, then every change in order
        assert await asyncio.to_thread(dropped, server) == 1
        stuck.settimeout(10)
        with stuck:  # the server has ended it: what was in the kernel comes, then the end
            while stuck.recv(65536):
                pass
        writer.close()
        reading.cancel()
    finally:
        server.kill()


async def test_heartbeats_reap_a_connection_that_never_answers(tmp_path: Path) -> None:
    server = Server(data_dir=tmp_path / "data", extra_args=["--heartbeat", "0.5"]).start()
    try:
        async with websockets.connect(server.ws_url) as alive:  # answers pings itself
            await recv_json(alive)
            dead, status, _ = await asyncio.to_thread(rawws.handshake, server.port)
            assert status == 101
            assert health(server)["connections"] == 2
            assert await wait_for(lambda: health(server)["connections"] == 1, 15)
            await alive.send(json.dumps({"type": "ping", "t0": 1}))
            assert (await recv_type(alive, "pong"))["t0"] == 1
            dead.close()
    finally:
        server.kill()


async def churn_viewer(server: Server, rng: random.Random, stop: asyncio.Event) -> int:
    """Connect, read the snapshot, maybe ping, then leave politely or just vanish."""
    rounds = 0
    while not stop.is_set():
        with contextlib.suppress(websockets.ConnectionClosed, OSError, TimeoutError):
            kind = rng.choice(["viewer", "screen", "overlay"])
            ws = await websockets.connect(f"{server.ws_url}&client={kind}")
            await recv_json(ws)
            if rng.random() < 0.5:
                await ws.send(json.dumps({"type": "ping", "t0": time.time()}))
            await asyncio.sleep(rng.uniform(0, 0.2))
            if rng.random() < 0.3:
                ws.transport.abort()  # a phone that lost its network
            else:
                await ws.close()
        rounds += 1
    return rounds


@pytest.mark.slow
async def test_churn_soak_leaves_no_growth(tmp_path: Path) -> None:
    seconds = float(os.environ.get("PODIUM_SOAK_SECONDS", "15"))
    server = Server(data_dir=tmp_path / "data", extra_args=HIGH_LIMITS).start()
    rng = random.Random(7)
    try:

        async def phase(duration: float) -> tuple[int, int]:
            stop = asyncio.Event()
            workers = [asyncio.create_task(churn_viewer(server, rng, stop)) for _ in range(20)]
            commands = 0
            async with moderator(server) as mod:
                end = time.monotonic() + duration
                for n, command in enumerate(script()):
                    if time.monotonic() > end:
                        break
                    msg = {"type": "command", "id": n, "command": command}
                    await mod.send(json.dumps(msg))
                    with contextlib.suppress(TimeoutError):
                        await recv_type(mod, "ack", timeout=0.1)
                    commands += 1
                    await asyncio.sleep(0.05)
            stop.set()
            return sum(await asyncio.gather(*workers)), commands

        def settled() -> dict:
            assert asyncio.run(wait_for_idle(server)), "connections did not drain"
            return health(server)["process"]

        await phase(seconds / 3)  # warm up: caches, pools, the allocator's arenas
        before = await asyncio.to_thread(settled)
        connects, commands = await phase(seconds * 2 / 3)
        after = await asyncio.to_thread(settled)
        growth = after["rss_kib"] - before["rss_kib"]
        print(
            f"\nsoak {seconds:g}s: {connects} connections, {commands} commands;"
            f" rss {before['rss_kib'] / MiB:.1f} -> {after['rss_kib'] / MiB:.1f} MiB,"
            f" tasks {before['tasks']} -> {after['tasks']}, fds {before['fds']} -> {after['fds']}"
        )
        assert connects > 100
        assert after["tasks"] == before["tasks"]
        assert after["fds"] == before["fds"]
        assert growth < 8 * MiB, f"memory grew by {growth} KiB over the soak"
    finally:
        server.kill()


async def wait_for_idle(server: Server) -> bool:
    return await wait_for(lambda: health(server)["connections"] == 0, 15)

"""Several real ``podium serve --redis`` processes sharing one real Redis: what a viewer
of one sees of commands on another, races between them, and Redis or a process failing."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import redis
import websockets

from podium.cli.main import main
from tests.clients import moderator
from tests.helpers import Server, free_port, recv_type
from tests.redis_server import RedisServer

SESSION = {"session_id": "session-1"}


@pytest.fixture
def cluster_of(tmp_path: Path) -> Iterator[Callable[[RedisServer, int], list[Server]]]:
    """Start ``n`` podium processes (in parallel) on free ports, all on one Redis."""
    started: list[Server] = []

    def start(redis_server: RedisServer, n: int) -> list[Server]:
        args = ["--redis", redis_server.url, "--redis-prefix", redis_server.prefix]
        servers = [
            Server(data_dir=tmp_path / f"data-{len(started) + i}", extra_args=args)
            for i in range(n)
        ]
        started.extend(servers)
        with ThreadPoolExecutor(n) as pool:
            list(pool.map(Server.start, servers))
        return servers

    yield start
    for server in started:
        server.kill()


class Viewer:
    """A WebSocket viewer that records every snapshot and state push it gets."""

    def __init__(self, server: Server) -> None:
        self.url = f"{server.ws_url}&client=viewer"
        self.versions: list[int] = []
        self.closed = False

    async def run(self, connected: asyncio.Event) -> None:
        async with websockets.connect(self.url) as ws:
            connected.set()
            with contextlib.suppress(websockets.ConnectionClosed):
                async for raw in ws:
                    message = json.loads(raw)
                    if message["type"] in ("snapshot", "state"):
                        self.versions.append(message["version"])
        self.closed = True

    async def sees(self, version: int, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while version not in self.versions:
            assert time.monotonic() < deadline, f"{self.url} never saw {version}: {self.versions}"
            await asyncio.sleep(0.02)

    def in_order(self) -> bool:
        return all(a < b for a, b in zip(self.versions, self.versions[1:], strict=False))


@contextlib.asynccontextmanager
async def viewers(*servers: Server) -> AsyncIterator[list[Viewer]]:
    watching = [Viewer(s) for s in servers]
    ready = [asyncio.Event() for _ in watching]
    tasks = [asyncio.create_task(v.run(r)) for v, r in zip(watching, ready, strict=True)]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in ready)), 10)
    try:
        yield watching
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def ok(reply: tuple[int, Any]) -> int:
    status, body = reply
    assert status == 200, body
    return body["version"]


async def health_is(server: Server, status: str, timeout: float = 15.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        health = (await asyncio.to_thread(server.request, "GET", "/healthz"))[1]
        if health["status"] == status:
            return health
        assert time.monotonic() < deadline, f"health never became {status}: {health}"
        await asyncio.sleep(0.05)


def logged_versions(redis_server: RedisServer, room: str) -> list[int]:
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    try:
        entries = client.xrange(f"{redis_server.prefix}:{{{room}}}:log")
    finally:
        client.close()
    return [json.loads(fields["record"])["version"] for _, fields in entries]


async def test_a_command_on_one_process_reaches_viewers_of_all(
    redis_server: RedisServer, cluster_of: Callable[[RedisServer, int], list[Server]]
) -> None:
    a, b = cluster_of(redis_server, 2)
    health = a.request("GET", "/healthz")[1]
    assert health["status"] == "ok" and health["store"]["store"] == "redis"
    if redis_server.binary:  # our private Redis has no AOF, and podium says so
        assert "keeps no append-only file" in a.log.read_text()
    async with viewers(a, b) as (on_a, on_b):
        assert ok(a.command("start_session", **SESSION)) == 1
        await on_b.sees(1)
        assert ok(b.command("next", expected_version=1)) == 2
        await on_a.sees(2)
        assert b.state()["state"]["speaker"]["id"] == a.state()["state"]["speaker"]["id"]
        # a process started now shows the running event at once
        (c,) = cluster_of(redis_server, 1)
        assert c.state()["version"] == 2
        # one process dies; the others serve on, and its viewers would reconnect to them
        a.kill()
        assert ok(b.command("pause")) == 3
        assert ok(c.command("resume", expected_version=3)) == 4
        await on_b.sees(4)
        assert c.state()["state"]["timer"]["status"] == "running"
        assert on_a.closed and on_a.versions == [0, 1, 2]
        assert on_b.in_order()


async def test_next_at_one_version_on_two_processes_advances_once(
    redis_server: RedisServer, cluster_of: Callable[[RedisServer, int], list[Server]]
) -> None:
    a, b = cluster_of(redis_server, 2)
    ok(a.command("start_session", **SESSION))
    rounds = 4
    with ThreadPoolExecutor(2) as pool:
        for n in range(rounds):
            version = 1 + n
            together = threading.Barrier(2)

            def press(server: Server, version: int = version, barrier: Any = together) -> Any:
                barrier.wait()
                return server.command("next", expected_version=version)

            replies = list(pool.map(press, (a, b)))
            statuses = sorted(status for status, _ in replies)
            assert statuses == [200, 409], replies
            loser = next(body for status, body in replies if status == 409)
            assert loser["error"] == {
                "code": "conflict",
                "message": loser["error"]["message"],
                "version": version + 1,
            }
        # without a version named, both presses count, one after the other
        together = threading.Barrier(2)
        unnamed = list(pool.map(lambda s: (together.wait(), s.command("previous"))[1], (a, b)))
    assert [status for status, _ in unnamed] == [200, 200], unnamed
    final = a.state()
    assert final["version"] == rounds + 3 == b.state()["version"]
    assert final["state"]["speaker"]["index"] == rounds - 2
    assert logged_versions(redis_server, final["room"]) == list(range(rounds + 4))


async def test_redis_restarted_mid_speaker_loses_no_acknowledged_command(
    redis_aof: RedisServer, cluster_of: Callable[[RedisServer, int], list[Server]]
) -> None:
    redis_aof.require_private()
    a, b = cluster_of(redis_aof, 2)
    assert "append-only" not in a.log.read_text()
    acked = [ok(a.command("start_session", **SESSION)), ok(b.command("next"))]
    async with viewers(a, b) as (on_a, on_b):
        acked.append(ok(a.command("add_time", seconds=30)))
        await on_b.sees(acked[-1])
        redis_aof.stop()
        for server in (a, b):
            health = await health_is(server, "degraded")
            assert "cannot be used" in health["store"]["detail"]
        status, body = b.command("pause")
        assert status == 503 and body["error"]["code"] == "unavailable"
        assert "the change was not made" in body["error"]["message"]
        assert a.state()["version"] == acked[-1]  # still answering, with the last state
        assert not on_a.closed and not on_b.closed
        redis_aof.start()
        for server in (a, b):
            await health_is(server, "ok")
        acked.append(ok(b.command("pause")))
        acked.append(ok(a.command("resume", expected_version=acked[-1])))
        for viewer in (on_a, on_b):
            await viewer.sees(acked[-1])
            assert viewer.in_order()
            assert not viewer.closed
    room = a.state()["room"]
    assert set(acked) <= set(logged_versions(redis_aof, room))
    assert a.state()["version"] == b.state()["version"] == acked[-1] == 5


async def test_redis_back_empty_gets_the_event_written_back(
    redis_server: RedisServer, cluster_of: Callable[[RedisServer, int], list[Server]]
) -> None:
    redis_server.require_private()
    a, b = cluster_of(redis_server, 2)
    ok(a.command("start_session", **SESSION))
    last = ok(b.command("next"))
    async with viewers(a, b) as (on_a, on_b):
        await on_a.sees(last)
        redis_server.kill()  # no persistence: it comes back with nothing
        await health_is(a, "degraded")
        redis_server.start()
        for server in (a, b):
            await health_is(server, "ok")
        room = a.state()["room"]
        log = logged_versions(redis_server, room)
        assert log[0] == last  # the gap note: the state went back at the version it had
        assert ok(a.command("next", expected_version=last)) == last + 1
        for viewer in (on_a, on_b):
            await viewer.sees(last + 1)
            assert viewer.in_order()
    assert b.state()["state"]["speaker"]["index"] == 2


def test_serve_says_clearly_when_redis_cannot_be_reached(tmp_path: Path) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    args = [sys.executable, "-m", "podium.cli", "serve", "--port", "0"]
    done = subprocess.run(
        [*args, "--data-dir", str(tmp_path), "--redis", dead],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert f"redis at {dead} cannot be used" in done.stderr
    assert "start Redis or fix --redis" in done.stderr


async def test_one_rotation_in_redis_reaches_every_process(
    tmp_path: Path,
    redis_server: RedisServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Processes on one Redis, each with a data dir of its own, keep their tokens in
    Redis and adopt one ``podium token rotate --redis`` without a restart, as
    docs/deploy.md says."""
    monkeypatch.delenv("PODIUM_MODERATOR_TOKEN", raising=False)
    args = ["--redis", redis_server.url, "--redis-prefix", redis_server.prefix]

    async def rotate() -> str:  # the CLI runs its own event loop: in a thread of its own
        assert await asyncio.to_thread(main, ["token", "rotate", *args]) == 0
        return capsys.readouterr().out.strip()

    old = await rotate()  # before the first start
    env = {"PODIUM_MODERATOR_TOKEN": ""}
    servers = [
        Server(data_dir=tmp_path / f"data-{i}", extra_args=args, env=env, token=old)
        for i in range(2)
    ]
    try:
        for server in servers:
            server.start()
        async with moderator(servers[0]) as on_a, moderator(servers[1]) as on_b:
            new = await rotate()
            rotated = time.monotonic()
            for ws in (on_a, on_b):
                with pytest.raises(websockets.ConnectionClosed):
                    await recv_type(ws, "never", timeout=10)
                assert ws.close_code == 4001
            took = time.monotonic() - rotated
            print(f"rotated in Redis: both processes closed the old token's in {took:.2f} s")
        for server in servers:
            assert server.command("pause")[0] == 401
            server.token = new
            assert not (server.data_dir / "moderator.token").exists()
        assert ok(servers[0].command("start_session", **SESSION)) == 1
        assert ok(servers[1].command("pause")) == 2
    finally:
        for server in servers:
            server.kill()

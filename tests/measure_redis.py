"""Not a test: figures for docs/deploy.md. Push latency (a command to a viewer) with the
file store, with Redis in one process and across two processes, and how long after Redis
comes back a process is healthy again. Needs redis-server on PATH.

    .venv/bin/python -m tests.measure_redis [COMMANDS]
"""

from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import websockets

from tests.helpers import Server
from tests.redis_server import RedisServer

NO_LIMITS = ["--limit-commands", "100000/1", "--limit-messages", "100000/1"]


async def push_ms(commanded: Server, watched: Server, n: int) -> list[float]:
    """Milliseconds from sending a command to ``commanded`` until a viewer of ``watched``
    gets the change, ``n`` times."""
    out = []
    async with (
        websockets.connect(watched.ws_url) as viewer,
        websockets.connect(commanded.ws_url) as moderator,
    ):
        await viewer.recv()
        await moderator.recv()
        await moderator.send(json.dumps({"type": "auth", "token": commanded.token}))
        for i in range(n):
            started = time.perf_counter()
            command = {"action": "add_time", "seconds": 1}
            await moderator.send(json.dumps({"type": "command", "id": i, "command": command}))
            while json.loads(await asyncio.wait_for(viewer.recv(), 10))["type"] != "state":
                pass
            out.append((time.perf_counter() - started) * 1000)
            while json.loads(await asyncio.wait_for(moderator.recv(), 10))["type"] != "ack":
                pass
    return out


def recovery_ms(redis: RedisServer, empty: bool, a: Server, b: Server) -> str:
    (redis.kill if empty else redis.stop)()
    while b.request("GET", "/healthz")[1]["status"] != "degraded":
        time.sleep(0.01)
    if empty:
        shutil.rmtree(redis.dir / "appendonlydir")
    started = time.perf_counter()
    redis.start()
    while b.request("GET", "/healthz")[1]["status"] != "ok":
        time.sleep(0.01)
    healthy = (time.perf_counter() - started) * 1000
    version = b.command("next")[1]["version"]
    while a.state()["version"] != version:
        time.sleep(0.01)
    seen = (time.perf_counter() - started) * 1000
    return f"healthy after {healthy:.0f} ms, a command on one seen by the other after {seen:.0f} ms"


async def main(n: int) -> None:
    tmp = Path(tempfile.mkdtemp())
    redis = RedisServer(tmp / "redis", binary=shutil.which("redis-server"), appendonly=True)
    redis.start()
    shared = ["--redis", redis.url, *NO_LIMITS]
    a = Server(data_dir=tmp / "a", extra_args=shared).start()
    b = Server(data_dir=tmp / "b", extra_args=shared).start()
    files = Server(data_dir=tmp / "files", extra_args=NO_LIMITS).start()
    try:
        for server in (a, files):
            server.command("start_session", session_id="session-1")
        for name, commanded, watched in [
            ("files, one process", files, files),
            ("redis, one process", a, a),
            ("redis, process A -> viewer of B", a, b),
        ]:
            ms = sorted(await push_ms(commanded, watched, n))
            median, p95 = statistics.median(ms), ms[int(0.95 * len(ms))]
            print(f"{name:32} median {median:6.2f} ms  p95 {p95:6.2f} ms  max {ms[-1]:6.2f} ms")
        print(f"commands: {n} each")
        print("redis stopped (AOF), started: ", recovery_ms(redis, False, a, b))
        print("redis killed, started empty:  ", recovery_ms(redis, True, a, b))
    finally:
        for server in (a, b, files):
            server.kill()
        redis.kill()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))

"""Not a test: the figure for docs/protocol.md ("Readiness"). How long after a speaker's
page authenticates on process A (or says "ready") a moderator on process B, sharing one
Redis, gets the readiness push that shows it. Needs redis-server on PATH.

    .venv/bin/python -m tests.measure_readiness [TIMES]
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

from tests.clients import moderator
from tests.helpers import Server, recv_type
from tests.redis_server import RedisServer
from tests.server.test_speakers import links, readiness_until, speaker, token_of

SPEAKER = "luis-romero"


async def seen_ms(a: Server, b: Server, n: int) -> tuple[list[float], list[float]]:
    token = token_of(links(a)[SPEAKER])
    connected, ready = [], []
    async with moderator(b) as mod:
        await recv_type(mod, "readiness")
        for i in range(n):
            started = time.perf_counter()
            ws = await speaker(a, token)
            async with ws:
                await readiness_until(mod, SPEAKER, connected=True)
                connected.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                await ws.send(json.dumps({"type": "ready", "id": i, "ready": True}))
                await readiness_until(mod, SPEAKER, ready=True)
                ready.append((time.perf_counter() - started) * 1000)
            await readiness_until(mod, SPEAKER, connected=False)
    return connected, ready


async def main(n: int) -> None:
    tmp = Path(tempfile.mkdtemp())
    redis = RedisServer(tmp / "redis", binary=shutil.which("redis-server"))
    redis.start()
    shared = ["--redis", redis.url]
    env = {"PODIUM_SPEAKER_KEY": "measure-readiness-key-0123456789"}
    a = Server(data_dir=tmp / "a", extra_args=shared, env=env).start()
    b = Server(data_dir=tmp / "b", extra_args=shared, env=env).start()
    try:
        for name, ms in zip(("connected", "ready"), await seen_ms(a, b, n), strict=True):
            ms.sort()
            median, p95 = statistics.median(ms), ms[int(0.95 * len(ms))]
            print(f"A -> moderator on B, {name:9} median {median:6.2f} ms  p95 {p95:6.2f} ms"
                  f"  max {ms[-1]:6.2f} ms  ({n} times)")  # fmt: skip
    finally:
        a.kill()
        b.kill()
        redis.kill()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100))

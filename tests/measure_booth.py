"""Not a test: the figure for docs/protocol.md ("The interpreters' booth"). How long a
moderator's timer command takes to be acknowledged, alone and while booths flood the
server with booth signals (every flooder with the interpreter token, as fast as it can
send, reconnecting when its connection is closed for sending too much), with each store.
Redis needs redis-server on PATH.

    .venv/bin/python -m tests.measure_booth [COMMANDS] [FLOODERS]
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from multiprocessing import Process, Queue
from pathlib import Path

import websockets

from tests.clients import moderator
from tests.helpers import Server, recv_type
from tests.redis_server import RedisServer

BOOTH = "interpreter-token-0123456789abcdefghij"


async def timed(server: Server, commands: int) -> list[float]:
    """Milliseconds from sending each of ``commands`` add_time commands to its ack."""
    took = []
    async with moderator(server) as ws:
        for n in range(commands):
            started = time.perf_counter()
            body = {"action": "add_time", "seconds": 1 if n % 2 else -1}
            await ws.send(json.dumps({"type": "command", "id": n, "command": body}))
            answer = await recv_type(ws, "ack")
            assert answer["id"] == n, answer
            took.append((time.perf_counter() - started) * 1000)
    return took


async def flood(url: str, counts: dict[str, int], until: float) -> None:
    """One booth laptop gone wrong: booth signals as fast as it can send them."""
    while time.monotonic() < until:
        with contextlib.suppress(websockets.ConnectionClosed, OSError):
            async with websockets.connect(f"{url}?client=booth") as ws:
                await ws.send(json.dumps({"type": "auth", "token": BOOTH}))
                n = 0
                while time.monotonic() < until:
                    n += 1
                    frame = {"type": "booth_signal", "id": n, "signal": "slow_down"}
                    await ws.send(json.dumps(frame))
                    counts["sent"] += 1
                    while True:  # drain what came back without waiting for it
                        try:
                            got = json.loads(await asyncio.wait_for(ws.recv(), 0.001))
                        except TimeoutError:
                            break
                        kind = got.get("code", got["type"])
                        counts[kind] = counts.get(kind, 0) + 1


def flooding(url: str, flooders: int, seconds: float, out: Queue) -> None:
    """The flooders, in a process of their own (the timing client's loop stays free)."""
    counts: dict[str, int] = {"sent": 0}
    until = time.monotonic() + seconds

    async def run() -> None:
        await asyncio.gather(*(flood(url, counts, until) for _ in range(flooders)))

    asyncio.run(run())
    out.put(counts)


def summary(took: list[float]) -> str:
    cut = statistics.quantiles(took, n=100, method="inclusive")
    return f"p50 {cut[49]:.1f} ms, p99 {cut[98]:.1f} ms, max {max(took):.1f} ms"


async def measure(server: Server, commands: int, flooders: int) -> None:
    status, _ = server.command("start_session", session_id="session-1")
    assert status == 200
    alone = await timed(server, commands)
    out: Queue = Queue()
    seconds = 2 + len(alone) * statistics.mean(alone) / 1000 * 4
    process = Process(target=flooding, args=(server.ws_url, flooders, seconds, out))
    process.start()
    await asyncio.sleep(1)  # the flood under way
    during = await timed(server, commands)
    counts = await asyncio.to_thread(out.get)
    process.join()
    print(f"  alone:              {summary(alone)}")
    print(f"  during the flood:   {summary(during)}")
    print(f"  booth frames in {seconds:.1f} s: {counts}")


def main() -> None:
    commands = int(sys.argv[1]) if len(sys.argv) > 1 else 50  # under --limit-commands
    flooders = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    env = {"PODIUM_INTERPRETER_TOKEN": BOOTH}
    for store in ("files", "redis"):
        folder = Path(tempfile.mkdtemp())
        redis = None
        if store == "redis":
            if not shutil.which("redis-server"):
                print("redis: no redis-server on PATH")
                continue
            redis = RedisServer(folder / "redis", binary=shutil.which("redis-server")).start()
        args = ["--redis", redis.url, "--redis-prefix", redis.prefix] if redis else []
        server = Server(data_dir=folder / "data", env=env, extra_args=args).start()
        try:
            print(f"{store}: {commands} timer commands, {flooders} booth connections flooding")
            asyncio.run(measure(server, commands, flooders))
        finally:
            server.kill()
            if redis is not None:
                redis.finish()


if __name__ == "__main__":
    main()

"""Not a test: the figure for docs/performance.md ("A caption storm"). How long a timer
change takes to reach a viewer (from the moderator's send to the viewer's state push) with
no captions, then while a captioner floods the room with lines (interim guesses and final
lines, three to one, far above the default --limit-captions, which the server is started
without here) and every viewer receives each one.

The flood and the crowd of viewers run in a process of their own at a lower priority, as
the question storm does (``podium bench --question-storm``): their CPU is not the server's.

    .venv/bin/python -m tests.measure_captions [LINES_PER_S] [VIEWERS] [COMMANDS]
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import websockets

from tests.clients import moderator
from tests.helpers import Server, recv_type

CAPTIONER = "captioner-token-0123456789abcdefghij"
TEXT = "and the cost of the rollout is shared between the operators and the state, {n}"


async def _crowd(ws_url: str, viewers: int, rate: float, seconds: float) -> dict[str, int]:
    """``viewers`` connections that read everything, and a captioner sending ``rate``
    lines a second for ``seconds`` over its WebSocket, each answered before the next."""
    crowd = [await websockets.connect(ws_url, max_size=None) for _ in range(viewers)]
    received = 0

    async def read(ws: websockets.ClientConnection) -> None:
        nonlocal received
        async for _ in ws:
            received += 1

    readers = [asyncio.create_task(read(ws)) for ws in crowd]
    sent = acked = 0
    async with websockets.connect(ws_url + "&client=captioner") as cart:
        await cart.send(json.dumps({"type": "auth", "token": CAPTIONER}))
        await recv_type(cart, "auth_ok")
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            final = sent % 4 == 3
            line = {"type": "caption", "id": sent, "text": TEXT.format(n=sent), "final": final}
            await cart.send(json.dumps(line))
            sent += 1
            while (answer := json.loads(await cart.recv()))["type"] not in ("ack", "error"):
                pass
            acked += answer["type"] == "ack"
            await asyncio.sleep(max(0.0, started + sent / rate - time.monotonic()))
    for ws in crowd:
        await ws.close()
    await asyncio.gather(*readers, return_exceptions=True)
    return {"sent": sent, "acked": acked, "frames_read": received}


def crowd(ws_url: str, viewers: int, rate: float, seconds: float) -> dict[str, int]:
    os.nice(10)
    return asyncio.run(_crowd(ws_url, viewers, rate, seconds))


async def timer_changes(server: Server, count: int) -> list[float]:
    """Milliseconds from a command's send to a viewer's state push of its version."""
    took = []
    async with moderator(server) as mod, websockets.connect(server.ws_url) as viewer:
        await recv_type(viewer, "snapshot")
        for n in range(count):
            command = {"action": "add_time", "seconds": 1 if n % 2 else -1}
            sent = time.perf_counter()
            await mod.send(json.dumps({"type": "command", "id": n, "command": command}))
            version = (await recv_type(mod, "ack"))["version"]
            while (await recv_type(viewer, "state"))["version"] < version:
                pass
            took.append((time.perf_counter() - sent) * 1000)
            await asyncio.sleep(0.05)
    return took


def figures(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p99 = ms[min(len(ms) - 1, int(0.99 * len(ms)))]
    return (f"{name:22} median {statistics.median(ms):6.2f} ms  p99 {p99:6.2f} ms"
            f"  max {ms[-1]:6.2f} ms  ({len(ms)} changes)")  # fmt: skip


async def main(rate: float, viewers: int, count: int) -> None:
    tmp = Path(tempfile.mkdtemp())
    server = Server(
        data_dir=tmp / "data",
        extra_args=[
            *("--limit-captions", "1000000/1", "--limit-messages", "1000000/1"),
            *("--limit-commands", "1000000/1"),
        ],
        env={"PODIUM_CAPTIONS_TOKEN": CAPTIONER},
    ).start()
    try:
        server.command("start_session", session_id="session-1")
        calm = await timer_changes(server, count)
        loop = asyncio.get_running_loop()
        with ProcessPoolExecutor(1) as pool:
            seconds = count * 0.06 + 3
            flood = loop.run_in_executor(pool, crowd, server.ws_url, viewers, rate, seconds)
            await asyncio.sleep(1.5)  # the crowd connected and the flood under way
            storm = await timer_changes(server, count)
            counts = await flood
        print(f"{viewers} viewers; a captioner sending {rate:g} lines/s (1 final in 4)")
        print(figures("without captions", calm))
        print(figures("during the flood", storm))
        per_s = counts["acked"] / seconds
        print(f"captions: {counts['sent']} sent, {counts['acked']} acknowledged"
              f" ({per_s:.0f}/s), {counts['frames_read']} frames read by the viewers")  # fmt: skip
    finally:
        server.kill()


if __name__ == "__main__":
    args = [float(a) for a in sys.argv[1:]]
    rate, viewers, count = (args + [50, 500, 200][len(args) :])[:3]
    asyncio.run(main(rate, int(viewers), int(count)))

"""Not a test: figures for issue 25 (the plan on the day). What keeping the running plan
in the state costs a command (the state's size, its encoding, ``apply``), and how long a
plan edit takes from the moderator's request to a viewer's programme message on a real
server, against a timer command's state push.

    .venv/bin/python -m tests.measure_plan [EDITS]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path

import websockets

from podium.core import engine, projection
from podium.core.commands import parse_command
from podium.core.config.programme_file import load
from podium.core.state import initial_state
from podium.core.wire.protocol import encode
from tests.helpers import SEED, Server

T0 = 1_700_000_000_000
NO_LIMITS = ["--limit-commands", "100000/1", "--limit-messages", "100000/1"]


def micro_us(call: Callable[[], object], n: int = 2000) -> float:
    return round(timeit.timeit(call, number=n) / n * 1e6, 1)


def in_process() -> None:
    p = load(SEED)
    start = parse_command({"action": "start_session", "session_id": "session-1"})
    state = engine.apply(p, initial_state(p, T0), start, T0).state
    before = state.model_copy(update={"plans": ()})  # a room made before plans were kept
    tick = parse_command({"action": "add_time", "seconds": 5})
    edit = parse_command({"action": "update_speaker", "speaker_id": "duo-liu",
                          "fields": {"affiliation": "ITU"}})  # fmt: skip
    edited = engine.apply(p, state, edit, T0 + 1000).state
    print(f"state JSON: {len(state.model_dump_json())} bytes with plan 0,"
          f" {len(before.model_dump_json())} without")  # fmt: skip
    print(f"state encoding: {micro_us(state.model_dump_json)} us,"
          f" {micro_us(before.model_dump_json)} us without")  # fmt: skip
    print(f"apply add_time: {micro_us(lambda: engine.apply(p, state, tick, T0 + 1000))} us,"
          f" {micro_us(lambda: engine.apply(p, before, tick, T0 + 1000))} us without")  # fmt: skip
    print(f"apply update_speaker: {micro_us(lambda: engine.apply(p, state, edit, T0 + 1000))} us")
    message = encode(projection.programme_view(p, edited))
    encoding = micro_us(lambda: encode(projection.programme_view(p, edited)), 200)
    print(f"programme message: {len(message)} bytes, {encoding} us to make (once per change)")


async def pushes(server: Server, n: int) -> tuple[list[float], list[float]]:
    """Milliseconds from a command's request to a viewer's programme message (an edit) or
    state message (add_time), ``n`` of each."""
    edits, ticks = [], []
    async with websockets.connect(server.ws_url) as ws:
        await ws.recv()  # the snapshot
        server.command("start_session", session_id="session-1")
        await ws.recv()
        for i in range(n):
            for kind, out in (("programme", edits), ("state", ticks)):
                sent = time.perf_counter()
                if kind == "programme":
                    field = {"affiliation": f"ITU {i}"}
                    server.command("update_speaker", speaker_id="duo-liu", fields=field)
                else:
                    server.command("add_time", seconds=1)
                while json.loads(await ws.recv())["type"] != kind:
                    pass
                out.append((time.perf_counter() - sent) * 1000)
                if kind == "programme":
                    await ws.recv()  # its state
    return edits, ticks


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    in_process()
    with tempfile.TemporaryDirectory() as folder:
        server = Server(data_dir=Path(folder) / "data", extra_args=NO_LIMITS).start()
        try:
            edits, ticks = asyncio.run(pushes(server, n))
        finally:
            server.kill()
    for name, got in (("plan edit -> programme message", edits), ("add_time -> state", ticks)):
        print(f"{name}: median {statistics.median(got):.1f} ms, max {max(got):.1f} ms (n={n})")


if __name__ == "__main__":
    main()

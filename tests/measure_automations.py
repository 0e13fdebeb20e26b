"""Not a test: the figures for docs/integrations.md ("What it costs the moderator"). The
moderator's command ack over the WebSocket (next/previous, each making two events) with no
automations, with a receiver that answers at once, and with one that hangs plus one that is
down; and how late the timed events (warning, danger, overtime) reach a receiver after
their moment. The receiver runs in a process of its own (so its work does not slow the
measuring client), on this machine: one clock.

    .venv/bin/python -m tests.measure_automations [COMMANDS] [TURNS] [GAP_MS]

GAP_MS between commands (0: back to back, each command's deliveries compete with the next
command for the server's loop; 100: a busy moderator, the deliveries are done before the
next press).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web

from tests.clients import moderator
from tests.helpers import Server, free_port, recv_type
from tests.server.test_automations_live import EVERY, PROGRAMME

UNLIMITED = ["--limit-commands", "100000/1", "--limit-messages", "100000/1"]


async def receive(port: int, log: Path) -> None:
    """The receiver process: ``/ok`` answers at once, ``/hang`` never; each body is logged
    with when it arrived."""

    async def handle(request: web.Request) -> web.Response:
        body = await request.json()
        with log.open("a") as f:
            f.write(json.dumps({"arrived": time.time() * 1000, "body": body}) + "\n")
        if request.match_info["mode"] == "hang":
            await asyncio.Event().wait()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/{mode}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await asyncio.Event().wait()


async def acks_ms(server: Server, n: int, gap_ms: int) -> list[float]:
    ms = []
    async with moderator(server) as ws:
        start = {"action": "start_session", "session_id": "s1"}
        await ws.send(json.dumps({"type": "command", "id": -1, "command": start}))
        await recv_type(ws, "ack")
        for i in range(n):
            action = "next" if i % 2 == 0 else "previous"
            started = time.perf_counter()
            await ws.send(json.dumps({"type": "command", "id": i, "command": {"action": action}}))
            reply = await recv_type(ws, "ack")
            ms.append((time.perf_counter() - started) * 1000)
            assert reply["id"] == i
            await asyncio.sleep(gap_ms / 1000)
    return ms


def line(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    median, p95 = statistics.median(ms), ms[int(0.95 * len(ms))]
    return f"{name:38} median {median:6.2f} ms  p95 {p95:6.2f} ms  max {ms[-1]:7.2f} ms"


def serving(tmp: Path, name: str, urls: list[str]) -> Server:
    path = tmp / f"{name}.toml"
    hooks = "".join(f'\n[[automations]]\non = {json.dumps(EVERY)}\nurl = "{u}"\n' for u in urls)
    path.write_text(PROGRAMME + hooks)
    return Server(data_dir=tmp / name, programmes=[path], extra_args=UNLIMITED).start()


async def timed_late_ms(server: Server, turns: int) -> None:
    async with moderator(server) as ws:
        for i in range(turns):
            action = {"action": "goto", "speaker_id": "ann"} if i else {
                "action": "start_session", "session_id": "s1"}  # fmt: skip
            await ws.send(json.dumps({"type": "command", "id": i, "command": action}))
            await recv_type(ws, "ack")
            await asyncio.sleep(5.4)  # ann's 5 s: warning at 2 s, danger at 4 s, overtime at 5
            await ws.send(json.dumps({"type": "command", "id": f"n{i}",
                                      "command": {"action": "next"}}))  # fmt: skip
            await recv_type(ws, "ack")


async def main(n: int, turns: int, gap_ms: int) -> None:
    tmp = Path(tempfile.mkdtemp())
    port, log = free_port(), tmp / "received.jsonl"
    receiver = subprocess.Popen([sys.executable, "-m", "tests.measure_automations", "receive",
                                 str(port), str(log)])  # fmt: skip
    await asyncio.sleep(1.0)
    url = f"http://127.0.0.1:{port}"
    setups = {
        "no automations": [],
        "a receiver that answers": [f"{url}/ok"],
        "one that hangs, one that is down": [f"{url}/hang", f"http://127.0.0.1:{free_port()}/"],
    }
    try:
        for i, (name, urls) in enumerate(setups.items()):
            server = serving(tmp, f"acks-{i}", urls)
            try:
                print(line(f"ack, {name}", await acks_ms(server, n, gap_ms)), flush=True)
            finally:
                server.kill()
        log.unlink(missing_ok=True)
        server = serving(tmp, "timed", [f"{url}/ok"])
        try:
            await timed_late_ms(server, turns)
        finally:
            server.kill()
        got = [json.loads(row) for row in log.read_text().splitlines()]
        late = [g["arrived"] - g["body"]["at"] for g in got
                if g["body"]["event"] in ("warning", "danger", "overtime")]  # fmt: skip
        print(line(f"timed events after their moment ({len(late)})", late))
    finally:
        receiver.kill()


if __name__ == "__main__":
    if sys.argv[1:2] == ["receive"]:
        asyncio.run(receive(int(sys.argv[2]), Path(sys.argv[3])))
    else:
        args = [int(a) for a in sys.argv[1:]]
        asyncio.run(main(*(args + [300, 5, 0][len(args) :])))

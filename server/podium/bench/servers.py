"""The servers under test: where they are (``Target``), starting a local one until it answers
``/healthz``, reading its processes' CPU time and memory from ``/proc``, and the room's
programme over HTTP."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podium.bench.options import BenchFailed
from podium.core.errors import InvalidInput


@dataclass
class Target:
    """A server to measure: where it is, and (when local) its processes for /proc.

    With several processes (sharing one Redis), viewers are spread over ``ws_urls`` and
    the moderator uses the first; CPU and memory are the sum over ``pids``.
    """

    name: str
    ws_urls: list[str]
    http_url: str
    token: str
    pids: list[int] = field(default_factory=list)
    questions_token: str = ""  # approves questions (the question storm); else ``token``

    @property
    def ws_url(self) -> str:
        return self.ws_urls[0]


def proc_sample(pids: list[int]) -> tuple[float, int] | None:
    """(CPU seconds used so far, resident bytes) of local processes, summed, from /proc."""
    samples = [_proc_sample(pid) for pid in pids]
    if not samples or None in samples:
        return None
    return sum(s[0] for s in samples if s), sum(s[1] for s in samples if s)


def _proc_sample(pid: int) -> tuple[float, int] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    rss_kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    return cpu, rss_kib * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_json(url: str, timeout: float = 5.0) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


def pin_cpus(servers: int) -> list[set[int]]:
    """``--pin``: a CPU of its own for each local server, the others for the load: this
    process and the viewers' and the storm's processes it starts (they inherit it). On a
    machine that must hold both, the nearest thing to a load generator elsewhere."""
    if not hasattr(os, "sched_setaffinity"):
        raise InvalidInput("--pin needs Linux (sched_setaffinity); run without it")
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < servers + 1:
        raise InvalidInput(
            f"--pin needs a CPU for each server and one for the load; {len(cpus)} available"
        )
    os.sched_setaffinity(0, set(cpus[servers:]))
    return [{cpu} for cpu in cpus[:servers]]


@contextlib.contextmanager
def local_server(
    name: str, args: list[str], workdir: Path, env: dict[str, str], cpus: set[int] | None = None
) -> Iterator[tuple[int, int]]:
    """Run ``python -m ARGS --port N`` until it answers /healthz; yield (port, pid); stop it.
    With ``cpus``, it runs on those alone (set before it has started a thread)."""
    port = free_port()
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", *args, "--host", "127.0.0.1", "--port", str(port)],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    if cpus:
        os.sched_setaffinity(proc.pid, cpus)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise BenchFailed(f"the {name} server did not start: {log_path.read_text()[-800:]}")
            try:
                http_json(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except (OSError, ValueError):
                time.sleep(0.05)
        yield port, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def ws_and_http(url: str, room: str | None) -> tuple[str, str]:
    """``http://host:port[/...][?room=R]`` or ``ws://...`` -> (WebSocket URL, HTTP base)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc:
        raise InvalidInput(f"{url!r} is not a server URL; give e.g. http://127.0.0.1:8080")
    secure = parts.scheme in ("https", "wss")
    room = room or urllib.parse.parse_qs(parts.query).get("room", [None])[0]
    query = f"?room={urllib.parse.quote(room)}&client=bench" if room else "?client=bench"
    ws = f"{'wss' if secure else 'ws'}://{parts.netloc}/ws{query}"
    http = f"{'https' if secure else 'http'}://{parts.netloc}"
    return ws, http


def pick_session(http: str, room: str | None) -> str:
    """The first session with two speakers or more (so next/previous always apply)."""
    query = f"?room={urllib.parse.quote(room)}" if room else ""
    try:
        programme = http_json(f"{http}/api/programme{query}")
    except (OSError, ValueError) as exc:
        raise BenchFailed(f"cannot read {http}/api/programme: {exc}; is Podium running?") from None
    sessions = programme.get("sessions", [])
    chosen = next((s for s in sessions if len(s.get("speakers", [])) >= 2), None)
    if chosen is None:
        raise BenchFailed("the programme has no session with two speakers; bench another one")
    return str(chosen["id"])

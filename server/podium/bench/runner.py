"""``podium bench``: fan-out at scale, measured.

Connect N viewers spread over P client processes (``bench_client.py``), wait until every
one has its snapshot, then have a moderator issue M commands (a realistic mix: next, pause,
resume, add_time, show_message) one after the other. For every viewer and every command
the delay from the command being sent to that viewer first holding the new version is
measured on one clock (``time.time_ns``, shared by all processes of the machine). Then a
timer runs with nothing happening, to count idle bytes; optionally every viewer is dropped
at once and the bench times until all are back with the current version.

Without a URL the bench starts its own ``podium serve`` for the seed event (temporary data
dir, known moderator token, a free loopback port) and reads the server's CPU time and
memory from ``/proc``. ``--baseline`` then measures a minimal broadcast server
(``bench_baseline.py``) the same way, in the same run, and reports Podium/baseline ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from websockets.asyncio.client import ClientConnection, connect

from podium.bench.client import watch_pipe, worker_main
from podium.bench.report import ratios, summary, table
from podium.core.errors import InvalidInput, PodiumError, present
from podium.live.fdlimit import raise_open_file_limit

MIX = ("next", "pause", "add_time", "resume", "show_message")
SETTLE_S = 0.05  # pause between commands, so each is measured on its own


class BenchFailed(PodiumError):
    code = "bench_failed"


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

    @property
    def ws_url(self) -> str:
        return self.ws_urls[0]


@dataclass
class Options:
    viewers: int
    commands: int
    processes: int
    concurrency: int
    idle_s: float
    storm: bool
    session_id: str = ""
    progress: Progress | None = None


# -- the server's process --------------------------------------------------------------------


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


@contextlib.contextmanager
def local_server(
    name: str, args: list[str], workdir: Path, env: dict[str, str]
) -> Iterator[tuple[int, int]]:
    """Run ``python -m ARGS --port N`` until it answers /healthz; yield (port, pid); stop it."""
    port = free_port()
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", *args, "--host", "127.0.0.1", "--port", str(port)],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
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


# -- the viewers ------------------------------------------------------------------------------


@dataclass(eq=False)
class WorkerHandle:
    process: Any
    pipe: Connection
    replies: asyncio.Queue[tuple[Any, ...]] = field(default_factory=asyncio.Queue)
    joined: int = 0
    failed: int = 0
    have: dict[int, int] = field(default_factory=dict)


class Fleet:
    """The client processes and what they last reported."""

    def __init__(self, workers: list[WorkerHandle]) -> None:
        self.workers = workers
        self.changed = asyncio.Event()

    @classmethod
    async def start(cls, urls: list[str], opts: Options) -> Fleet:
        ctx = mp.get_context("spawn")
        workers: list[WorkerHandle] = []
        share, extra = divmod(opts.viewers, opts.processes)
        for i in range(opts.processes):
            parent, child = ctx.Pipe()
            count = share + (1 if i < extra else 0)
            process = ctx.Process(
                target=worker_main,
                args=(child, urls[i % len(urls)], count, opts.concurrency),
                daemon=True,
            )
            process.start()
            child.close()
            workers.append(WorkerHandle(process, parent))
        fleet = cls(workers)
        for worker in workers:
            watch_pipe(worker.pipe, fleet._on_pipe, worker)
        await fleet.replies("ready", timeout=60)
        return fleet

    def _on_pipe(self, worker: WorkerHandle) -> None:
        while worker.pipe.poll():
            try:
                message = worker.pipe.recv()
            except EOFError:
                asyncio.get_running_loop().remove_reader(worker.pipe.fileno())
                worker.replies.put_nowait(("gone",))
                return
            if message[0] == "progress":
                _, worker.joined, worker.failed, worker.have = message
                self.changed.set()
            else:
                worker.replies.put_nowait(message)

    @property
    def joined(self) -> int:
        return sum(w.joined for w in self.workers)

    @property
    def failed(self) -> int:
        return sum(w.failed for w in self.workers)

    def have(self, version: int) -> int:
        return sum(w.have.get(version, 0) for w in self.workers)

    def send(self, message: tuple[Any, ...]) -> None:
        for worker in self.workers:
            worker.pipe.send(message)

    async def replies(self, kind: str, timeout: float) -> list[tuple[Any, ...]]:
        async def one(worker: WorkerHandle) -> tuple[Any, ...]:
            message = await worker.replies.get()
            if message[0] != kind:
                raise BenchFailed(f"a client process stopped (expected {kind!r}, got {message})")
            return message

        try:
            return await asyncio.wait_for(asyncio.gather(*(one(w) for w in self.workers)), timeout)
        except TimeoutError:
            raise BenchFailed(f"the client processes did not answer {kind!r} in time") from None

    async def ask(self, message: tuple[Any, ...], timeout: float) -> list[tuple[Any, ...]]:
        self.send(message)
        return await self.replies(message[0], timeout)

    async def until(
        self, done: Callable[[], bool], timeout: float, tick: Callable[[], None] | None = None
    ) -> bool:
        """Wait until ``done()`` holds (re-checked on each report); False on timeout."""
        deadline = time.monotonic() + timeout
        while not done():
            if tick is not None:
                tick()
            self.changed.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), left)
        if tick is not None:
            tick()
        return True

    def stop(self) -> None:
        loop = asyncio.get_running_loop()
        for worker in self.workers:
            with contextlib.suppress(OSError, ValueError):
                loop.remove_reader(worker.pipe.fileno())
                worker.pipe.send(("stop",))
        for worker in self.workers:
            worker.process.join(10)
            if worker.process.is_alive():
                worker.process.kill()


# -- the moderator ----------------------------------------------------------------------------


class Moderator:
    """One authenticated console: sends commands, times their acks, follows the state."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.version = -1
        self.state: dict[str, Any] = {}
        self.frame_bytes = 0
        self.stamped: dict[int, int] = {}  # version -> server_time (epoch ms) of its push
        self.waiting: dict[int, asyncio.Future[tuple[int, int]]] = {}
        self.moved = asyncio.Event()
        self.ids = iter(range(1, 1 << 62))
        self.reader: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, url: str, token: str) -> Moderator:
        ws = await connect(url, compression=None, proxy=None, max_size=None, open_timeout=60)
        moderator = cls(ws)
        text = await asyncio.wait_for(ws.recv(), 30)
        moderator._take(json.loads(text), _size(text))
        await ws.send(json.dumps({"type": "auth", "token": token}))
        while True:
            text = await asyncio.wait_for(ws.recv(), 30)
            message = json.loads(text)
            if message["type"] == "auth_ok":
                break
            if message["type"] == "error":
                raise BenchFailed(f"the moderator token was refused: {message['message']}")
            moderator._take(message, _size(text))
        moderator.reader = asyncio.create_task(moderator._read())
        return moderator

    def _take(self, message: dict[str, Any], size: int) -> None:
        if message.get("type") in ("state", "snapshot") and message["version"] > self.version:
            self.version = message["version"]
            self.stamped[self.version] = message["server_time"]
            self.state = message["state"]
            self.frame_bytes = size
            self.moved.set()

    async def _read(self) -> None:
        async for text in self.ws:
            now = time.time_ns()
            message = json.loads(text)
            kind = message.get("type")
            waiter = self.waiting.pop(message.get("id"), None) if kind in ("ack", "error") else None
            if waiter is not None and not waiter.done():
                if kind == "ack":
                    waiter.set_result((message["version"], now))
                else:
                    waiter.set_exception(BenchFailed(f"the server refused: {message['message']}"))
            self._take(message, _size(text))

    async def send(self, command: dict[str, Any]) -> tuple[int, int, int]:
        """Send a command; (new version, sent at, acked at) in time_ns."""
        msg_id = next(self.ids)
        waiter: asyncio.Future[tuple[int, int]] = asyncio.get_running_loop().create_future()
        self.waiting[msg_id] = waiter
        sent = time.time_ns()
        await self.ws.send(json.dumps({"type": "command", "id": msg_id, "command": command}))
        version, acked = await asyncio.wait_for(waiter, 60)
        return version, sent, acked

    async def caught_up(self, version: int) -> None:
        while self.version < version:
            self.moved.clear()
            await asyncio.wait_for(self.moved.wait(), 30)

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        await self.ws.close()


def _size(text: str | bytes) -> int:
    return len(text.encode() if isinstance(text, str) else text)


def plan(index: int, state: dict[str, Any]) -> dict[str, Any]:
    """The ``index``-th command of the mix, made valid for ``state``."""
    action = MIX[index % len(MIX)]
    timer = (state.get("timer") or {}).get("status")
    if action == "next" and not state.get("next_speaker"):
        action = "previous"
    elif action in ("pause", "resume"):
        action = "pause" if timer == "running" else "resume"
    if action == "add_time":
        return {"action": action, "seconds": 30}
    if action == "show_message":
        return {"action": action, "text": f"Please take your seats ({index})", "target": "viewers"}
    return {"action": action}


# -- one server under test -------------------------------------------------------------------


def _task(opts: Options, label: str, total: int) -> Callable[[int], None]:
    progress = opts.progress
    if progress is None:
        return lambda done: None
    task = progress.add_task(label, total=total)
    return lambda done: progress.update(task, completed=done)


class Measurement:
    """One server under test: its viewers, its moderator, and what was measured.

    The bench drives several of these in step (Podium and the baseline take turns, command
    by command), so a burst of load from elsewhere on a shared machine hits both alike.
    """

    def __init__(self, target: Target, opts: Options) -> None:
        self.target = target
        self.opts = opts
        self.fleet: Fleet | None = None
        self.moderator: Moderator | None = None
        self.joined = 0
        self.samples: dict[str, tuple[float, int] | None] = {}
        self.sent: dict[int, int] = {}
        self.acks: list[float] = []
        self.per_command: list[dict[str, Any]] = []
        self.command_cpu_s = 0.0  # server CPU from each command sent until all have it
        self.result: dict[str, Any] = {"viewers": opts.viewers, "idle": None, "storm": None}

    def sample(self, name: str) -> None:
        self.samples[name] = proc_sample(self.target.pids)

    def connected(self) -> tuple[Fleet, Moderator]:
        """The viewers' fleet and the moderator, which ``join`` opened."""
        before_join = f"{self.target.name}: measured before join()"
        return present(self.fleet, before_join), present(self.moderator, before_join)

    async def _everyone_has(self, version: int) -> None:
        fleet, joined = self.connected()[0], self.joined
        await fleet.until(lambda: fleet.have(version) >= joined, timeout=10 + joined / 500)

    async def join(self) -> None:
        """Start the client processes, connect every viewer, then the moderator."""
        n = self.opts.viewers
        self.fleet = fleet = await Fleet.start(self.target.ws_urls, self.opts)
        self.sample("before")
        show = _task(self.opts, f"{self.target.name}: joining", n)
        started = time.time_ns()
        fleet.send(("join",))
        await fleet.until(
            lambda: fleet.joined + fleet.failed >= n, 60 + n / 50, lambda: show(fleet.joined)
        )
        self.result["join_s"] = round((time.time_ns() - started) / 1e9, 3)
        self.joined = fleet.joined
        if self.joined == 0:
            raise BenchFailed(f"no viewer could connect to {self.target.ws_url}")
        self.sample("joined")
        self.moderator = moderator = await Moderator.open(self.target.ws_url, self.target.token)
        if moderator.state.get("phase") != "live":
            start = {"action": "start_session", "session_id": self.opts.session_id}
            version, _, _ = await moderator.send(start)
            await self._everyone_has(version)

    async def command(self, index: int) -> None:
        """The ``index``-th command of the mix, timed until every viewer has it."""
        moderator = self.connected()[1]
        await moderator.caught_up(max(self.sent, default=0))
        before = proc_sample(self.target.pids)
        command = plan(index, moderator.state)
        version, sent_at, acked_at = await moderator.send(command)
        self.sent[version] = sent_at
        self.acks.append((acked_at - sent_at) / 1e6)
        await self._everyone_has(version)
        after = proc_sample(self.target.pids)
        if before is not None and after is not None:
            self.command_cpu_s += after[0] - before[0]
        await moderator.caught_up(version)
        self.per_command.append(
            {
                "version": version,
                "action": command["action"],
                "ack_ms": round((acked_at - sent_at) / 1e6, 2),
                "stamped_after_ms": moderator.stamped[version] - sent_at // 1_000_000,
            }
        )

    async def run_timer(self) -> None:
        """Make sure a speaker's timer runs (for the idle window)."""
        moderator = self.connected()[1]
        await moderator.caught_up(max(self.sent, default=0))
        if (moderator.state.get("timer") or {}).get("status") == "paused":
            version, _, _ = await moderator.send({"action": "resume"})
            await self._everyone_has(version)

    async def wire_bytes(self) -> int:
        return sum(r[1] for r in await self.connected()[0].ask(("mark",), 30))

    def idle(self, first: int, last: int, seconds: float) -> None:
        per_min = (last - first) / self.joined * 60 / seconds
        start, end = self.samples.get("idle_start"), self.samples.get("idle_end")
        cpu = round((end[0] - start[0]) * 100 / seconds, 1) if start and end else None
        self.result["idle"] = {
            "window_s": seconds,
            "bytes_per_viewer_per_min": round(per_min, 2),
            "server_cpu_percent": cpu,
        }

    async def storm(self) -> None:
        """Drop every viewer at once; time until all are back with the current version."""
        fleet, moderator = self.connected()
        show = _task(self.opts, f"{self.target.name}: reconnect storm", 1)
        dropped_at = time.time_ns()
        answers = await fleet.ask(("storm", moderator.version), 120 + self.joined / 50)
        last_back = max(a[1] for a in answers)
        self.result["storm"] = {
            "back": sum(a[2] for a in answers),
            "failed": sum(a[3] for a in answers),
            "back_s": round((last_back - dropped_at) / 1e9, 3) if last_back else None,
        }
        show(1)

    async def finish(self) -> dict[str, Any]:
        """Collect every viewer's figures and stop the client processes."""
        fleet, moderator = self.connected()
        stamped = moderator.stamped
        commands = {v: (sent, stamped[v]) for v, sent in self.sent.items()}
        reports = [r[1] for r in await fleet.ask(("report", commands), 120)]
        by_version = {v: [x for r in reports for x in r["latencies_ms"][v]] for v in self.sent}
        latencies = [x for values in by_version.values() for x in values]
        for row in self.per_command:
            figures = summary(by_version[row["version"]])
            row |= {"p50_ms": figures["p50"], "max_ms": figures["max"]}
        self.result |= {
            "viewers_connected": self.joined,
            "join_failed": self.opts.viewers - self.joined,
            "connect_ms": summary([x for r in reports for x in r["connect_ms"]]),
            "commands": len(self.sent),
            "deliveries": len(latencies),
            "lost": sum(r["lost"] for r in reports),
            "latency_ms": summary(latencies),
            "fanout_ms": summary([x for r in reports for x in r["fanout_ms"]]),
            "ack_ms": summary(self.acks),
            "frame_bytes": moderator.frame_bytes,
            "server": self._server_figures(),
            "per_command": self.per_command,
        }
        await self.close()
        return self.result

    async def close(self) -> None:
        if self.moderator is not None:
            await self.moderator.close()
            self.moderator = None
        if self.fleet is not None:
            self.fleet.stop()
            self.fleet = None

    def _server_figures(self) -> dict[str, Any] | None:
        s = self.samples
        before, joined = s.get("before"), s.get("joined")
        if before is None or joined is None:
            return None
        cpu = self.command_cpu_s
        commands = max(1, len(self.sent))
        return {
            "rss_mib": round(joined[1] / 2**20, 1),
            "rss_kib_per_viewer": round((joined[1] - before[1]) / 1024 / self.joined, 2),
            "cpu_join_s": round(joined[0] - before[0], 2),
            "cpu_us_per_join": round((joined[0] - before[0]) * 1e6 / self.joined, 1),
            "cpu_commands_s": round(cpu, 3),
            "cpu_ms_per_command": round(cpu * 1000 / commands, 2),
            "cpu_us_per_delivery": round(cpu * 1e6 / (commands * self.joined), 3),
        }


async def measure(runs: list[Measurement], opts: Options) -> None:
    """Commands in turn on every server, then the idle window, then the storms."""
    show = _task(opts, "commands" + (" (in turn)" if len(runs) > 1 else ""), opts.commands)
    for i in range(opts.commands):
        for run in runs:
            await run.command(i)
            await asyncio.sleep(SETTLE_S)
        show(i + 1)
    if opts.idle_s > 0:
        for run in runs:
            await run.run_timer()
        first = [await run.wire_bytes() for run in runs]
        for run in runs:
            run.sample("idle_start")
        await asyncio.sleep(opts.idle_s)
        for run in runs:
            run.sample("idle_end")
        last = [await run.wire_bytes() for run in runs]
        for run, a, b in zip(runs, first, last, strict=True):
            run.idle(a, b, opts.idle_s)
    if opts.storm:
        for run in runs:
            await run.storm()


# -- the command ----------------------------------------------------------------------------


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


def machine() -> dict[str, Any]:
    mem = Path("/proc/meminfo")
    total = mem.read_text().split("\n", 1)[0].split()[1] if mem.exists() else None
    return {
        "nproc": os.cpu_count(),
        "mem_total_kib": int(total) if total else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_before": list(os.getloadavg()),
    }


def check_options(args: argparse.Namespace) -> None:
    if args.viewers < 1:
        raise InvalidInput("--viewers must be at least 1")
    if args.commands < 1:
        raise InvalidInput("--commands must be at least 1")
    if not 1 <= args.processes <= 256:
        raise InvalidInput("--processes must be between 1 and 256")
    if args.processes > args.viewers:
        raise InvalidInput("--processes cannot exceed --viewers; use fewer processes")
    if args.concurrency < 1:
        raise InvalidInput("--concurrency must be at least 1")
    if args.idle < 0:
        raise InvalidInput("--idle must be 0 (skip) or more seconds")
    if args.servers < 1:
        raise InvalidInput("--servers must be at least 1")
    if args.servers > 1 and not args.redis:
        raise InvalidInput("several --servers share one event only through --redis URL")
    if args.url and (args.servers > 1 or args.redis):
        raise InvalidInput("--servers and --redis start local servers; give no URL with them")
    if args.processes < args.servers:
        raise InvalidInput("give at least one client --processes per server")


def baseline_payload(state: dict[str, Any]) -> dict[str, Any]:
    """Podium's live state with a message shown: the size of a typical state frame."""
    message = {"text": "Please take your seats (0)", "target": "viewers", "at": 0}
    return {**state, "message": state.get("message") or message}


def podium_target(args: argparse.Namespace, workdir: Path, stack: contextlib.ExitStack) -> Target:
    """The server at URL, or one started here for the seed event."""
    if args.url:
        ws, http = ws_and_http(args.url, args.room)
        token = args.token or os.environ.get("PODIUM_MODERATOR_TOKEN", "")
        if not token:
            raise InvalidInput("give the moderator token: --token or PODIUM_MODERATOR_TOKEN")
        return Target("podium", [ws], http, token, [args.server_pid] if args.server_pid else [])
    token = secrets.token_urlsafe(24)
    env = {"PODIUM_MODERATOR_TOKEN": token}
    shared = ["--redis", args.redis, "--redis-prefix", f"bench-{secrets.token_hex(4)}"]
    target = Target("podium", [], "", token)
    for i in range(args.servers):
        serve = ["podium.cli", "serve", "--data-dir", str(workdir / f"data-{i}")]
        name = "podium" if args.servers == 1 else f"podium-{i + 1}"
        port, pid = stack.enter_context(
            local_server(name, serve + (shared if args.redis else []), workdir, env)
        )
        ws, http = ws_and_http(f"http://127.0.0.1:{port}", args.room)
        target.ws_urls.append(ws)
        target.pids.append(pid)
        target.http_url = target.http_url or http
    return target


async def run_bench(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    opts = Options(
        viewers=args.viewers,
        commands=args.commands,
        processes=args.processes,
        concurrency=args.concurrency,
        idle_s=args.idle,
        storm=args.reconnect_storm,
    )
    report: dict[str, Any] = {
        "viewers": args.viewers,
        "commands": args.commands,
        "processes": args.processes,
        "servers": args.servers,
        "store": "redis" if args.redis else ("files" if not args.url else None),
        "command_line": "podium bench " + " ".join(sys.argv[2:]),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "url": args.url,
    }
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with (
        tempfile.TemporaryDirectory(prefix="podium-bench-") as tmp,
        Progress(*columns, console=console, transient=False) as progress,
    ):
        opts.progress = progress
        workdir = Path(tmp)
        runs: list[Measurement] = []
        with contextlib.ExitStack() as stack:
            try:
                podium = Measurement(podium_target(args, workdir, stack), opts)
                runs.append(podium)
                opts.session_id = pick_session(podium.target.http_url, args.room)
                await podium.join()
                if args.baseline:
                    state = podium.connected()[1].state
                    state_file = workdir / "state.json"
                    state_file.write_text(json.dumps(baseline_payload(state)))
                    base = ["podium.bench.baseline", "--state", str(state_file)]
                    port, pid = stack.enter_context(local_server("baseline", base, workdir, {}))
                    ws, http = ws_and_http(f"http://127.0.0.1:{port}", None)
                    target = Target("baseline", [ws], http, "baseline", [pid])
                    baseline = Measurement(target, opts)
                    runs.append(baseline)
                    await baseline.join()
                await measure(runs, opts)
                for run in runs:
                    report[run.target.name] = await run.finish()
            finally:
                for run in runs:
                    await run.close()
        if args.baseline:
            report["ratios"] = ratios(report["podium"], report["baseline"])
    report["machine"]["load_after"] = list(os.getloadavg())
    return report


def cmd_bench(args: argparse.Namespace) -> int:
    check_options(args)
    raise_open_file_limit()
    console = Console(stderr=True)
    factory = None
    with contextlib.suppress(ImportError):
        import uvloop

        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        report = runner.run(run_bench(args, console))
    Console().print(table(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    podium = report["podium"]
    return 0 if podium["lost"] == 0 and podium["join_failed"] == 0 else 1

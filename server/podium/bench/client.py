"""Bench viewers: one process holding many WebSocket viewers (the ``websockets`` client).

The bench (``bench.py``) starts several of these processes and talks to each over a pipe.
Every viewer notes, on one clock shared by all processes on the machine
(``time.time_ns``, CLOCK_REALTIME), when it first saw each state version and how many bytes
reached it on the wire. Viewers behave like browsers: no compression, no pings of their
own (they answer the server's). A frame is noted as soon as it has arrived whole, and only
its version is read.

Pipe messages, bench -> worker: ``("join",)``, ``("mark",)``, ``("storm", version)``,
``("report", {version: (sent_ns, server_time)})``, ``("stop",)``. Worker -> bench: ``("ready",)``,
``("progress", joined, failed, {version: viewers that have it})`` whenever something changed,
and one answer to each request: ``("mark", bytes)``, ``("storm", last_ns, back, failed)``,
``("report", {...})``.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, cast

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.protocol import State

from podium.runtime.eventloop import new_runner
from podium.runtime.fdlimit import raise_open_file_limit

VERSION_KEY = b'"version":'
FLUSH_S = 0.02
CONNECT_ATTEMPTS = 5


def version_of(frame: bytes) -> int | None:
    """The ``version`` of a ``state``/``snapshot`` message, without decoding the rest."""
    start = frame.find(VERSION_KEY)
    if start < 0:
        return None
    start += len(VERSION_KEY)
    end = start
    while end < len(frame) and 48 <= frame[end] <= 57:
        end += 1
    return int(frame[start:end]) if end > start else None


def settle() -> None:
    """Once the viewers are connected, before anything is timed: their objects leave
    Python's cycle collector, as the server's connections do (``runtime/collector.py``), so a
    full collection over 5,000 of them (100-150 ms, seen in these processes) never holds
    up a frame being timed. Only the measuring changes: both servers' viewers get it."""
    gc.collect()
    gc.freeze()


def watch_pipe(pipe: Connection, callback: Any, *args: Any) -> None:
    """Call ``callback`` when ``pipe`` has data. The pipe stays blocking (``Connection``
    cannot read or write a partial message), which uvloop's ``add_reader`` undoes."""
    asyncio.get_running_loop().add_reader(pipe.fileno(), callback, *args)
    os.set_blocking(pipe.fileno(), True)


def split_frames(data: bytes) -> tuple[list[tuple[bool, bytes]], bytes]:
    """Whole WebSocket frames at the start of ``data`` (which starts at a frame boundary),
    each as (whether it is a whole unmasked text frame, and then its payload, else the
    frame's own bytes), and what is left: the start of a frame still on its way."""
    frames: list[tuple[bool, bytes]] = []
    start, size = 0, len(data)
    while size - start >= 2:
        first, second = data[start], data[start + 1]
        length, head = second & 0x7F, 2
        if length >= 126:
            head = 4 if length == 126 else 10
            if size - start < head:
                break
            length = int.from_bytes(data[start + 2 : start + head])
        if second & 0x80:  # masked: a server must not, and websockets will say so
            head += 4
        end = start + head + length
        if end > size:
            break
        if first == 0x81 and not second & 0x80:
            frames.append((True, data[start + head : end]))
        else:
            frames.append((False, data[start:end]))
        start = end
    return frames, data[start:]


class ViewerConnection(ClientConnection):
    """A viewer's connection: counts wire bytes and hands each text frame to ``on_frame``
    the moment it has arrived, so no task per viewer waits on ``recv`` (which would add the
    load generator's own scheduling delay to every figure, Podium and baseline alike).

    websockets does the handshake and everything but text frames: once its 101 response is
    in, the viewer splits the stream into frames itself (``split_frames``) and gives every
    other frame (a ping, a close) to websockets whole, so its parser always starts at a
    frame boundary. websockets' parser, in Python, took half the viewer processes' CPU
    (~25 us of ~42 us a frame, py-spy at 10,000 viewers), CPU that the server under test
    shares on one machine (docs/performance.md)."""

    def __init__(self, *args: Any, on_frame: Callable[[bytes], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_frame = on_frame
        self.wire_bytes = 0
        self.pending = b""  # the handshake's response, or a frame, in part
        self.splitting = False  # the handshake is done: frames are split here

    def data_received(self, data: bytes) -> None:
        self.wire_bytes += len(data)
        if self.splitting:
            self._split(self.pending + data if self.pending else data)
        elif self.protocol.state is not State.CONNECTING:
            super().data_received(data)  # the handshake failed: websockets says how
        else:
            held = self.pending + data
            end = held.find(b"\r\n\r\n") + 4  # a 101 response has no body
            if end < 4:
                self.pending = held
                return
            self.pending = b""
            super().data_received(held[:end])
            if self.protocol.state is State.OPEN:
                self.splitting = True
                self._split(held[end:])
            elif end < len(held):
                super().data_received(held[end:])

    def _split(self, data: bytes) -> None:
        frames, self.pending = split_frames(data)
        for text, frame in frames:
            if text:
                self.on_frame(frame)
            else:
                super().data_received(frame)

    def process_event(self, event: Any) -> None:
        if isinstance(event, Frame) and event.opcode is Opcode.TEXT and event.fin:
            self.on_frame(bytes(event.data))  # one websockets parsed (unlikely: see above)
        else:
            super().process_event(event)


@dataclass(eq=False)
class Viewer:
    seen: dict[int, int] = field(default_factory=dict)  # version -> first receipt, time_ns
    ws: ViewerConnection | None = None
    first: asyncio.Future[None] | None = None  # set when the snapshot arrives
    old_bytes: int = 0  # bytes received on earlier connections (before a storm)
    connect_ms: float | None = None  # connect start -> snapshot received
    snapshot_ns: int = 0
    snapshot_version: int = -1

    @property
    def wire_bytes(self) -> int:
        return self.old_bytes + (self.ws.wire_bytes if self.ws else 0)


class Worker:
    """The viewers of one client process, driven by the bench over a pipe."""

    def __init__(self, pipe: Connection, url: str, count: int, concurrency: int) -> None:
        self.pipe = pipe
        self.url = url
        self.viewers = [Viewer() for _ in range(count)]
        self.gate = asyncio.Semaphore(concurrency)
        self.have: Counter[int] = Counter()
        self.joined = 0
        self.failed = 0
        self.dirty = False
        self.stopped = asyncio.Event()
        self.tasks: set[asyncio.Task[Any]] = set()

    # -- viewers ----------------------------------------------------------------------------

    async def _connect(self, viewer: Viewer) -> bool:
        """Open the viewer's connection and wait for its snapshot; retry like a browser."""
        on_frame = functools.partial(self._frame, viewer)
        for attempt in range(CONNECT_ATTEMPTS):
            viewer.first = asyncio.get_running_loop().create_future()
            ws: ViewerConnection | None = None
            try:
                async with self.gate:
                    started = time.time_ns()
                    opened = await connect(
                        self.url,
                        compression=None,
                        ping_interval=None,
                        proxy=None,
                        open_timeout=60,
                        close_timeout=1,
                        max_size=None,
                        create_connection=functools.partial(ViewerConnection, on_frame=on_frame),
                    )
                    ws = cast(ViewerConnection, opened)  # what create_connection made
                    await asyncio.wait_for(viewer.first, 60)
            except (OSError, ConnectionClosed, TimeoutError):
                if ws is not None:  # connected, but no snapshot came: start over
                    ws.transport.abort()
                await asyncio.sleep(0.2 * (attempt + 1))
                continue
            viewer.ws = ws
            if viewer.connect_ms is None:  # the first join; a storm does not overwrite it
                viewer.connect_ms = (viewer.snapshot_ns - started) / 1e6
            return True
        return False

    def _frame(self, viewer: Viewer, frame: bytes) -> None:
        now = time.time_ns()
        version = version_of(frame)
        if version is None:
            return
        if viewer.first is not None and not viewer.first.done():
            viewer.snapshot_ns = now
            viewer.snapshot_version = version
            viewer.first.set_result(None)
        if version not in viewer.seen:
            viewer.seen[version] = now
            self.have[version] += 1
            self.dirty = True

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _join_one(self, viewer: Viewer) -> None:
        if await self._connect(viewer):
            self.joined += 1
        else:
            self.failed += 1
        self.dirty = True

    async def join(self) -> None:
        await asyncio.gather(*(self._join_one(v) for v in self.viewers))
        settle()

    async def storm(self, version: int) -> None:
        """Drop every connection at once (as a Wi-Fi blip would), then all reconnect."""
        for viewer in self.viewers:
            if viewer.ws is not None:
                viewer.old_bytes += viewer.ws.wire_bytes
                viewer.ws.transport.abort()
                viewer.ws = None
        self.joined = 0
        results = await asyncio.gather(*(self._connect(v) for v in self.viewers))
        failed = sum(not ok for ok in results)
        self.joined = len(results) - failed
        back = [v for v in self.viewers if v.ws is not None and v.snapshot_version >= version]
        last = max((v.snapshot_ns for v in back), default=0)
        self._send(("storm", last, len(back), failed))
        settle()

    def report(self, commands: dict[int, tuple[int, int]]) -> dict[str, Any]:
        """For each version (command): every viewer's delay from the command being sent
        (``sent_ns``), and from the server stamping the frame (``server_time``, epoch ms,
        after the store has made it durable): the fan-out alone. Missing ones are lost."""
        latencies: dict[int, list[float]] = {version: [] for version in commands}
        fanout: list[float] = []
        lost = 0
        for viewer in self.viewers:
            if viewer.ws is None and not viewer.seen:
                continue
            for version, (sent_ns, stamped_ms) in commands.items():
                got = viewer.seen.get(version)
                if got is None:
                    lost += 1
                else:
                    latencies[version].append((got - sent_ns) / 1e6)
                    fanout.append(got / 1e6 - stamped_ms)
        connects = [v.connect_ms for v in self.viewers if v.connect_ms is not None]
        return {
            "latencies_ms": latencies,
            "fanout_ms": fanout,
            "lost": lost,
            "connect_ms": connects,
        }

    # -- the pipe ---------------------------------------------------------------------------

    def _send(self, message: tuple[Any, ...]) -> None:
        self.pipe.send(message)

    def _on_pipe(self) -> None:
        while self.pipe.poll():
            try:
                message = self.pipe.recv()
            except EOFError:
                self.stopped.set()
                return
            kind = message[0]
            if kind == "join":
                self._spawn(self.join())
            elif kind == "mark":
                self._send(("mark", sum(v.wire_bytes for v in self.viewers)))
            elif kind == "storm":
                self._spawn(self.storm(message[1]))
            elif kind == "report":
                self._send(("report", self.report(message[1])))
            else:
                self.stopped.set()

    async def _flush(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_S)
            if self.dirty:
                self.dirty = False
                self._send(("progress", self.joined, self.failed, dict(self.have)))

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        watch_pipe(self.pipe, self._on_pipe)
        self._spawn(self._flush())
        self._send(("ready",))
        await self.stopped.wait()
        loop.remove_reader(self.pipe.fileno())
        for viewer in self.viewers:
            if viewer.ws is not None:
                viewer.ws.transport.abort()
        for task in list(self.tasks):
            task.cancel()


def worker_main(pipe: Connection, url: str, count: int, concurrency: int) -> None:
    """Entry point of one viewer process."""
    raise_open_file_limit()
    with new_runner() as runner:
        runner.run(Worker(pipe, url, count, concurrency).run())

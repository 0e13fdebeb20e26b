"""The viewers: the client processes (``podium.bench.client``) they are spread over, driven
through pipes, and what each last reported."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from podium.bench.client import watch_pipe, worker_main
from podium.bench.options import BenchFailed, Options


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

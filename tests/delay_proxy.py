"""A delaying TCP proxy: a long-distance link on one machine (the kernel's ``netem`` is not
available here). Loopback only, bounded, asyncio.

Every chunk read from one side is written to the other ``one_way_ms`` ± ``jitter_ms`` later
(uniform, from a seeded generator), each direction on its own; a chunk never overtakes the
one before it, so the byte order is kept, as TCP keeps it. 150 ms ± 25 ms each way is a
round trip of 300 ms ± 50 ms: Shenzhen to Geneva and back. Bounds: ``max_links``
connections at once (more are closed at once), and at most ``max_chunks`` chunks in flight
per direction (the reader waits: back-pressure, not memory).

From async code: ``port = await DelayProxy(target_port).start()``; from sync code (a
browser test): ``with delayed(target_port) as port: ...`` runs it on a thread of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import random
import threading
from collections.abc import Iterator
from concurrent.futures import Future

LOOPBACK = "127.0.0.1"
CHUNK = 64 * 1024


class DelayProxy:
    def __init__(
        self,
        target_port: int,
        target_host: str = LOOPBACK,
        one_way_ms: float = 150.0,
        jitter_ms: float = 25.0,
        seed: int = 0,
        max_links: int = 64,
        max_chunks: int = 256,
    ) -> None:
        if not ipaddress.ip_address(target_host).is_loopback:
            raise ValueError(f"{target_host} is not a loopback address; the proxy is for tests")
        if not 0 <= jitter_ms <= one_way_ms:
            raise ValueError("the jitter must be between 0 and the one-way delay")
        self.target = (target_host, target_port)
        self.one_way_ms = one_way_ms
        self.jitter_ms = jitter_ms
        self.max_links = max_links
        self.max_chunks = max_chunks
        self.random = random.Random(seed)
        self.links = 0
        self.refused = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, port: int = 0) -> int:
        """Listen on loopback; the port it listens on."""
        self._server = await asyncio.start_server(self._link, LOOPBACK, port)
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def delay_s(self) -> float:
        jitter = self.random.uniform(-self.jitter_ms, self.jitter_ms)
        return (self.one_way_ms + jitter) / 1000

    async def _link(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        if self.links >= self.max_links:
            self.refused += 1
            client_w.close()
            return
        self.links += 1
        task = asyncio.current_task()
        if task is not None:  # always, in a connection's callback: close() cancels it
            self._tasks.add(task)
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
            try:
                async with asyncio.TaskGroup() as pipes:  # one failing ends the other
                    pipes.create_task(self._pipe(client_r, server_w))
                    pipes.create_task(self._pipe(server_r, client_w))
            finally:
                server_w.close()
        except* OSError:
            pass  # the server refused or a side reset: the link ends, as a real one would
        except* asyncio.CancelledError:
            pass  # by close(): end quietly (3.11's start_server logs a cancelled link)
        finally:
            client_w.close()
            self.links -= 1
            if task is not None:
                self._tasks.discard(task)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        """One direction: read, hold each chunk for its delay (never past the one after
        it), write. Closes ``sink`` once ``source`` ends and all is delivered."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue(self.max_chunks)

        async def deliver() -> None:
            while (item := await queue.get()) is not None:
                due, data = item
                await asyncio.sleep(max(due - loop.time(), 0))
                sink.write(data)
                await sink.drain()

        delivering = asyncio.create_task(deliver())
        try:
            last = 0.0
            while data := await source.read(CHUNK):
                last = max(loop.time() + self.delay_s(), last)  # in order, as TCP keeps it
                await queue.put((last, data))
            await queue.put(None)
            await delivering
        finally:
            delivering.cancel()
            sink.close()


@contextlib.contextmanager
def delayed(
    target_port: int, one_way_ms: float = 150.0, jitter_ms: float = 25.0, seed: int = 0
) -> Iterator[int]:
    """A ``DelayProxy`` to ``target_port`` on its own thread and loop; yields its port."""
    loop = asyncio.new_event_loop()
    proxy = DelayProxy(target_port, one_way_ms=one_way_ms, jitter_ms=jitter_ms, seed=seed)
    thread = threading.Thread(target=loop.run_forever, name="delay-proxy", daemon=True)
    thread.start()
    try:
        started: Future[int] = asyncio.run_coroutine_threadsafe(proxy.start(), loop)
        yield started.result(10)
    finally:
        asyncio.run_coroutine_threadsafe(proxy.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()

"""The writes of one fan-out pass, shared between the loop's thread and helper threads.

Each write of a small frame to a socket costs the kernel ~10 us (on loopback it delivers
the bytes to the reader too), and uvloop's ``transport.write`` holds the GIL through it:
one thread writes a change to 2,000 viewers in ~20 ms while the machine's other cores
wait. ``os.write`` lets go of the GIL for the call, so here the loop's thread and the
helpers take the writes in chunks from one counter and the kernel's work runs on several
cores at once (docs/performance.md).

The caller keeps everything else: it hands over only sockets that are safe to write
behind their transport's back (a plain, non-blocking socket with nothing unsent in its
transport, so no byte can overtake one queued before it), and gets back how much of each
frame the kernel took. What it did not take (a full send buffer, a peer gone) the caller
gives to the transport, which then does what it always does: buffers it, pauses its
protocol past the high-water mark, or meets the error and closes.

A pass is synchronous, like a loop of ``transport.write``: ``write`` returns once every
helper is out of the pass, so nothing else runs on the event loop meanwhile and no socket
is closed under a helper. The helpers only ever call ``os.write``.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Sequence

log = logging.getLogger("podium.runtime.fanout")

CHUNK = 32  # writes a thread claims at a time: ~0.3 ms of the kernel's work
MIN_SPREAD = 4 * CHUNK  # a smaller room is written by the loop alone: a helper wakes in ~0.1 ms
MAX_HELPERS = 3


def default_helpers() -> int:
    """One helper per CPU this process may run on besides the loop's own, at most three
    (``podium serve --fanout-threads`` sets another number)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(0, min(MAX_HELPERS, cpus - 1))


def writable_fd(sock: object, tls: bool) -> int | None:
    """The file descriptor a helper may write to for a transport's ``socket`` extra info:
    ``None`` for TLS (its bytes must go through the TLS layer), a socket that is not there,
    or a blocking one (a write could then wait for a reader)."""
    fileno = getattr(sock, "fileno", None)
    if tls or fileno is None or os.name != "posix":  # Windows' sockets are no files
        return None
    fd: int = fileno()
    if fd < 0 or os.get_blocking(fd):
        return None
    return fd


class _Pass:
    """One pass's writes, the bytes the kernel took of each, and who is still writing."""

    __slots__ = ("busy", "chunks", "done", "fds", "frames", "sent")

    def __init__(self, fds: Sequence[int], frames: Sequence[bytes]) -> None:
        self.fds = fds
        self.frames = frames
        self.sent = [0] * len(fds)
        self.chunks = iter(range(0, len(fds), CHUNK))
        self.busy = 0  # threads inside a chunk
        self.done = threading.Condition(threading.Lock())

    def claim(self) -> int | None:
        """The first index of the next chunk, or ``None`` once all are taken."""
        with self.done:
            start = next(self.chunks, None)
            if start is not None:
                self.busy += 1
            return start

    def run(self) -> None:
        """Claim chunks and write them until none are left."""
        while (start := self.claim()) is not None:
            try:
                self._write(start, min(start + CHUNK, len(self.fds)))
            finally:  # whatever happened, the loop's thread is not kept waiting
                with self.done:
                    self.busy -= 1
                    if not self.busy:
                        self.done.notify()

    def _write(self, start: int, end: int) -> None:
        """The writes ``start:end``, with no Python code between two of them (``map`` in
        C): the thread holds the GIL only to call ``os.write`` and box its result, so two
        threads seldom wait for each other. A write that fails (a full buffer, a peer
        gone) took 0 bytes; the rest of the chunk goes on after it."""
        taken: list[int] = []
        while start + len(taken) < end:
            at = start + len(taken)
            try:
                taken.extend(map(os.write, self.fds[at:end], self.frames[at:end]))
            except OSError:  # the transport will see
                taken.append(0)
        self.sent[start:end] = taken

    def wait(self) -> None:
        with self.done:
            while self.busy:
                self.done.wait()


class FanoutThreads:
    """Helper threads for fan-out passes, started on the first pass that needs them. Two
    event loops of one process may share them: each pass has its own chunks, and a helper
    busy with one loop's pass leaves the other's to that loop's thread."""

    def __init__(self, helpers: int) -> None:
        self.helpers = helpers
        self._queues: list[queue.SimpleQueue[_Pass]] = []
        self._pid = os.getpid()

    def write(self, fds: Sequence[int], frames: Sequence[bytes]) -> list[int]:
        """Write each frame to its file descriptor, the caller's thread and the helpers at
        once; return how many bytes of each the kernel took (0: none, or the write failed)."""
        one = _Pass(fds, frames)
        for helper in self._started():
            helper.put(one)
        try:
            one.run()
        finally:  # even when this thread's writes failed: no helper is left writing
            one.wait()
        return one.sent

    def spreads(self, clients: int) -> bool:
        """Whether a pass to ``clients`` clients is worth the helpers' wake."""
        return self.helpers > 0 and clients >= MIN_SPREAD

    def _started(self) -> list[queue.SimpleQueue[_Pass]]:
        if self._pid != os.getpid():  # a forked child: its parent's threads are not here
            self._queues, self._pid = [], os.getpid()
        while len(self._queues) < self.helpers:
            passes: queue.SimpleQueue[_Pass] = queue.SimpleQueue()
            name = f"podium-fanout-{len(self._queues) + 1}"
            threading.Thread(target=_helper, args=(passes,), name=name, daemon=True).start()
            self._queues.append(passes)
        return self._queues[: self.helpers]  # fewer asked for since: the others idle


def _helper(passes: queue.SimpleQueue[_Pass]) -> None:
    while True:
        one = passes.get()
        try:
            one.run()
        except Exception:  # a bug: said, and the helper goes on (what it did not write
            log.exception("a fan-out helper failed")  # is taken by the transports)

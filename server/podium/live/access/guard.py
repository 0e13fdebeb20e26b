"""Connections before aiohttp sees them: a bound on how long request headers may take, a
cap per client address on every route, and a cap on all connections that keeps a reserve
of file descriptors, so half-sent requests (slowloris) cannot hold the server at its
open-file limit and ``/healthz`` and the console still get in.

Each accepted socket gets a ``Guarded`` protocol that hands everything to aiohttp's own.
A connection whose first request's headers are not complete within ``header_timeout_s``
is closed (aiohttp's ``keepalive_timeout``, set to the same bound, closes one that idles
between requests). At ``max_connections`` a new connection takes the place of the oldest
one still waiting for its headers; if none waits, the new one is refused with a 503.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

log = logging.getLogger("podium.live.guard")

HEADER_TIMEOUT_S = 10.0
MAX_PER_ADDRESS = 500  # a venue's NAT puts many viewers behind one address
FD_RESERVE = 64  # descriptors kept free for the store, files and the listening socket
HEADERS_END = b"\r\n\r\n"
REFUSED = {
    429: b"HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    503: b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
}


def default_max_connections(reserve: int = FD_RESERVE) -> int:
    """The open-file limit less a reserve (call after raising the limit)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return max(soft - reserve, 16)


@dataclass
class Guard:
    max_connections: int
    max_per_address: int = MAX_PER_ADDRESS
    header_timeout_s: float = HEADER_TIMEOUT_S
    exempt: Callable[[str], bool] = lambda _peer: False  # addresses the per-address cap skips
    open: int = 0
    waiting: dict[Guarded, None] = field(default_factory=dict)  # oldest first
    per_address: Counter[str] = field(default_factory=Counter)
    refused: int = 0
    timed_out: int = 0
    evicted: int = 0

    def factory(self, inner: Callable[[], asyncio.Protocol]) -> Callable[[], Guarded]:
        return lambda: Guarded(self, inner())

    def admit(self, conn: Guarded) -> int | None:
        """``None`` to admit ``conn``, else the HTTP status to refuse it with."""
        if not self.exempt(conn.peer) and self.per_address[conn.peer] >= self.max_per_address:
            return 429
        if self.open >= self.max_connections:
            if not self.waiting:
                return 503
            oldest = next(iter(self.waiting))
            self.evicted += 1
            oldest.close()
        self.open += 1
        self.per_address[conn.peer] += 1
        self.waiting[conn] = None
        return None

    def release(self, conn: Guarded) -> None:
        self.open -= 1
        self.per_address[conn.peer] -= 1
        if not self.per_address[conn.peer]:
            del self.per_address[conn.peer]
        self.waiting.pop(conn, None)

    def stats(self) -> dict[str, int]:
        return {"open": self.open, "waiting_for_headers": len(self.waiting),
                "max": self.max_connections, "refused": self.refused,
                "timed_out": self.timed_out, "evicted": self.evicted}  # fmt: skip


class Guarded(asyncio.Protocol):
    """aiohttp's protocol for one connection, behind the guard's checks."""

    def __init__(self, guard: Guard, inner: asyncio.Protocol) -> None:
        self.guard = guard
        self.inner = inner
        self.peer = ""
        self.transport: asyncio.Transport | None = None
        self.admitted = False
        self.head = b""  # the first request's bytes, until its headers are complete
        self.timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.transport = transport
        peername = transport.get_extra_info("peername")
        self.peer = str(peername[0]) if isinstance(peername, tuple) else ""
        refusal = self.guard.admit(self)
        if refusal is not None:
            self.guard.refused += 1
            transport.write(REFUSED[refusal])
            transport.close()
            return
        self.admitted = True
        loop = asyncio.get_running_loop()
        self.timer = loop.call_later(self.guard.header_timeout_s, self._too_slow)
        self.inner.connection_made(transport)

    def _too_slow(self) -> None:
        self.timer = None
        self.guard.timed_out += 1
        self.close()

    def close(self) -> None:
        """Drop a connection still waiting for its headers (no answer: it sent no request)."""
        self.guard.waiting.pop(self, None)
        if self.transport is not None:
            self.transport.abort()

    def data_received(self, data: bytes) -> None:
        if self.timer is not None:
            self.head = self.head[-3:] + data  # the end marker may straddle two reads
            if HEADERS_END in self.head:
                self._headers_done()
        self.inner.data_received(data)

    def _headers_done(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.head = b""
        self.guard.waiting.pop(self, None)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self.admitted else None

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.admitted:
            return
        self._headers_done()
        self.guard.release(self)
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

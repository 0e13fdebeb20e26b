"""Fan-out: one change, encoded once, written to every client's transport in one pass.

A change has two encodings (``Change``): the delta most clients get, and the whole state,
built only when a client that asked for whole states (or the SSE stream) is there.

There is no task and no ``await`` per client. Each change is framed once as a WebSocket
text frame and written to every connection in the order the clients joined: the same
order for every change, so the readers on the other side take their turns as the writes
come, not at random (at 2,000 viewers, a change's p99 against uWebSockets 1.22x -> 1.13x,
docs/performance.md). In a large pass the fan-out's threads (``runtime/fanout.py``) write
to the sockets of the clients whose transports hold nothing unsent, chunk by chunk in that
order, on several CPUs at once; everyone else, and whatever the kernel did not take, goes
through the transport (``transport.write`` queues what it cannot write at once).
A client whose unsent data passes ``max_buffer`` is not reading: it is dropped and left to
reconnect, when it gets a fresh snapshot. So a slow client never delays the others and
never makes the server's memory grow without bound.

The pass does not look at anyone's buffer: the transport's own flow control does. Each
client's transport gets ``max_buffer`` as its high-water mark and a ``FlowWatch`` between
it and its protocol, and the transport's ``pause_writing`` (its unsent data passed the
mark, on any write: a change, a pong, an ack) drops the client on the next loop turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import count

from podium.runtime.fanout import FanoutThreads, default_helpers, writable_fd

log = logging.getLogger("podium.live.hub")

DEFAULT_MAX_BUFFER = 256 * 1024
SEND_BUFFER = 64 * 1024  # per WebSocket or SSE client in the kernel; Linux doubles it
_ids = count(1)


class Change:
    """One change as the hub sends it: ``delta`` for most clients, ``full`` (the whole
    state) for those that asked for it, encoded on first use, so never when none did."""

    __slots__ = ("_encode", "_full", "delta")

    def __init__(self, delta: bytes, full: Callable[[], bytes]) -> None:
        self.delta = delta
        self._encode = full
        self._full: bytes | None = None

    @classmethod
    def same(cls, frame: bytes) -> Change:
        """One frame for every client (the SSE stream's events)."""
        return cls(frame, lambda: frame)

    @property
    def full(self) -> bytes:
        if self._full is None:
            self._full = self._encode()
        return self._full


Listener = Callable[[Change, float], None]  # (the change, seconds the pass took)


@dataclass(eq=False, slots=True)
class Client:
    """One connection as the hub sees it: where to write, and who it is."""

    transport: asyncio.WriteTransport
    kind: str = "viewer"  # what the page says it is: viewer, screen, overlay, console, ...
    role: str = "viewer"  # what its token allows: viewer, screen, moderator, questions, ...
    full: bool = False  # it asked for whole states (``?full=1``), not deltas
    fd: int | None = None  # its socket, for the fan-out's helpers; None: only the transport
    id: int = field(default_factory=lambda: next(_ids))


class FlowWatch(asyncio.Protocol):
    """Stands between a client's transport and its protocol (aiohttp's), passing every
    call on unchanged, to hear ``pause_writing``: the transport says the client has more
    than its high-water mark unsent. aiohttp's protocol cannot be subclassed per
    connection, so the watch is set on the transport (``set_protocol``) instead."""

    __slots__ = ("inner", "paused")

    def __init__(self, inner: asyncio.Protocol, paused: Callable[[], None]) -> None:
        self.inner = inner
        self.paused = paused

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def pause_writing(self) -> None:
        self.inner.pause_writing()
        self.paused()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


class Hub:
    """The clients of one room."""

    def __init__(
        self, max_buffer: int = DEFAULT_MAX_BUFFER, fanout: FanoutThreads | None = None
    ) -> None:
        self.max_buffer = max_buffer
        self.fanout = fanout or FANOUT
        self._clients: dict[Client, None] = {}  # in the order they joined
        self._by_role: dict[str, set[Client]] = {}  # the same clients, by role
        self.dropped = 0
        self.added = 0  # clients ever added (the collector counts joins and departures)
        self.listeners: list[Listener] = []  # told once per publish, after the pass

    def __len__(self) -> int:
        return len(self._clients)

    def add(self, client: Client, first_frame: bytes) -> None:
        """Register a client, writing ``first_frame`` (its snapshot) before any change.
        From now on its transport tells the hub when the client stops reading."""
        transport = client.transport
        loop = asyncio.get_running_loop()

        def paused() -> None:
            loop.call_soon(self._drop, client)

        protocol = transport.get_protocol()
        if isinstance(protocol, FlowWatch):  # a connection added before: now this client
            protocol.paused = paused
        elif isinstance(protocol, asyncio.Protocol):
            transport.set_protocol(FlowWatch(protocol, paused))
        transport.set_write_buffer_limits(high=self.max_buffer)
        tls = transport.get_extra_info("sslcontext") is not None
        client.fd = writable_fd(transport.get_extra_info("socket"), tls)
        transport.write(first_frame)
        self._clients[client] = None
        self._by_role.setdefault(client.role, set()).add(client)
        self.added += 1

    def discard(self, client: Client) -> None:
        self._clients.pop(client, None)
        self._by_role.get(client.role, set()).discard(client)

    def assign(self, client: Client, role: str) -> None:
        """``client`` now has ``role`` (its connection sent another token)."""
        if client in self._clients:
            self.discard(client)
            client.role = role
            self._clients[client] = None
            self._by_role.setdefault(role, set()).add(client)
        else:
            client.role = role

    def clients(self) -> list[Client]:
        return list(self._clients)

    def _drop(self, client: Client) -> None:
        """Its transport paused writing: ``max_buffer`` unsent, the client does not read.
        Called on the loop turn after the write that passed the mark, never mid-pass."""
        if client in self._clients:
            self.discard(client)
            client.transport.abort()
            self.dropped += 1
            log.info("dropped client %d: it stopped reading", client.id)

    def publish(self, change: Change, *, state: bool = True) -> None:
        """Write one change, pre-built, to every client (the slow ones drop themselves):
        its delta, or the whole state to a client that asked for it. ``state=False``: a
        frame that is no change of the state (a caption line, ``Change.same``), which the
        listeners (the SSE stream, the fan-out metrics) are not told of."""
        started = time.perf_counter()
        stale: list[Client] = []
        threaded = self.fanout.spreads(len(self._clients))
        spread: list[Client] = []  # written by the fan-out's threads: to ``fds``
        fds: list[int] = []
        frames: list[bytes] = []
        delta = change.delta
        for client in self._clients:
            transport = client.transport
            frame = change.full if client.full else delta
            if transport.is_closing():
                stale.append(client)
            elif not threaded or (fd := client.fd) is None or transport.get_write_buffer_size():
                transport.write(frame)  # nothing may overtake what it holds
            else:
                spread.append(client)
                fds.append(fd)
                frames.append(frame)
        if fds:
            sent = self.fanout.write(fds, frames)
            for client, frame, taken in zip(spread, frames, sent, strict=True):
                if taken < len(frame):  # its transport buffers the rest, or meets the error
                    client.transport.write(frame[taken:])
        for client in stale:
            self.discard(client)
        if self.listeners and state:
            elapsed = time.perf_counter() - started
            for listener in self.listeners:
                listener(change, elapsed)

    def having(self, roles: Iterable[str]) -> list[Client]:
        """The clients whose role is one of ``roles``, without looking at the others."""
        return [client for role in roles for client in self._by_role.get(role, ())]

    def count(self, roles: Iterable[str]) -> int:
        """How many clients have one of ``roles``."""
        return sum(len(self._by_role.get(role, ())) for role in roles)

    def publish_to(self, frame: bytes, roles: Iterable[str]) -> None:
        """Write one pre-built frame to the clients whose role is in ``roles`` (one frame
        per audience, e.g. the questions moderators see). A slow reader is dropped by its
        transport's flow control, as in ``publish``."""
        for client in self.having(roles):
            if not client.transport.is_closing():
                client.transport.write(frame)


FANOUT = FanoutThreads(default_helpers())  # the process's helpers, shared by every hub


def bound_send_buffer(transport: asyncio.BaseTransport | None) -> None:
    """A fixed send buffer for a pushed-to client (WebSocket or SSE): the kernel would
    otherwise grow it to megabytes for a client that stops reading, before the hub's own
    bound (``max_buffer``) is seen."""
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)

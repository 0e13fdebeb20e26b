"""The hub's pass: each change goes to the clients in the order they joined, after the
writer's ack and before its log line; over real sockets, the fan-out's threads write a
large pass without a byte overtaking another or a slow reader escaping its bound."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from podium.core.commands import parse_command
from podium.core.config.programme_file import load
from podium.live.rooms.hub import Change, Client, Hub, bound_send_buffer
from podium.live.rooms.room import Room
from podium.runtime.fanout import MIN_SPREAD, FanoutThreads
from podium.store.files import FileStore
from tests.helpers import SEED


class Recorded(asyncio.WriteTransport):
    """A transport that notes, in one list shared by all, who was written what."""

    def __init__(self, name: str, writes: list[tuple[str, bytes]]) -> None:
        super().__init__()
        self.name = name
        self.writes = writes
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append((self.name, bytes(data)))

    def is_closing(self) -> bool:
        return self.closing

    def get_protocol(self) -> asyncio.BaseProtocol:  # none: the hub sets no watch on it
        return asyncio.BaseProtocol()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass


async def test_a_change_reaches_the_clients_in_the_order_they_joined() -> None:
    writes: list[tuple[str, bytes]] = []
    hub = Hub()
    names = [f"c{n}" for n in (7, 3, 9, 1, 5, 0, 8, 2, 6, 4)]
    clients = {name: Client(Recorded(name, writes)) for name in names}
    for name in names:
        hub.add(clients[name], b"snapshot")
    hub.discard(clients["c9"])  # one leaves, one comes back: it joins at the end
    hub.discard(clients["c1"])
    hub.add(clients["c1"], b"snapshot")
    clients["c5"].transport.closing = True  # gone without a word: skipped, then forgotten
    writes.clear()
    hub.publish(Change.same(b"change"))
    assert writes == [
        (name, b"change") for name in ("c7", "c3", "c0", "c8", "c2", "c6", "c4", "c1")
    ]
    assert len(hub) == 8


async def test_a_command_is_acknowledged_then_pushed_then_logged(tmp_path: Path) -> None:
    """The writer's order: its ``execute`` returns (the ack) before the change goes out,
    and the log line is written after the change's frames are with every client: a line
    on stderr costs as much as a fifth of the path to the first viewer (docs/performance.md)."""
    writes: list[tuple[str, bytes]] = []

    class Noted(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            writes.append(("log", record.getMessage().encode()))

    room = Room(load(SEED), FileStore(tmp_path / "data"))
    await room.open()
    for name in ("a", "b"):
        room.hub.add(Client(Recorded(name, writes)), b"snapshot")
    writes.clear()
    logger, handler = logging.getLogger("podium.live.room"), Noted()
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        done = await room.execute(parse_command({"action": "start_session",
                                                 "session_id": "session-1"}), "t")  # fmt: skip
        writes.append(("ack", str(done.version).encode()))
        await room.quiet()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        await room.close()
    assert [name for name, _ in writes] == ["ack", "a", "b", "log"]
    assert b'"type":"delta"' in writes[1][1] and b"v1 start_session" in writes[3][1]


class Counted(FanoutThreads):
    """The fan-out's threads, noting how many writes each pass handed them."""

    def __init__(self) -> None:
        super().__init__(helpers=1)
        self.passes: list[int] = []

    def write(self, fds: Sequence[int], frames: Sequence[bytes]) -> list[int]:
        self.passes.append(len(fds))
        return super().write(fds, frames)


class Accepted(asyncio.Protocol):
    def __init__(self, into: list[asyncio.Transport]) -> None:
        self.into = into

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        bound_send_buffer(transport)  # as the server's WebSocket clients have it
        self.into.append(transport)


@contextlib.asynccontextmanager
async def connected(count: int) -> AsyncIterator[list[tuple[asyncio.Transport, socket.socket]]]:
    """``count`` loopback connections: the server side's transport and the reading socket
    (a small receive buffer: a reader asleep soon holds up what is written to it)."""
    loop = asyncio.get_running_loop()
    transports: list[asyncio.Transport] = []
    server = await loop.create_server(lambda: Accepted(transports), "127.0.0.1", 0)
    readers: list[socket.socket] = []
    try:
        for _ in range(count):
            reader = socket.socket()
            reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            reader.setblocking(False)
            readers.append(reader)
            await loop.sock_connect(reader, server.sockets[0].getsockname())
            while len(transports) < len(readers):  # accepted in turn: the same order
                await asyncio.sleep(0)
        yield list(zip(transports, readers, strict=True))
    finally:
        for reader in readers:
            reader.close()
        server.close()


async def read_all(reader: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        data += await asyncio.wait_for(asyncio.get_running_loop().sock_recv(reader, size), 10)
    return data


async def test_the_fanout_threads_write_a_pass_and_nothing_overtakes_what_a_transport_holds() -> (
    None
):
    """Over real sockets, in a pass large enough for the fan-out's threads: each client's
    stream is its snapshot, what its transport held before the pass, then the changes in
    order, a frame the kernel took only in part completed by its transport."""
    count = MIN_SPREAD + 8
    fanout = Counted()
    hub = Hub(max_buffer=8 << 20, fanout=fanout)
    async with connected(count) as pairs:
        clients = [Client(transport) for transport, _ in pairs]
        for client in clients:
            hub.add(client, b"snapshot;")
        assert all(client.fd is not None for client in clients)
        held = b"held;" * 200_000  # 1 MB its reader has not read: most stays in the transport
        clients[3].transport.write(held)
        assert clients[3].transport.get_write_buffer_size()
        clients[7].full = True
        whole = b"whole;" * 200_000  # more than the kernel takes at once
        hub.publish(Change.same(b"one;"))
        hub.publish(Change.same(b"two;"))
        hub.publish(Change(b"three;", lambda: whole))
        assert fanout.passes == [count - 1, count - 1, count - 1]  # all but the one holding
        assert clients[7].transport.get_write_buffer_size()  # the rest of ``whole``
        for n, (_, reader) in enumerate(pairs):
            expected = b"snapshot;" + (held if n == 3 else b"") + b"one;two;"
            expected += whole if n == 7 else b"three;"
            assert await read_all(reader, len(expected)) == expected
        assert hub.dropped == 0 and len(hub) == count


async def test_in_a_threaded_pass_a_client_past_its_bound_is_still_dropped() -> None:
    count = MIN_SPREAD + 1
    hub = Hub(max_buffer=64 * 1024, fanout=Counted())
    async with connected(count) as pairs:
        clients = [Client(transport) for transport, _ in pairs]
        for client in clients:
            hub.add(client, b"snapshot;")
        clients[0].full = True  # its frame: far more than the kernel and the bound hold
        hub.publish(Change(b"change;", lambda: b"x" * 1_000_000))
        await asyncio.sleep(0.05)
        assert hub.dropped == 1 and clients[0] not in hub.clients()
        assert clients[0].transport.is_closing()
        for _, reader in pairs[1:]:
            assert await read_all(reader, len(b"snapshot;change;")) == b"snapshot;change;"

"""The hub's pass: each change goes to the clients in the order they joined, after the
writer's ack and before its log line."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from podium.core.commands import parse_command
from podium.core.config.programme_file import load
from podium.live.rooms.hub import Change, Client, Hub
from podium.live.rooms.room import Room
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

"""The hub's pass: each change goes to the clients in the order they joined."""

from __future__ import annotations

import asyncio

from podium.live.rooms.hub import Change, Client, Hub


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

"""The delaying proxy of the clock-sync measurement: it delays, keeps the byte order under
jitter, stays on loopback and within its bounds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from tests.delay_proxy import DelayProxy


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(4096):
        writer.write(data)
        await writer.drain()
    writer.close()


@pytest.fixture
async def echo_port() -> AsyncIterator[int]:
    server = await asyncio.start_server(_echo, "127.0.0.1", 0)
    yield int(server.sockets[0].getsockname()[1])
    server.close()


async def test_bytes_arrive_delayed_and_in_order(echo_port: int) -> None:
    proxy = DelayProxy(echo_port, one_way_ms=40, jitter_ms=30, seed=7)
    port = await proxy.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = time.monotonic()
        writer.write(b"ping")
        assert await reader.readexactly(4) == b"ping"
        assert time.monotonic() - started >= 0.019  # two legs of at least 10 ms each
        sent = b"".join(i.to_bytes(2, "big") for i in range(3000))
        for offset in range(0, len(sent), 6):  # many small chunks, each its own jitter
            writer.write(sent[offset : offset + 6])
            await writer.drain()
            await asyncio.sleep(0)
        assert await reader.readexactly(len(sent)) == sent
        writer.close()
    finally:
        await proxy.close()


async def test_only_loopback_and_a_bounded_number_of_links(echo_port: int) -> None:
    with pytest.raises(ValueError, match="not a loopback address"):
        DelayProxy(echo_port, target_host="192.0.2.1")
    with pytest.raises(ValueError, match="jitter must be between"):
        DelayProxy(echo_port, one_way_ms=10, jitter_ms=20)
    proxy = DelayProxy(echo_port, one_way_ms=5, jitter_ms=0, max_links=1)
    port = await proxy.start()
    try:
        first_r, first_w = await asyncio.open_connection("127.0.0.1", port)
        first_w.write(b"a")
        assert await first_r.readexactly(1) == b"a"
        second_r, second_w = await asyncio.open_connection("127.0.0.1", port)
        assert await second_r.read(1) == b""  # closed at once: one link at most
        assert proxy.refused == 1
        first_w.close()
        second_w.close()
    finally:
        await proxy.close()

"""``--trusted-proxy``: behind a proxy named so, the per-address limits and the access log
see the client the proxy names; the same headers from anyone else change nothing."""

from __future__ import annotations

import re
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
import websockets

from tests.helpers import Server

TWO_CONNECTS = ["--limit-loopback", "--limit-connects", "2/60"]


def start(tmp_path: Path, *args: str) -> Server:
    return Server(data_dir=tmp_path / "data", extra_args=list(args)).start()


async def status_of(server: Server, headers: dict[str, str], stack: AsyncExitStack) -> int:
    """101 for a WebSocket opened (and kept open in ``stack``), else the refusal's."""
    try:
        ws = await stack.enter_async_context(
            websockets.connect(f"{server.ws_url}&client=viewer", additional_headers=headers)
        )
    except websockets.InvalidStatus as exc:
        return exc.response.status_code
    assert ws.response is not None
    return ws.response.status_code


def xff(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": f"6.6.6.6, {address}"}  # the first hop: made up by the client


async def test_behind_a_trusted_proxy_each_viewer_has_limits_of_their_own(
    tmp_path: Path,
) -> None:
    server = start(tmp_path, "--trusted-proxy", "127.0.0.0/8", *TWO_CONNECTS)
    try:
        async with AsyncExitStack() as stack:
            assert [await status_of(server, xff("203.0.113.5"), stack) for _ in range(3)] == [
                101, 101, 429,
            ]  # fmt: skip
            assert await status_of(server, xff("203.0.113.6"), stack) == 101
            forwarded = {"Forwarded": 'for="[2001:db8::7]:4711"'}
            assert await status_of(server, forwarded, stack) == 101
        log = server.log.read_text()
        assert '203.0.113.5 "GET /ws?full=1&client=viewer" 101' in log
        assert '2001:db8::7 "GET /ws?full=1&client=viewer" 101' in log
        assert "6.6.6.6" not in log  # what the client wrote itself is not believed
    finally:
        server.kill()


async def test_the_headers_from_an_address_not_trusted_change_nothing(tmp_path: Path) -> None:
    server = start(tmp_path, "--trusted-proxy", "10.0.0.0/8", *TWO_CONNECTS)
    try:
        async with AsyncExitStack() as stack:
            statuses = [await status_of(server, xff(f"203.0.113.{i}"), stack) for i in range(1, 4)]
        assert statuses == [101, 101, 429]  # one address, 127.0.0.1: one bucket
        log = server.log.read_text()
        assert '127.0.0.1 "GET /ws?full=1&client=viewer" 101' in log and "203.0.113." not in log
    finally:
        server.kill()


async def test_open_connections_are_capped_per_viewer_behind_the_proxy(tmp_path: Path) -> None:
    server = start(tmp_path, "--trusted-proxy", "127.0.0.1", "--limit-loopback",
                   "--max-per-address", "2")  # fmt: skip
    try:
        async with AsyncExitStack() as stack:
            first = [await status_of(server, xff("198.51.100.9"), stack) for _ in range(3)]
            assert first == [101, 101, 429]
            assert await status_of(server, xff("198.51.100.10"), stack) == 101
        async with AsyncExitStack() as stack:  # closed: the first address may open again
            assert await status_of(server, xff("198.51.100.9"), stack) == 101
        status, body = server.request("GET", "/api/state", headers=xff("198.51.100.9"))
        assert status == 200, body
    finally:
        server.kill()


@pytest.mark.parametrize("bad", ["10.0.0.0/33", "proxy.example.org"])
def test_a_trusted_proxy_that_is_not_an_address_is_refused_at_start(
    tmp_path: Path, bad: str
) -> None:
    with pytest.raises(RuntimeError, match=re.escape("give it as 10.0.0.5 or 10.0.0.0/24")):
        start(tmp_path, "--trusted-proxy", bad)

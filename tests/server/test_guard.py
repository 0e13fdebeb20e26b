"""Half-sent requests (slowloris) against a real server: closed within the header bound,
the connection cap keeps /healthz answering, and the per-address cap holds on every route.
``slowloris_run`` is also the probe's attack (``python -m tests.probe slowloris``)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers import Server

HALF_SENT = b"GET / HTTP/1.1\r\nHost: x\r\n"  # and never the blank line that ends it


def open_fds(server: Server) -> int:
    assert server.proc is not None
    return len(os.listdir(f"/proc/{server.proc.pid}/fd"))


def half_sent(server: Server, count: int) -> list[tuple[socket.socket, float]]:
    """``count`` sockets that sent half a request, each with the moment it did."""
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        sock.sendall(HALF_SENT)
        sockets.append((sock, time.monotonic()))
    return sockets


async def half_sent_until_closed(port: int, wait: float) -> float | None:
    """One slowloris socket: how long after sending half a request the server closed it
    (None: not within ``wait``)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(HALF_SENT)
    sent = time.monotonic()
    try:
        with contextlib.suppress(OSError):  # a reset is a close too
            await asyncio.wait_for(reader.read(), wait)
        return time.monotonic() - sent
    except TimeoutError:
        return None
    finally:
        writer.close()


@dataclass
class Watch:
    """A thread that, until stopped, counts the server's open descriptors (the most seen)
    and asks /healthz every quarter second (the statuses): independent of the attack's
    own event loop, which is busy."""

    server: Server
    statuses: list[int] = field(default_factory=list)
    peak: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        asked = 0.0
        while not self.stop.wait(0.02):
            self.peak = max(self.peak, open_fds(self.server))
            if time.monotonic() - asked >= 0.25:
                self.statuses.append(self.server.request("GET", "/healthz")[0])
                asked = time.monotonic()


async def attack(server: Server, sockets: int, wait: float) -> list[float | None]:
    return list(
        await asyncio.gather(*(half_sent_until_closed(server.port, wait) for _ in range(sockets)))
    )


def slowloris_run(
    where: Path, sockets: int = 200, header_timeout: float = 1.0, fd_limit: int = 128
) -> dict[str, Any]:
    """``sockets`` half-sent requests at once against a server limited to ``fd_limit``
    open files (so at most that less 64 connections); /healthz asked while they hang;
    how many were closed within the header bound (plus a second of slack), and the
    server's descriptors before, during and after."""
    server = Server(
        data_dir=where / "data", extra_args=["--header-timeout", str(header_timeout)],
        nofile=fd_limit,
    ).start()  # fmt: skip
    try:
        fds_before = open_fds(server)
        bound = header_timeout + 1.0  # a second of slack for a busy machine
        watch = Watch(server)
        watcher = threading.Thread(target=watch.run)
        watcher.start()
        try:
            closing = asyncio.run(attack(server, sockets, bound + 10))
        finally:
            watch.stop.set()
            watcher.join()
        stats = server.request("GET", "/healthz")[1]["sockets"]
        settle = time.monotonic() + 10
        while open_fds(server) > fds_before and time.monotonic() < settle:
            time.sleep(0.05)
        closed = [t for t in closing if t is not None]
        return {
            "sockets": sockets,
            "closed_within_bound": sum(t <= bound for t in closed),
            "closed_later": sum(t > bound for t in closed),
            "never_closed": len(closing) - len(closed),
            "slowest_close_s": round(max(closed, default=0), 2),
            "healthz_ok": watch.statuses.count(200),
            "healthz_asked": len(watch.statuses),
            "fd_limit": fd_limit,
            "fds_before": fds_before,
            "fds_peak": watch.peak,
            "fds_after": open_fds(server),
            "server": stats,
        }
    finally:
        server.kill()


def test_half_sent_requests_are_closed_and_healthz_answers(tmp_path: Path) -> None:
    seen = slowloris_run(tmp_path)
    assert seen["never_closed"] == 0, seen
    assert seen["healthz_ok"] == seen["healthz_asked"], seen
    assert seen["fds_peak"] < seen["fd_limit"], seen  # the cap keeps a reserve
    assert seen["server"]["max"] == seen["fd_limit"] - 64
    assert seen["fds_after"] <= seen["fds_before"], seen
    assert seen["server"]["evicted"] > 0 and seen["server"]["timed_out"] > 0, seen


def test_the_per_address_cap_holds_on_every_route(tmp_path: Path) -> None:
    args = ["--limit-loopback", "--max-per-address", "5"]
    server = Server(data_dir=tmp_path / "data", extra_args=args).start()
    try:
        with contextlib.ExitStack() as stack:
            for sock, _ in half_sent(server, 5):
                stack.callback(sock.close)
            for path in ("/healthz", "/api/state", "/viewer", "/ws"):
                status, _ = server.request("GET", path)
                assert status == 429, path
        deadline = time.monotonic() + 10
        while server.request("GET", "/healthz")[0] == 429 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.request("GET", "/api/state")[0] == 200
    finally:
        server.kill()
    loopback = Server(data_dir=tmp_path / "data2", extra_args=["--max-per-address", "5"]).start()
    try:  # loopback is exempt by default (a local proxy makes everyone 127.0.0.1)
        with contextlib.ExitStack() as stack:
            for sock, _ in half_sent(loopback, 5):
                stack.callback(sock.close)
            assert loopback.request("GET", "/healthz")[0] == 200
    finally:
        loopback.kill()

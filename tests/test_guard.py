"""Half-sent requests (slowloris) against a real server: closed within the header bound,
the connection cap keeps /healthz answering, and the per-address cap holds on every route.
``slowloris_run`` is also the probe's attack (``python -m tests.probe slowloris``)."""

from __future__ import annotations

import contextlib
import os
import socket
import time
from pathlib import Path
from typing import Any

from tests.helpers import Server

HALF_SENT = b"GET / HTTP/1.1\r\nHost: x\r\n"  # and never the blank line that ends it


def open_fds(server: Server) -> int:
    assert server.proc is not None
    return len(os.listdir(f"/proc/{server.proc.pid}/fd"))


def half_sent(server: Server, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        sock.sendall(HALF_SENT)
        sockets.append(sock)
    return sockets


def closed_by_server(sock: socket.socket, deadline: float) -> bool:
    """Waits (until ``deadline``) for the server to close ``sock``."""
    sock.settimeout(max(deadline - time.monotonic(), 0.01))
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except OSError:
        return True  # reset: closed too
    return True


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
        started = time.monotonic()
        attack = half_sent(server, sockets)
        health = [server.request("GET", "/healthz") for _ in range(5)]
        fds_during = open_fds(server)
        deadline = started + header_timeout + 1.0
        closed = sum(closed_by_server(s, deadline) for s in attack)
        for sock in attack:
            sock.close()
        settle = time.monotonic() + 10
        while open_fds(server) > fds_before and time.monotonic() < settle:
            time.sleep(0.05)
        stats = server.request("GET", "/healthz")[1]["sockets"]
        return {
            "sockets": sockets,
            "closed_within_bound": closed,
            "healthz_ok": sum(status == 200 for status, _ in health),
            "healthz_asked": len(health),
            "fd_limit": fd_limit,
            "fds_before": fds_before,
            "fds_during": fds_during,
            "fds_after": open_fds(server),
            "server": stats,
        }
    finally:
        server.kill()


def test_half_sent_requests_are_closed_and_healthz_answers(tmp_path: Path) -> None:
    seen = slowloris_run(tmp_path)
    assert seen["closed_within_bound"] == seen["sockets"], seen
    assert seen["healthz_ok"] == seen["healthz_asked"], seen
    assert seen["fds_during"] < seen["fd_limit"], seen  # the cap keeps a reserve
    assert seen["server"]["max"] == seen["fd_limit"] - 64
    assert seen["fds_after"] <= seen["fds_before"], seen
    assert seen["server"]["evicted"] > 0 and seen["server"]["timed_out"] > 0, seen


def test_the_per_address_cap_holds_on_every_route(tmp_path: Path) -> None:
    args = ["--limit-loopback", "--max-per-address", "5"]
    server = Server(data_dir=tmp_path / "data", extra_args=args).start()
    try:
        with contextlib.ExitStack() as stack:
            for sock in half_sent(server, 5):
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
            for sock in half_sent(loopback, 5):
                stack.callback(sock.close)
            assert loopback.request("GET", "/healthz")[0] == 200
    finally:
        loopback.kill()

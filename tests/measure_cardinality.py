"""Not a test: the cardinality attack of issue 11 as figures for docs/security.md. Sends
N refused commands (no token), each naming a unique 4 KB room, and reports the server's
RSS and the size of ``/metrics`` (and how long one scrape takes) before and after.

    .venv/bin/python -m tests.measure_cardinality [N]
"""

from __future__ import annotations

import http.client
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.helpers import Server

ROOM_BYTES = 4096
WORKERS = 4


def refuse(port: int, n: int) -> None:
    """``n`` commands without a token on one keep-alive connection, each a new room."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(n):
        room = uuid.uuid4().hex.ljust(ROOM_BYTES, "x")
        conn.request("POST", f"/api/commands?room={room}", body=b"{}")
        response = conn.getresponse()
        response.read()
        assert response.status == 401, response.status
    conn.close()


def figures(server: Server) -> tuple[float, int, float]:
    """(RSS in MiB, /metrics in bytes, seconds for one scrape)."""
    rss = server.request("GET", "/healthz")[1]["process"]["rss_kib"] / 1024
    started = time.perf_counter()
    status, body = server.request("GET", "/metrics")
    assert status == 200
    return rss, len(body), time.perf_counter() - started


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(data_dir=Path(tmp) / "data").start()
        try:
            before = figures(server)
            started = time.perf_counter()
            with ThreadPoolExecutor(WORKERS) as pool:
                list(pool.map(lambda k: refuse(server.port, k), [n // WORKERS] * WORKERS))
            sent = time.perf_counter() - started
            after = figures(server)
        finally:
            server.kill()
    total = n // WORKERS * WORKERS
    print(f"{total} refused commands, each naming a new {ROOM_BYTES} B room, in {sent:.0f} s")
    for label, (rss, size, scrape) in (("before", before), ("after", after)):
        print(f"  {label:6}  RSS {rss:6.1f} MiB  /metrics {size / 1e6:8.3f} MB", end="")
        print(f"  one scrape {scrape * 1000:5.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)

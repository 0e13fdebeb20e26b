"""A real Redis for tests: a private ``redis-server`` on a free loopback port (which a
test may stop, kill and start again), else the server at ``PODIUM_TEST_REDIS_URL``, else
a skip that says why (a failure when ``PODIUM_REQUIRE_REDIS=1``, as in CI; see
``tests/machine.py``)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import redis

from tests.helpers import free_port
from tests.machine import REDIS

NO_REDIS = "not on PATH, and no PODIUM_TEST_REDIS_URL=redis://HOST:PORT/DB to share"


class PortTaken(RuntimeError):
    pass


@dataclass
class RedisServer:
    """One Redis. ``appendonly`` keeps data over a stop (AOF, fsync on every write)."""

    dir: Path
    binary: str | None = None
    external_url: str | None = None
    appendonly: bool = False
    port: int = field(default_factory=free_port)
    prefix: str = "podium"
    config: Path | None = None  # a redis.conf to start with (the options below win)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return self.external_url or f"redis://127.0.0.1:{self.port}/0"

    def require_private(self) -> None:
        if self.binary is None:
            REDIS.missing("this test stops its own Redis; PODIUM_TEST_REDIS_URL is shared")

    def start(self, timeout: float = 10.0) -> RedisServer:
        """Start on ``port``; on a first start whose port another process took meanwhile
        (redis-server cannot bind port 0 and say which), again on another free port."""
        if self.binary is None:
            return self
        for _ in range(4 if self.proc is None else 1):  # a restart keeps its port
            try:
                return self._start(timeout)
            except PortTaken:
                self.port = free_port()
        raise RuntimeError(f"redis-server found no free port: {self.log.read_text()}")

    @property
    def log(self) -> Path:
        return self.dir / "redis.log"

    def _start(self, timeout: float) -> RedisServer:
        assert self.binary is not None
        if self.log.exists():
            self.log.unlink()  # a port taken is read from this start's log only
        self.dir.mkdir(parents=True, exist_ok=True)
        persistence = ["--appendonly", "yes", "--appendfsync", "always"]
        conf = [] if self.config is None else [str(self.config)]
        args = [self.binary, *conf, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        if self.config is None:
            args += [*(persistence if self.appendonly else ["--appendonly", "no"])]
        args += ["--dir", str(self.dir), "--logfile", str(self.log)]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                said = self.log.read_text() if self.log.exists() else ""
                if "Address already in use" in said:
                    raise PortTaken(said)
                raise RuntimeError(f"redis-server exited: {said}")
            if self.ready() and self.ping():  # ours, not another Redis on a port taken
                return self
            time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def ready(self) -> bool:
        return self.log.exists() and "Ready to accept connections" in self.log.read_text()

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """A clean shutdown (SIGTERM): with ``appendonly`` every write is kept."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)

    def kill(self) -> None:
        """A crash (SIGKILL); without ``appendonly`` it comes back empty."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def finish(self) -> None:
        """After a test: stop the private server, or delete this test's keys from the shared."""
        self.kill()
        if self.external_url:
            client = redis.Redis.from_url(self.external_url)
            try:
                for key in client.scan_iter(f"{self.prefix}:*"):
                    client.delete(key)
            finally:
                client.close()


def redis_for_test(where: Path, appendonly: bool = False) -> RedisServer:
    binary = shutil.which("redis-server")
    if binary:
        return RedisServer(where, binary=binary, appendonly=appendonly).start()
    url = os.environ.get("PODIUM_TEST_REDIS_URL")
    if url:  # a shared server: a prefix of its own keeps each test's keys apart
        return RedisServer(where, external_url=url, prefix=f"podium-test-{uuid.uuid4().hex}")
    REDIS.missing(NO_REDIS)

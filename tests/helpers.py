"""Test support: a real ``podium serve`` process on a loopback port it picks, and small clients."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from resource import RLIMIT_NOFILE, setrlimit
from typing import Any

import websockets

from tests.forked import ZYGOTE, Forked

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "config" / "itu-miit-2021.toml"
PODIUM = [sys.executable, "-m", "podium.cli"]  # the command a test server runs
TOKEN = "test-moderator-token-0123456789abcdef"
ASSISTANT = "assistant-token-0123456789abcdefgh"  # the questions token of ``qserver``
AUTO = ROOT / "tests" / "programmes" / "auto.toml"  # items that end themselves


def seed_with(folder: Path, more: str, name: str = "programme.toml") -> Path:
    """The seed programme with ``more`` appended, written in ``folder`` with the seed's logo
    and scripts beside it (its ``[event.branding]`` and a speaker's ``script`` name files
    next to the programme)."""
    path = folder / name
    path.write_text(SEED.read_text() + more)
    shutil.copy(SEED.parent / "itu-miit-2021-logo.svg", folder)
    shutil.copytree(SEED.parent / "scripts", folder / "scripts", dirs_exist_ok=True)
    return path


def podium(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``podium ARGS`` run to its end in a process of its own (forked warm: tests/forked.py),
    its output and errors as text, as ``subprocess.run(capture_output=True, text=True)``."""
    return ZYGOTE.run(list(args), dict(os.environ) if env is None else env, timeout)


def free_port() -> int:
    """A port nobody listens on now: for addresses that must refuse, not for servers (another
    process may take it before ours binds it: a server binds port 0 and says its port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The first line ``podium serve`` prints once it listens names the port it bound.
SERVING = re.compile(rb"Podium is serving .* at http://[^\s]+:(\d+)\s")
LOGS = itertools.count(1)


@dataclass
class Server:
    """``podium serve`` in a child process; ``kill``/``start`` to test restarts.

    The first start binds port 0 and reads the port the server chose from its banner, so
    parallel runs cannot race for one; a restart binds that same port again."""

    data_dir: Path
    programmes: list[Path] = field(default_factory=lambda: [SEED])
    port: int = 0  # 0 until started: the server picks it
    extra_args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    token: str = TOKEN
    nofile: int | None = None  # a hard limit on the server's open files
    podium: list[str] = field(default_factory=lambda: PODIUM)
    cwd: Path | None = None  # where it runs (default: here)
    proc: subprocess.Popen[bytes] | Forked | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        """The WebSocket of whole states (``?full=1``): what these tests read; the deltas
        every page gets are tested on ``/ws`` itself (tests/server/test_deltas.py)."""
        return f"ws://127.0.0.1:{self.port}/ws?full=1"

    def start(self, timeout: float = 20.0) -> Server:
        env = {**os.environ, "PODIUM_MODERATOR_TOKEN": self.token, **self.env}
        args = [*self.podium, "serve", *map(str, self.programmes)]
        args += ["--port", str(self.port), "--data-dir", str(self.data_dir), *self.extra_args]
        if not hasattr(self, "log"):  # one log per Server, restarts append to it
            self.log = self.data_dir.parent / f"server-{self.data_dir.name}-{next(LOGS)}.log"
        start = self.log.stat().st_size if self.log.exists() else 0
        limit = self.nofile
        # forked from a warm process (tests/forked.py), unless the test wants code run as
        # Python starts (a ``sitecustomize`` on PYTHONPATH that shifts the clock)
        if self.podium == PODIUM and not any(name.startswith("PYTHON") for name in self.env):
            self.proc = ZYGOTE.spawn(args[len(PODIUM) :], env, self.log, self.cwd, nofile=limit)
        else:
            self.proc = subprocess.Popen(
                args,
                env=env,
                cwd=self.cwd,
                stdout=self.log.open("ab"),
                stderr=subprocess.STDOUT,
                preexec_fn=None
                if limit is None
                else lambda: setrlimit(RLIMIT_NOFILE, (limit, limit)),
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()}")
            if not self.port:
                bound = SERVING.search(self.log.read_bytes()[start:])
                if bound is None:
                    time.sleep(0.02)
                    continue
                self.port = int(bound.group(1))
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1):
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        raise RuntimeError(f"server did not start: {self.log.read_text()}")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def terminate(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(15)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        data = (
            body
            if isinstance(body, bytes)
            else (None if body is None else json.dumps(body).encode())
        )
        req = urllib.request.Request(f"{self.url}{path}", data=data, method=method)
        for key, value in (headers or {}).items():
            req.add_header(key, value)
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                raw = resp.read()
                status = resp.status
        except urllib.error.HTTPError as exc:
            raw, status = exc.read(), exc.code
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw

    def command(self, action: str, **fields: Any) -> tuple[int, Any]:
        return self.request("POST", "/api/commands", {"action": action, **fields}, self.token)

    def state(self) -> dict[str, Any]:
        return self.request("GET", "/api/state")[1]

    def voter(self, token: str | None = None) -> str:
        """A voter id this server issued (as the viewer page gets its own)."""
        status, body = self.request("POST", "/api/questions/voter", token=token)
        assert status == 201, body
        return str(body["voter"])


async def recv_json(ws: websockets.ClientConnection, timeout: float = 5.0) -> dict[str, Any]:
    import asyncio

    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def recv_type(
    ws: websockets.ClientConnection, kind: str, timeout: float = 5.0
) -> dict[str, Any]:
    """The next message of ``kind``, skipping others (e.g. a state push before an ack)."""
    while True:
        message = await recv_json(ws, timeout)
        if message["type"] == kind:
            return message

"""docs/deploy.md's proxies, run for real with the blocks taken from the doc itself: one
``redis-server`` started with its Redis block, two ``podium serve`` processes with its
serve block's options, and the real nginx and the real HAProxy with its configs (only
addresses, ports and certificate paths changed; a self-signed certificate). Behind each,
a Chromium page gets its WebSocket and a change made on the other process; killing the
process that holds the page brings it back on the other within 2 s (the issue's bound,
issue 26); ``podium ctl --cacert`` sends a command through the proxy's TLS."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from redis import Redis

from tests.helpers import ROOT, SEED, Server, free_port
from tests.machine import HAPROXY, NGINX, OPENSSL, REDIS, program_or_skip
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.slow, pytest.mark.redis]  # its own redis-server, from the doc
DOC = ROOT / "docs" / "deploy.md"
BACK_WITHIN_S = 2.0  # issue 26: a killed process's viewers are back on another within 2 s


def fenced(kind: str) -> list[str]:
    return re.findall(rf"^```{kind}\n(.*?)^```", DOC.read_text(), re.M | re.S)


def the_block(kind: str, naming: str) -> str:
    (block,) = [b for b in fenced(kind) if naming in b]
    return block


def replaced(block: str, changes: dict[str, str]) -> str:
    for old, new in changes.items():
        assert old in block, f"docs/deploy.md: the block no longer has {old!r}; update the test"
        block = block.replace(old, new)
    return block


def serve_options(redis_url: str, public_url: str) -> list[str]:
    """The doc's ``podium serve`` options, each value replaced with this machine's."""
    words = shlex.split(the_block("sh", "--trusted-proxy").replace("\\\n", " "))
    assert words[:2] == ["podium", "serve"], words
    ours = {"--redis": redis_url, "--public-url": public_url, "--trusted-proxy": "127.0.0.1"}
    named = {words[i] for i in range(2, len(words)) if words[i].startswith("--")}
    assert named == {*ours, "--host", "--port"}, f"the doc's serve options changed: {named}"
    return [word for option, value in ours.items() for word in (option, value)]


@dataclass
class Backend:
    servers: list[Server]
    proxy_port: int
    certificate: Path

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.proxy_port}"

    def holder(self) -> tuple[Server, Server]:
        """(the process holding the one viewer, the other one)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            counts = [clients(s) for s in self.servers]
            if sorted(counts) == [0, 1]:
                one, other = self.servers if counts[0] == 1 else self.servers[::-1]
                return one, other
            time.sleep(0.05)
        raise AssertionError(f"no single process holds the viewer: {counts}")


def clients(server: Server) -> int:
    status, health = server.request("GET", "/healthz")
    return int(health["rooms"]["itu-miit-2021"]["clients"]) if status == 200 else -1


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    openssl = program_or_skip(OPENSSL, "/usr/bin/openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", key, "-out", cert, "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def backends(tmp_path: Path) -> Iterator[Callable[[int], list[Server]]]:
    """Redis from the doc's block, then two processes with the doc's options on it."""
    started: list[Server] = []
    conf = tmp_path / "redis.conf"
    conf.write_text(the_block("conf", "appendonly"))
    binary = program_or_skip(REDIS)
    redis = RedisServer(tmp_path / "redis", binary=binary, config=conf).start()
    assert redis_config(redis) == {"appendonly": "yes", "maxmemory-policy": "noeviction"}

    def start(proxy_port: int) -> list[Server]:
        options = serve_options(redis.url, f"https://127.0.0.1:{proxy_port}")
        for i in range(2):
            server = Server(tmp_path / f"data-{i}", programmes=[SEED], extra_args=options)
            started.append(server.start())
        return started

    yield start
    for server in started:
        server.kill()
    redis.finish()


def redis_config(redis: RedisServer) -> dict[str, str]:
    conn = Redis(port=redis.port, decode_responses=True)
    try:
        return {**conn.config_get("appendonly"), **conn.config_get("maxmemory-policy")}
    finally:
        conn.close()


def run(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def until_serving(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the proxy exited: {log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"the proxy does not listen: {log.read_text()}")


def nginx(tmp_path: Path, ports: list[int], port: int, cert: Path, key: Path) -> list[str]:
    binary = program_or_skip(NGINX, "/usr/sbin/nginx")
    block = replaced(the_block("nginx", "upstream podium"), {
        "server 10.0.0.11:8081": f"server 127.0.0.1:{ports[0]}",
        "server 10.0.0.12:8081": f"server 127.0.0.1:{ports[1]}",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{port} ssl http2;",
        "listen 80;": f"listen 127.0.0.1:{free_port()};",
        "/etc/ssl/podium/fullchain.pem": str(cert),
        "/etc/ssl/podium/privkey.pem": str(key),
    })  # fmt: skip
    temp = {
        name: tmp_path / "nginx" / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")
    }
    for path in temp.values():
        path.mkdir(parents=True, exist_ok=True)
    conf = tmp_path / "nginx" / "nginx.conf"
    conf.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\nworker_processes 1;\npid {tmp_path}/nginx/nginx.pid;\n"
        f"error_log {tmp_path}/nginx/error.log info;\nevents {{ worker_connections 1024; }}\n"
        f"http {{\naccess_log {tmp_path}/nginx/access.log;\n"
        + "".join(f"{name}_temp_path {path};\n" for name, path in temp.items())
        .replace("body_temp_path", "client_body_temp_path")
        + block + "}\n"
    )  # fmt: skip
    # -e: its own error log from the start, not the system's (which only root may open)
    args = [
        binary,
        "-c",
        str(conf),
        "-p",
        str(tmp_path / "nginx"),
        "-e",
        str(conf.parent / "error.log"),
    ]
    subprocess.run([*args, "-t"], check=True, capture_output=True)
    return args


def haproxy(tmp_path: Path, ports: list[int], port: int, cert: Path, key: Path) -> list[str]:
    binary = program_or_skip(HAPROXY, "/usr/sbin/haproxy")
    pem = tmp_path / "podium.pem"
    pem.write_text(cert.read_text() + key.read_text())
    changes = {
        "server p1 10.0.0.11:8081": f"server p1 127.0.0.1:{ports[0]}",
        "server p2 10.0.0.12:8081": f"server p2 127.0.0.1:{ports[1]}",
        "bind :443 ssl crt /etc/haproxy/podium.pem": f"bind 127.0.0.1:{port} ssl crt {pem}",
        "bind :80": f"bind 127.0.0.1:{free_port()}",
        "log /dev/log local0": "log stdout format raw local0",
    }
    if os.geteuid() != 0:  # only root may change to the haproxy user
        changes |= {"    user haproxy\n": "", "    group haproxy\n": ""}
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(replaced(the_block("haproxy", "backend podium"), changes))
    subprocess.run([binary, "-c", "-f", cfg], check=True, capture_output=True)
    return [binary, "-db", "-f", str(cfg)]


def live(page: Page) -> None:
    expect(page.locator("#podium-status")).to_have_attribute("data-state", "live")


@pytest.mark.parametrize("proxy", [nginx, haproxy], ids=["nginx", "haproxy"])
def test_the_documented_proxy_carries_pages_and_fails_over(
    proxy: Callable[..., list[str]],
    tmp_path: Path,
    browser: Browser,
    certificate: tuple[Path, Path],
    backends: Callable[[int], list[Server]],
) -> None:
    cert, key = certificate
    port = free_port()
    servers = backends(port)
    args = proxy(tmp_path, [s.port for s in servers], port, cert, key)
    log = tmp_path / "proxy.log"
    proc = run(args, log)
    context = browser.new_context(ignore_https_errors=True)
    try:
        until_serving(proc, port, log)
        backend = Backend(servers, port, cert)
        page = context.new_page()
        page.goto(f"{backend.url}/viewer")
        live(page)
        holder, other = backend.holder()

        # a change made on the process the page is not connected to
        assert other.command("start_session", session_id="session-1")[0] == 200
        expect(page.get_by_text("Coordinated Efforts").first).to_be_visible()

        # a speaker's link names the public address
        status, links = other.request("GET", "/api/speakers/links", token=other.token)
        assert status == 200 and links[0]["url"].startswith(f"{backend.url}/speaker?")

        holder.kill()
        killed = time.monotonic()
        expect(page.locator("#podium-status")).not_to_have_attribute("data-state", "live")
        live(page)
        back = time.monotonic() - killed
        assert clients(other) == 1
        print(f"{proxy.__name__}: the viewer was back on the other process {back:.2f} s after")
        assert back < BACK_WITHIN_S, f"back after {back:.2f} s"
        assert other.command("show_message", text="Back on the other one",
                             target="viewers")[0] == 200  # fmt: skip
        expect(page.get_by_text("Back on the other one")).to_be_visible()

        # podium ctl through the proxy's TLS: with the certificate, and without
        env = {**os.environ, "PODIUM_MODERATOR_TOKEN": other.token}
        ctl = [sys.executable, "-m", "podium.cli", "ctl", "pause", "--url", backend.url]
        refused = subprocess.run(ctl, env=env, capture_output=True, text=True, timeout=60)
        assert refused.returncode != 0 and "--cacert FILE" in refused.stderr, refused.stderr
        done = subprocess.run([*ctl, "--cacert", str(cert)], env=env, capture_output=True,
                              text=True, timeout=60)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert other.state()["version"] == 3  # start_session, show_message, then pause
    finally:
        context.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)

"""Access against the real server: roles, private events, tokens kept out of logs and
rotated live, the WebSocket Origin allowlist, rate limits, security headers, and static
files that never leave ``web/``."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets

from tests import rawws
from tests.clients import moderator
from tests.helpers import ROOT, Server, podium, recv_json, recv_type

VIEWER_TOKEN = "viewer-token-abcdefghijklmnopqrstuvwxyz"


def private_server(where: Path) -> Server:
    return Server(data_dir=where / "data", env={"PODIUM_VIEWER_TOKEN": VIEWER_TOKEN}).start()


@pytest.fixture(scope="module")
def private(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One private event for the checks that change nothing in it (each would otherwise
    start a server of its own)."""
    srv = private_server(tmp_path_factory.mktemp("private"))
    yield srv
    srv.kill()


def test_private_event_read_api_needs_a_token(private: Server) -> None:
    assert private.request("GET", "/api/access") == (200, {"private": True})
    for path in ("/api/state", "/api/programme", "/api/rooms"):
        status, body = private.request("GET", path)
        assert status == 401 and "private" in body["error"]["message"], path
        assert private.request("GET", path, token="wrong-token")[0] == 401
        assert private.request("GET", path, token=VIEWER_TOKEN)[0] == 200
        assert private.request("GET", path, token=private.token)[0] == 200
        assert private.request("GET", f"{path}?token={VIEWER_TOKEN}")[0] == 200
    assert private.request("GET", "/healthz")[0] == 200  # no event data in it


def test_private_event_tells_strangers_only_whether_it_is_up(private: Server) -> None:
    assert private.request("GET", "/healthz") == (200, {"status": "ok"})
    assert private.request("GET", "/healthz", token="wrong-token") == (200, {"status": "ok"})
    for token in (VIEWER_TOKEN, private.token):
        status, health = private.request("GET", "/healthz", token=token)
        assert status == 200 and health["rooms"]["itu-miit-2021"]["version"] == 0
    for path in ("/ws?room=x", "/api/state?room=x", "/api/events?room=x"):
        sock, status, head = rawws.handshake(private.port, path)
        sock.close()
        assert status in (401, 404) and b"itu-miit-2021" not in head, (path, head)
    status, body = private.request("GET", "/api/state?room=x", token=VIEWER_TOKEN)
    assert status == 404 and "rooms here: itu-miit-2021" in body["error"]["message"]


async def test_private_event_websocket_sends_nothing_before_auth(private: Server) -> None:
    async with websockets.connect(private.ws_url + "&client=screen") as ws:
        await ws.send(json.dumps({"type": "ping", "t0": 5}))
        assert (await recv_json(ws))["type"] == "pong"  # clock sync works, data does not flow
        await ws.send(json.dumps({"type": "auth", "token": "guess"}))
        assert (await recv_json(ws))["code"] == "unauthorized"
        await ws.send(json.dumps({"type": "auth", "token": VIEWER_TOKEN}))
        assert await recv_json(ws) == {"type": "auth_ok", "role": "screen"}
        snapshot = await recv_json(ws)
        assert snapshot["type"] == "snapshot"
        await ws.send(json.dumps({"type": "command", "id": 1, "command": {"action": "next"}}))
        assert (await recv_json(ws))["code"] == "forbidden"
    async with websockets.connect(f"{private.ws_url}&token={VIEWER_TOKEN}") as ws:
        assert await recv_json(ws) == {"type": "auth_ok", "role": "viewer"}
        assert (await recv_json(ws))["type"] == "snapshot"


def test_public_event_says_so(shared: Server) -> None:
    assert shared.request("GET", "/api/access") == (200, {"private": False})


def test_commands_need_the_bearer_header_never_a_cookie(server: Server) -> None:
    for headers in (
        {"Cookie": f"token={server.token}"},
        {"Cookie": f"podium_token={server.token}; token={server.token}"},
        {"Authorization": f"Basic {server.token}"},
        {"Authorization": server.token},
    ):
        body = {"action": "start_session", "session_id": "session-1"}
        status, answer = server.request("POST", "/api/commands", body, headers=headers)
        assert status == 401 and answer["error"]["code"] == "unauthorized", headers
    assert server.state()["version"] == 0
    assert server.command("start_session", session_id="session-1")[0] == 200


def test_tokens_never_reach_the_log(tmp_path: Path) -> None:
    srv = Server(
        data_dir=tmp_path / "data",
        env={"PODIUM_MODERATOR_TOKEN": "", "PODIUM_VIEWER_TOKEN": VIEWER_TOKEN},
    ).start()
    try:
        generated = (srv.data_dir / "moderator.token").read_text().strip()
        srv.token = generated
        assert len(generated) >= 22  # 128 bits or more of URL-safe base64
        assert (srv.data_dir / "moderator.token").stat().st_mode & 0o777 == 0o600
        assert srv.command("start_session", session_id="session-1")[0] == 200
        assert srv.request("GET", f"/api/state?room=itu-miit-2021&token={VIEWER_TOKEN}")[0] == 200
        assert srv.request("GET", f"/api/state?token={generated}&x=1")[0] == 200
        sock, status, _ = rawws.handshake(srv.port, f"/ws?token={generated}")
        assert status == 101
        sock.close()
        # a malformed request with a token in it, which aiohttp itself reports
        with socket.create_connection(("127.0.0.1", srv.port)) as raw:
            raw.sendall(f"GET /api/state?token={generated}{'a' * 9000} HTTP/1.1\r\n\r\n".encode())
            raw.recv(100)
    finally:
        srv.terminate()
    log = srv.log.read_text()
    assert "token=[redacted]" in log and '"GET /api/state' in log
    assert generated not in log and VIEWER_TOKEN not in log


# Every spelling of the key that aiohttp decodes to ``token`` is accepted (percent-decoding
# a query is standard URL handling); every spelling of it, accepted or not, is redacted.
TOKEN_SPELLINGS = [
    ("/api/state?%74oken={v}", 200),
    ("/api/state?tok%65n={v}", 200),
    ("/api/state?%74%6F%6B%65%6E={v}", 200),
    ("/api/state?room=itu-miit-2021&token={v}&token={v}", 200),
    ("/api/state?x=1&token=%{hex}", 200),  # the value percent-encoded
    ("/api/state?TOKEN={v}", 401),
    ("/api/state?Token={v}&x=1", 401),
    ("/api/state?token+={v}", 401),
    ("/api/state?token%20={v}", 401),
    ("/api/state?%2574oken={v}", 401),  # encoded twice: aiohttp decodes once
    ("/api/state/text?field=phase&%74oken={v}", 200),
    ("/metrics?%74oken={v}", 200),
    ("/api/programme?%54oken={v}", 401),
]


def test_no_spelling_of_token_reaches_the_log(tmp_path: Path) -> None:
    private = private_server(tmp_path)  # its own: it is stopped to read the whole log
    try:
        hex_value = "%".join(f"{b:02X}" for b in VIEWER_TOKEN.encode())
        for path, status in TOKEN_SPELLINGS:
            got = private.request("GET", path.format(v=VIEWER_TOKEN, hex=hex_value))[0]
            assert got == status, path
        for path in ("/ws?%74oken={v}", "/ws?client=screen&tok%65n={v}"):
            sock, status, head = rawws.handshake(private.port, path.format(v=VIEWER_TOKEN))
            with sock:
                assert status == 101
                received = head.partition(b"\r\n\r\n")[2] or rawws.read_frame(sock)[1]
                assert b'"type":"auth_ok"' in received
        private.terminate()
    finally:
        private.kill()
    log = private.log.read_text()
    assert log.count("=[redacted]") >= len(TOKEN_SPELLINGS) + 2
    assert VIEWER_TOKEN[3:] not in log and VIEWER_TOKEN[:-3] not in log


async def test_token_rotation_closes_moderators_without_a_restart(tmp_path: Path) -> None:
    srv = Server(data_dir=tmp_path / "data", env={"PODIUM_MODERATOR_TOKEN": ""}).start()
    try:
        old = (srv.data_dir / "moderator.token").read_text().strip()
        srv.token = old
        async with websockets.connect(srv.ws_url) as viewer, moderator(srv) as mod:
            await recv_json(viewer)
            result = podium(
                "token",
                "rotate",
                "--data-dir",
                str(srv.data_dir),
                timeout=30,
                env={k: v for k, v in os.environ.items() if k != "PODIUM_MODERATOR_TOKEN"},
            )
            assert result.returncode == 0, result.stderr
            new = result.stdout.strip()
            assert new != old and len(new) >= 22
            with pytest.raises(websockets.ConnectionClosed):
                await recv_type(mod, "never", timeout=10)
            assert mod.close_code == 4001
            await viewer.send(json.dumps({"type": "ping", "t0": 1}))
            assert (await recv_type(viewer, "pong"))["t0"] == 1  # viewers stay connected
        assert srv.command("start_session", session_id="session-1")[0] == 401
        srv.token = new
        assert srv.command("start_session", session_id="session-1")[0] == 200
        async with moderator(srv):
            pass  # the new token works over the WebSocket too
    finally:
        srv.kill()
    refused = podium(
        "token",
        "rotate",
        "--data-dir",
        str(srv.data_dir),
        timeout=30,
        env={**os.environ, "PODIUM_MODERATOR_TOKEN": "from-the-environment"},
    )
    assert refused.returncode == 2 and "comes from the environment" in refused.stderr


# -- Origin ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (None, True),  # not a browser
        # the same Host, as a DNS-rebinding page sends it: with an allowlist, not trusted
        ("http://127.0.0.1:{port}", False),
        ("https://console.example.org", True),  # on the allowlist
        ("https://evil.example", False),
        ("http://127.0.0.1:1", False),  # another port is another origin
        ("null", False),  # sandboxed frames, file:// pages
    ],
)
def test_websocket_origin_allowlist(allowing: Server, origin: str | None, allowed: bool) -> None:
    headers = {} if origin is None else {"Origin": origin.format(port=allowing.port)}
    sock, status, head = rawws.handshake(allowing.port, headers=headers)
    sock.close()
    if allowed:
        assert status == 101
    else:
        assert status == 403 and b"--allow-origin" in head


def test_with_a_public_url_the_origin_must_be_that_url(tmp_path: Path) -> None:
    """DNS rebinding: a page on evil.example whose name now points at this server sends
    ``Origin`` and ``Host`` that agree. Knowing its public URL, the server refuses it."""
    srv = Server(
        data_dir=tmp_path / "data",
        extra_args=["--public-url", "https://Podium.example.org:443/viewer"],
    ).start()
    try:
        for origin, allowed in [
            (f"http://127.0.0.1:{srv.port}", False),  # equals Host, is not the public URL
            ("http://podium.example.org", False),  # another scheme is another origin
            ("https://podium.example.org", True),
            ("https://podium.example.org/", True),
            (None, True),  # not a browser
        ]:
            sock, status, head = rawws.handshake(
                srv.port, headers={"Origin": origin} if origin else {}
            )
            sock.close()
            assert status == (101 if allowed else 403), origin
            assert allowed or b"--public-url" in head
        said = srv.log.read_text()  # why, in the log, with what to do
        assert (
            f"refused a WebSocket from 127.0.0.1: its page is from http://127.0.0.1:{srv.port},"
            " but pages here are from https://podium.example.org" in said
        )
        assert "give podium the address viewers open with --public-url" in said
    finally:
        srv.kill()
    refused = serve_with(tmp_path, "--public-url", "podium.example.org")
    assert refused.returncode == 2 and "give it as https://host" in refused.stderr


@pytest.fixture(scope="module")
def allowing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server that also allows pages from https://console.example.org."""
    srv = Server(
        data_dir=tmp_path_factory.mktemp("origin") / "data",
        extra_args=["--allow-origin", "https://console.example.org/"],
    ).start()
    yield srv
    srv.kill()


# -- rate limits ----------------------------------------------------------------------------


async def test_rate_limits_answer_with_an_error_then_close(tmp_path: Path) -> None:
    srv = Server(
        data_dir=tmp_path / "data",
        extra_args=["--limit-commands", "5/60", "--limit-messages", "12/60",
                    "--limit-connects", "4/60", "--limit-loopback"],
    ).start()  # fmt: skip
    try:
        async with websockets.connect(srv.ws_url) as bystander, moderator(srv) as mod:
            await recv_json(bystander)
            answers = []
            for n in range(6):
                command = {"action": "add_time", "seconds": 10}
                if n == 0:
                    command = {"action": "start_session", "session_id": "session-1"}
                await mod.send(json.dumps({"type": "command", "id": n, "command": command}))
                answers.append(await recv_type(mod, "error" if n == 5 else "ack"))
            assert (
                answers[-1]["code"] == "rate_limited"
                and "limit 5 per 60 s" in answers[-1]["message"]
            )
            with pytest.raises(websockets.ConnectionClosed):
                await recv_type(mod, "never")
            assert mod.close_code == 1008
            assert srv.state()["version"] == 5  # the refused one changed nothing

            for _ in range(12):  # the bystander keeps its own budget of messages
                await bystander.send(json.dumps({"type": "ping", "t0": 1}))
                await recv_type(bystander, "pong")
            await bystander.send(json.dumps({"type": "ping", "t0": 1}))
            assert (await recv_type(bystander, "error"))["code"] == "rate_limited"
            with pytest.raises(websockets.ConnectionClosed):
                await recv_type(bystander, "never")
            assert bystander.close_code == 1008

        # two connections so far from this address; two more are allowed, then 429
        statuses = [rawws.handshake(srv.port)[1] for _ in range(3)]
        assert statuses == [101, 101, 429]
        status, body = srv.request("GET", "/api/state")
        assert status == 200 and body["version"] == 5  # reading is not slowed or refused
    finally:
        srv.kill()


def test_http_commands_are_limited_per_address(tmp_path: Path) -> None:
    srv = Server(
        data_dir=tmp_path / "data", extra_args=["--limit-commands", "3/60", "--limit-loopback"]
    ).start()
    try:
        statuses = [srv.command("add_time", seconds=5)[0] for _ in range(4)]
        assert statuses == [422, 422, 422, 429]  # nothing is live: refused, but counted
        status, body = srv.command("start_session", session_id="session-1")
        assert status == 429 and body["error"]["code"] == "rate_limited"
        assert srv.state()["version"] == 0
    finally:
        srv.kill()


def serve_with(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``podium serve ARGS`` expected to stop at once (a bad option)."""
    return podium("serve", *args, "--data-dir", str(tmp_path), timeout=30)


def test_bad_limits_are_refused_at_start(tmp_path: Path) -> None:
    result = serve_with(tmp_path, "--limit-commands", "lots")
    assert result.returncode == 2 and "'lots' is not a rate" in result.stderr


# -- headers and static files ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/console", None),
        ("GET", "/viewer", None),
        ("GET", "/screen", None),
        ("GET", "/overlay", None),
        ("GET", "/assets/index.html", 200),
        ("GET", "/assets/js/podium.js", 200),
        ("GET", "/api/state", 200),
        ("GET", "/healthz", 200),
        ("GET", "/no/such/page", 404),
        ("POST", "/api/commands", 401),
        ("DELETE", "/api/state", 405),
        ("GET", "/ws", 400),  # not an upgrade
    ],
)
def test_security_headers_on_every_response(
    shared: Server, method: str, path: str, status: int | None
) -> None:
    import urllib.request

    request = urllib.request.Request(shared.url + path, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            got, headers = response.status, response.headers
    except urllib.error.HTTPError as exc:
        got, headers = exc.code, exc.headers
    if status is not None:
        assert got == status
    csp = headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    if path.startswith(("/api/", "/healthz")) or path.endswith(".js"):  # never a page
        assert directives == {"default-src": "'none'", "frame-ancestors": "'none'"}
    else:
        assert directives["script-src"] == "'self'" and "unsafe-inline" not in csp
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == ("*" if path == "/overlay" else "'none'")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the read-only checks below."""
    srv = Server(data_dir=tmp_path_factory.mktemp("access") / "data").start()
    yield srv
    srv.kill()


@pytest.fixture
def link_out_of_web() -> Iterator[str]:
    """A symlink inside web/ pointing outside it, as a careless deploy might leave."""
    link = ROOT / "web" / ".traversal-test-link"
    link.symlink_to(ROOT)
    try:
        yield link.name
    finally:
        link.unlink()


@pytest.mark.parametrize(
    "path",
    [
        "/assets/../pyproject.toml",
        "/assets/../../etc/passwd",
        "/assets/%2e%2e/pyproject.toml",
        "/assets/%2E%2E%2Fpyproject.toml",
        "/assets/..%2f..%2fetc%2fpasswd",
        "/assets/....//pyproject.toml",
        "/assets//etc/passwd",
        "/assets/%00../pyproject.toml",
        "/assets/..\\pyproject.toml",
        "/assets/{link}/pyproject.toml",
        "/assets/{link}/server/podium/live/access/auth.py",
    ],
)
def test_static_files_never_come_from_outside_web(
    shared: Server, link_out_of_web: str, path: str
) -> None:
    with socket.create_connection(("127.0.0.1", shared.port), timeout=10) as sock:
        request = f"GET {path.format(link=link_out_of_web)} HTTP/1.1\r\nHost: x\r\n"
        sock.sendall((request + "Connection: close\r\n\r\n").encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    assert status in (400, 403, 404), data[:300]
    assert b"[project]" not in data and b"root:" not in data and b"hmac" not in data


async def test_nothing_a_viewer_sends_slows_the_others(server: Server) -> None:
    """A flooding viewer is cut off by its own budget; another viewer still gets changes."""
    async with (
        websockets.connect(server.ws_url) as flood,
        websockets.connect(server.ws_url) as calm,
    ):
        await recv_json(flood)
        await recv_json(calm)
        for _ in range(500):
            try:
                await flood.send(json.dumps({"type": "ping", "t0": 0}))
            except websockets.ConnectionClosed:
                break
        await asyncio.sleep(0)
        assert server.command("start_session", session_id="session-1")[0] == 200
        assert (await recv_type(calm, "state"))["version"] == 1
        with pytest.raises(websockets.ConnectionClosed):
            while True:
                await recv_json(flood)
        assert flood.close_code == 1008

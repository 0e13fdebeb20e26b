"""Property and fuzz tests against the real server and ``podium check``: whatever a client
sends, it gets a clear error (an HTTP 4xx or a WebSocket ``error``), never a 500 or a
traceback, never a state change; the connection and the server stay up."""

from __future__ import annotations

import http.client
import json
import math
import shutil
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from podium.core.commands import ACTIONS, parse_command
from podium.core.config import programme_file
from podium.core.errors import InvalidInput, ProgrammeError
from podium.core.wire.client import LONE_SURROGATE
from tests import rawws
from tests.helpers import SEED, Server, podium

HIGH_LIMITS = ["--limit-commands", "100000/1", "--limit-messages", "100000/1"]
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module, with a session live so commands have something to hit."""
    srv = Server(data_dir=tmp_path_factory.mktemp("fuzz") / "data", extra_args=HIGH_LIMITS)
    srv.start()
    assert srv.command("start_session", session_id="session-1")[0] == 200
    yield srv
    srv.kill()
    output = srv.log.read_text()
    assert "Traceback" not in output and "unexpected error" not in output


def version(server: Server) -> int:
    return server.request("GET", "/api/state", token=server.token)[1]["version"]


# -- strategies -----------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([2**53 + 1, -(2**63), 10**300, 0, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.text(min_size=600, max_size=3000),  # longer than any field allows
    st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3),  # lone surrogates
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
actions = st.sampled_from([*ACTIONS, "warp", "", "NEXT", "__class__"])
commands = st.one_of(
    json_values,
    st.builds(
        lambda action, extra: {"action": action, **extra},
        actions,
        st.dictionaries(
            st.sampled_from(
                [
                    "seconds",
                    "session_id",
                    "speaker_id",
                    "text",
                    "target",
                    "on",
                    "expected_version",
                    "extra",
                ]
            ),
            json_values,
            max_size=3,
        ),
    ),
)
messages = st.one_of(
    json_values,
    st.builds(
        lambda kind, fields: {"type": kind, **fields},
        st.sampled_from(["auth", "command", "ping", "dance", "", "snapshot"]),
        st.dictionaries(st.sampled_from(["token", "t0", "id", "command"]), json_values),
    ),
    st.builds(lambda c, i: {"type": "command", "id": i, "command": c}, commands, json_values),
)


def as_text(value: Any) -> str:
    return json.dumps(value, allow_nan=True)  # NaN and Infinity go out as bare words


# -- WebSocket ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def viewer(live: Server) -> Iterator[ClientConnection]:
    with connect(live.ws_url, max_size=None) as ws:
        assert json.loads(ws.recv(5))["type"] == "snapshot"
        yield ws


@pytest.fixture(scope="module")
def mod(live: Server) -> Iterator[ClientConnection]:
    with connect(live.ws_url + "&client=console", max_size=None) as ws:
        ws.recv(5)
        ws.send(json.dumps({"type": "auth", "token": live.token}))
        assert json.loads(ws.recv(5))["type"] == "auth_ok"
        yield ws


def reply(ws: ClientConnection) -> dict[str, Any]:
    """The answer to what was just sent (pushes are skipped: the state, and the speakers'
    readiness a moderator gets)."""
    while True:
        message = json.loads(ws.recv(5))
        if message["type"] not in ("state", "snapshot", "readiness"):
            return message


@FUZZ
@given(frame=st.one_of(messages.map(as_text), st.text(max_size=200), st.binary(max_size=200)))
def test_anything_a_viewer_sends_gets_an_answer_and_changes_nothing(
    live: Server, viewer: ClientConnection, frame: str | bytes
) -> None:
    before = version(live)
    viewer.send(frame)
    answer = reply(viewer)
    if answer["type"] == "error":
        assert answer["code"] in ("invalid", "forbidden", "unauthorized")
        assert answer["message"] and "Traceback" not in answer["message"]
    else:  # a well-formed ping or auth can be answered in kind
        assert answer["type"] in ("pong", "auth_ok") and answer.get("role") != "moderator"
    assert version(live) == before


@FUZZ
@given(command=commands, msg_id=st.one_of(st.integers(), st.text(max_size=20)))
def test_malformed_commands_from_a_moderator_are_refused_and_change_nothing(
    live: Server, mod: ClientConnection, command: Any, msg_id: int | str
) -> None:
    try:
        parse_command(command)
    except InvalidInput:
        pass
    else:
        assume(False)  # a valid command may legitimately change the state
    before = version(live)
    mod.send(json.dumps({"type": "command", "id": msg_id, "command": command}, allow_nan=True))
    answer = reply(mod)
    assert answer == {**answer, "type": "error", "id": msg_id, "code": "invalid"}
    assert version(live) == before


def test_oversized_frames_close_with_1009_and_the_server_stays_up(live: Server) -> None:
    before = version(live)
    with connect(live.ws_url, max_size=None) as ws:
        ws.recv(5)
        ws.send(json.dumps({"type": "ping", "t0": 1, "pad": "x" * (64 * 1024)}))
        with pytest.raises(ConnectionClosed) as closed:
            reply(ws)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    with connect(live.ws_url) as ws:
        assert json.loads(ws.recv(5))["version"] == before


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (rawws.frame(b'{"type": "ping", "t0": "\xff\xfe"}'), 1007),  # invalid UTF-8 text
        (rawws.frame(b"", opcode=0x3), 1002),  # a reserved opcode
    ],
    ids=["invalid-utf-8-1007", "reserved-opcode-1002"],  # the frames' masks are random
)
def test_protocol_violations_close_with_the_right_code(
    live: Server, frame: bytes, code: int
) -> None:
    before = version(live)
    sock, status, _ = rawws.handshake(live.port)
    with sock:
        assert status == 101
        sock.sendall(frame)
        assert rawws.close_code(sock) == code
    assert version(live) == before


# Valid JSON, valid UTF-8 on the wire, but "\\ud800" decodes to half a surrogate pair:
# a string with no UTF-8 form, which no reply could carry (once a 1011 and a traceback).
LONE_SURROGATES = [
    r'{"type": "command", "id": "\ud800", "command": {"action": "next"}}',
    r'{"type": "command", "id": "ok\udfff", "command": {}}',
    r'{"type": "auth", "token": "\udc80"}',
    r'{"type": "ping", "t0": "\ud800"}',
    r'{"type": "\ud83d"}',
    r'{"type": "ping", "t0": 1, "\ud800": 1}',
    r'["\ud800"]',
]


@pytest.mark.parametrize("text", LONE_SURROGATES)
def test_a_lone_surrogate_anywhere_is_refused_and_the_connection_stays(
    live: Server, viewer: ClientConnection, text: str
) -> None:
    before = version(live)
    viewer.send(text)
    answer = reply(viewer)
    assert answer["type"] == "error" and answer["code"] == "invalid", answer
    assert "surrogate" in answer["message"] and answer["id"] is None
    viewer.send(json.dumps({"type": "ping", "t0": 7}))
    assert reply(viewer)["t0"] == 7
    assert version(live) == before


def test_a_lone_surrogate_in_a_command_is_refused_not_stored(
    live: Server, mod: ClientConnection
) -> None:
    before = version(live)
    text = r'{"action": "show_message", "text": "hi \ud83d", "target": "all"}'
    mod.send('{"type": "command", "id": 9, "command": ' + text + "}")
    assert reply(mod) == {"type": "error", "id": 9, "code": "invalid", "message": LONE_SURROGATE}
    status, answer = live.request("POST", "/api/commands", text.encode(), live.token)
    assert status == 400 and "surrogate" in answer["error"]["message"]
    assert version(live) == before


# -- HTTP -----------------------------------------------------------------------------------

ENDPOINTS = [
    "/healthz", "/api/rooms", "/api/access", "/api/programme", "/api/state", "/api/commands",
    "/api/state/text", "/api/report", "/metrics",
    "/ws", "/", "/console", "/viewer", "/screen", "/overlay", "/assets/", "/nope",
]  # fmt: skip
# (/api/events streams for as long as it is read; test_integrations covers it)
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60).map(
    str.strip
)


@FUZZ
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]),
    path=st.sampled_from(ENDPOINTS),
    query=st.dictionaries(st.sampled_from(["room", "client", "token", "x"]), header_text),
    body=st.one_of(st.binary(max_size=300), messages.map(lambda m: as_text(m).encode())),
    headers=st.dictionaries(
        st.sampled_from(
            [
                "Content-Type",
                "Authorization",
                "Origin",
                "Accept",
                "Cookie",
                "Upgrade",
                "Connection",
                "X-Forwarded-For",
            ]
        ),
        header_text,
        max_size=4,
    ),
)
def test_any_http_request_gets_a_clear_answer_and_changes_nothing(
    live: Server,
    method: str,
    path: str,
    query: dict[str, str],
    body: bytes,
    headers: dict[str, str],
) -> None:
    from urllib.parse import urlencode

    before = version(live)
    conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=10)
    try:
        target = path + ("?" + urlencode(query) if query else "")
        conn.request(method, target, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    assert response.status < 500, (response.status, data[:200])
    assert b"Traceback" not in data
    if response.status >= 400 and path.startswith("/api/") and method != "HEAD":
        assert json.loads(data)["error"]["message"]
    assert version(live) == before


@pytest.mark.parametrize(
    "raw",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /api/state HTTP/9.9\r\n\r\n",
        b"POST /api/commands HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST /api/commands HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n{}",
        b"POST /api/commands HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET /api/state HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 70_000 + b"\r\n\r\n",
        b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /api/state HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
    ],
)
def test_malformed_http_gets_a_4xx(live: Server, raw: bytes) -> None:
    import socket

    before = version(live)
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        sock.sendall(raw)
        head = sock.recv(4096)
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    assert 400 <= status < 500, head[:200]
    assert version(live) == before


@pytest.fixture(scope="module")
def private(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(
        data_dir=tmp_path_factory.mktemp("fuzz-private") / "data",
        env={"PODIUM_VIEWER_TOKEN": "fuzz-viewer-token-0123456789abcdef"},
    ).start()
    yield srv
    srv.kill()
    output = srv.log.read_text()
    assert "Traceback" not in output and "unexpected error" not in output


BAD_BEARERS = [b"\xff", b"\xc3", b"\xc3(", b"ab\xed\xa0\x80", b"\xff" * 40, b"\x80token"]


@pytest.mark.parametrize("bearer", BAD_BEARERS)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/commands"),
        ("GET", "/api/state"),
        ("GET", "/api/programme"),
        ("GET", "/api/rooms"),
        ("GET", "/api/state/text"),
        ("GET", "/api/report"),
        ("GET", "/metrics"),
        ("GET", "/api/events?room=nope"),
    ],
)
def test_a_bearer_that_is_not_utf8_is_a_401(
    private: Server, bearer: bytes, method: str, path: str
) -> None:
    """aiohttp reads such header bytes as lone surrogates; the token comparison once
    encoded them strictly and answered 500 with a traceback in the log."""
    import socket

    before = version(private)
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n".encode()
    raw = head + b"Authorization: Bearer " + bearer + b"\r\nConnection: close\r\n\r\n{}"
    with socket.create_connection(("127.0.0.1", private.port), timeout=10) as sock:
        sock.sendall(raw)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 401 "), answer[:300]
    assert b'"code": "unauthorized"' in answer
    assert version(private) == before


def test_a_command_body_over_64_kib_is_refused(live: Server) -> None:
    before = version(live)
    body = json.dumps({"action": "show_message", "text": "x" * 70_000}).encode()
    status, answer = live.request("POST", "/api/commands", body, live.token)
    assert status in (400, 413), answer
    assert version(live) == before


# -- programme files ------------------------------------------------------------------------

SEED_LINES = SEED.read_text(encoding="utf-8").splitlines()
LOGO = SEED.parent / "itu-miit-2021-logo.svg"
toml_scalars = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats().map(lambda f: "nan" if math.isnan(f) else repr(f).replace("inf", "inf")),
    st.text(max_size=30).map(json.dumps),
    st.sampled_from(['"25:99"', '"-5m"', '"0"', "true", "[]", "{}", '"Mars/Olympus"', '""']),
)


@st.composite
def mutated_seed(draw: st.DrawFn) -> str:
    lines = list(SEED_LINES)
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["drop", "dup", "value", "junk"]))
        if kind == "drop":
            del lines[i]
        elif kind == "dup":
            lines.insert(i, lines[i])
        elif kind == "value" and "=" in lines[i]:
            key = lines[i].split("=", 1)[0]
            lines[i] = f"{key}= {draw(toml_scalars)}"
        else:
            lines.insert(i, draw(st.text(max_size=40)))
    return "\n".join(lines)


def check_one(text: str) -> None:
    """A programme either loads or fails with a ``ProgrammeError`` listing problems (next
    to the seed's logo and scripts, so that a mutation elsewhere can load)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "programme.toml"
        path.write_text(text, encoding="utf-8")
        shutil.copy(LOGO, folder)
        shutil.copytree(SEED.parent / "scripts", Path(folder) / "scripts")
        try:
            programme_file.load(path)
        except ProgrammeError as exc:
            assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)


@settings(max_examples=300, deadline=None)
@given(mutated_seed())
def test_mutated_programmes_load_or_explain_every_problem(text: str) -> None:
    check_one(text)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_random_data_as_a_programme_is_explained(data: Any) -> None:
    try:
        programme_file.parse(data if isinstance(data, dict) else {"event": data})
    except ProgrammeError as exc:
        assert exc.problems


def test_podium_check_on_broken_files_lists_problems_without_a_traceback(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken.toml"
    seed = SEED.read_text(encoding="utf-8")
    broken.write_text(seed.replace('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"'))
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    for path in (broken, binary, tmp_path / "missing.toml"):
        result = podium("check", str(path), timeout=30)
        assert result.returncode == 1, result
        assert f"{path}:" in result.stderr and "  - " in result.stderr
        assert "Traceback" not in result.stderr
    assert tomllib.loads(SEED.read_text(encoding="utf-8"))  # the seed itself stays valid

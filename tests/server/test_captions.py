"""Live captions on a real server, with either store: a captioner's lines over HTTP and its
WebSocket reach every viewer as one message, final ones are kept (a SIGKILL and two
processes on one Redis included) and come back as a session's WebVTT file timed from its
start; bad lines, bursts, other tokens and a private event are refused."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import websockets

from podium.core.captions import CUE_MAX_MS, CUE_MIN_MS
from tests.helpers import Server, podium, recv_json, recv_type
from tests.redis_server import RedisServer
from tests.server.test_integrations import sse_messages

CAPTIONER = "captioner-token-0123456789abcdefghij"
ASSISTANT = "assistant-token-0123456789abcdefgh"
VIEWER = "viewer-token-abcdefghijklmnopqrstuvwxyz"
WIRE = {"type", "text", "lang", "final", "at", "speaker_id"}


def started(
    data: Path, redis: RedisServer | None = None, *more: str, env: dict[str, str] | None = None
) -> Server:
    args = ["--redis", redis.url, "--redis-prefix", redis.prefix] if redis else []
    tokens = {"PODIUM_CAPTIONS_TOKEN": CAPTIONER, "PODIUM_QUESTIONS_TOKEN": ASSISTANT}
    return Server(data_dir=data, extra_args=[*args, *more], env={**tokens, **(env or {})}).start()


@pytest.fixture(params=["files", "redis"])
def store_server(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    redis = request.getfixturevalue("redis_aof") if request.param == "redis" else None
    server = started(tmp_path / "data", redis)
    yield server
    server.kill()


def caption(server: Server, text: str, token: str | None = CAPTIONER, **more: Any) -> tuple:
    return server.request("POST", "/api/captions", {"text": text, **more}, token)


def vtt(server: Server, session_id: str = "session-1") -> tuple[int, Any]:
    query = f"/api/captions?session_id={session_id}&format=vtt"
    return server.request("GET", query, token=server.token)


def cues(text: bytes) -> list[tuple[int, int, str]]:
    """A WebVTT file's cues: (start ms, end ms, text)."""
    found = re.findall(
        r"(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)\n(.*)\n", text.decode()
    )

    def ms(h: str, m: str, s: str, t: str) -> int:
        return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(t)

    return [(ms(*c[0:4]), ms(*c[4:8]), c[8]) for c in found]


async def viewer(server: Server, token: str | None = None) -> websockets.ClientConnection:
    ws = await websockets.connect(server.ws_url + "&client=viewer")
    if token is not None:
        await ws.send(json.dumps({"type": "auth", "token": token}))
        await recv_type(ws, "auth_ok")
    await recv_type(ws, "snapshot")
    return ws


def test_lines_reach_every_viewer_and_the_webvtt_holds_the_final_ones(store_server: Server) -> None:
    server = store_server
    assert server.command("start_session", session_id="session-1")[0] == 200
    started_at = server.state()["state"]["session"]["started_at"]

    async def run() -> None:
        watcher, other = await viewer(server), await viewer(server)
        status, body = caption(server, "  Good morning, <everyone>  ", lang="en")
        assert status == 201 and set(body) == {"id", "at"}
        raw = await asyncio.wait_for(other.recv(), 5)
        assert raw == await asyncio.wait_for(watcher.recv(), 5)  # the same text to all
        await other.close()
        heard = json.loads(raw)
        assert set(heard) == WIRE
        assert heard == {
            "type": "caption", "text": "Good morning, <everyone>", "lang": "en", "final": True,
            "at": body["at"], "speaker_id": "hequan-wu",
        }  # fmt: skip
        assert caption(server, "wel", final=False)[0] == 201  # interim: pushed, not kept
        assert (await recv_type(watcher, "caption"))["final"] is False
        async with websockets.connect(server.ws_url + "&client=captioner") as cart:
            await cart.send(json.dumps({"type": "auth", "token": CAPTIONER}))
            assert (await recv_type(cart, "auth_ok"))["role"] == "captioner"
            line = {"type": "caption", "id": 7, "text": "欢迎各位", "lang": "zh", "final": True}
            await cart.send(json.dumps(line))
            ack = await recv_type(cart, "ack")
            assert ack["id"] == 7 and set(ack["caption"]) == {"id", "at"}
        heard = await recv_type(watcher, "caption")
        assert (heard["text"], heard["lang"], heard["at"]) == (
            "欢迎各位",
            "zh",
            ack["caption"]["at"],
        )
        await watcher.close()
        status, text = vtt(server)
        assert status == 200 and text.startswith(b"WEBVTT")
        first, second = cues(text)
        start, following = body["at"] - started_at, ack["caption"]["at"] - started_at
        # until the next line, shown at least half a second, at most six
        end = max(start + CUE_MIN_MS, min(following, start + CUE_MAX_MS))
        assert first == (start, end, "Good morning, &lt;everyone&gt;")
        assert second == (following, following + CUE_MAX_MS, "欢迎各位")
        status, listed = server.request("GET", "/api/captions?session_id=session-1",
                                        token=server.token)  # fmt: skip
        assert status == 200 and [c["text"] for c in listed["captions"]] == [
            "Good morning, <everyone>", "欢迎各位"
        ]  # fmt: skip

    asyncio.run(run())


def test_kept_lines_survive_a_sigkill(store_server: Server) -> None:
    server = store_server
    server.command("start_session", session_id="session-1")
    for n in range(5):
        assert caption(server, f"line {n}")[0] == 201
    server.kill()
    server.start()
    status, text = vtt(server)
    assert status == 200 and [c[2] for c in cues(text)] == [f"line {n}" for n in range(5)]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"text": "x" * 501}, "at most 500"),
        ({"text": " \u200b "}, "the caption is empty"),
        ({"text": 5}, "text must be a string"),
        ({"text": "ok", "lang": "english!"}, "not a language tag"),
        ({"text": "ok", "final": "yes"}, "final must be true"),
        ({"text": "ok", "speaker": "me"}, "unknown field(s) speaker"),
        (["ok"], "a JSON object"),
    ],
)
def test_bad_lines_are_400_and_change_nothing(
    server_with_captions: Server, body: Any, says: str
) -> None:
    server = server_with_captions
    status, answer = server.request("POST", "/api/captions", body, CAPTIONER)
    assert status == 400 and says in answer["error"]["message"], answer
    assert server.request("GET", "/api/captions", token=server.token)[1]["captions"] == []


@pytest.fixture
def server_with_captions(tmp_path: Path) -> Any:
    server = started(tmp_path / "data")
    yield server
    server.kill()


def test_the_webvtt_export_is_the_moderators_and_names_what_is_wrong(
    server_with_captions: Server,
) -> None:
    server = server_with_captions
    for token in (None, CAPTIONER, ASSISTANT):
        assert server.request("GET", "/api/captions?session_id=session-1&format=vtt",
                              token=token)[0] == 401  # fmt: skip
    status, body = vtt(server)
    assert status == 404 and "has not started" in body["error"]["message"]
    assert vtt(server, "nope")[0] == 404
    status, body = server.request("GET", "/api/captions?format=vtt", token=server.token)
    assert status == 400 and "session_id" in body["error"]["message"]
    assert server.request("GET", "/api/captions?format=srt", token=server.token)[0] == 400


def test_a_caption_token_does_its_job_and_nothing_else(server_with_captions: Server) -> None:
    server = server_with_captions
    assert caption(server, "hello", token=None)[0] == 401
    assert caption(server, "hello", token="not-a-token-at-all-0123456789")[0] == 401
    assert caption(server, "hello", token=ASSISTANT)[0] == 403  # another role's token
    assert caption(server, "hello", token=server.token)[0] == 201  # a moderator may
    command = {"action": "start_session", "session_id": "session-1"}
    assert server.request("POST", "/api/commands", command, CAPTIONER)[0] == 401
    qid = server.request("POST", "/api/questions", {"text": "Why?"})[1]["id"]
    assert server.request("POST", f"/api/questions/{qid}", {"action": "approve"},
                          CAPTIONER)[0] == 403  # fmt: skip
    assert server.request("GET", "/api/questions?status=pending", token=CAPTIONER)[0] == 403
    for path in ("/api/report", "/api/automations", "/api/speakers/links"):
        assert server.request("GET", path, token=CAPTIONER)[0] == 401, path

    async def over_websocket() -> None:
        async with websockets.connect(server.ws_url + "&client=captioner") as ws:
            await ws.send(json.dumps({"type": "auth", "token": CAPTIONER}))
            await recv_type(ws, "auth_ok")
            await ws.send(json.dumps({"type": "command", "id": 1, "command": command}))
            assert (await recv_type(ws, "error"))["code"] == "forbidden"
        async with websockets.connect(server.ws_url) as ws:  # a viewer may not caption
            await ws.send(json.dumps({"type": "caption", "id": 2, "text": "hi"}))
            error = await recv_type(ws, "error")
            assert (error["id"], error["code"]) == (2, "forbidden")

    asyncio.run(over_websocket())
    assert server.state()["version"] == 0  # the timer never moved


def test_bursts_answer_429_per_token(tmp_path: Path) -> None:
    server = started(tmp_path / "data", None, "--limit-captions", "3/60")
    try:
        assert [caption(server, f"l{n}")[0] for n in range(3)] == [201] * 3
        status, body = caption(server, "one too many")
        assert status == 429 and body["error"]["code"] == "rate_limited"
        assert caption(server, "the moderator's own", token=server.token)[0] == 201

        async def over_websocket() -> None:
            async with websockets.connect(server.ws_url + "&client=captioner") as ws:
                await ws.send(json.dumps({"type": "auth", "token": CAPTIONER}))
                await recv_type(ws, "auth_ok")
                await ws.send(json.dumps({"type": "caption", "id": "x", "text": "more"}))
                error = await recv_type(ws, "error")
                assert (error["id"], error["code"]) == ("x", "rate_limited")

        asyncio.run(over_websocket())
        kept = server.request("GET", "/api/captions", token=server.token)[1]["captions"]
        assert [c["text"] for c in kept] == ["l0", "l1", "l2", "the moderator's own"]
    finally:
        server.kill()


def test_a_private_events_captions_are_as_private_as_its_state(tmp_path: Path) -> None:
    server = started(tmp_path / "data", None, env={"PODIUM_VIEWER_TOKEN": VIEWER})

    async def run() -> None:
        allowed = await viewer(server, VIEWER)
        async with websockets.connect(server.ws_url) as stranger:
            assert caption(server, "for the event's people")[0] == 201
            assert (await recv_type(allowed, "caption"))["text"] == "for the event's people"
            await stranger.send(json.dumps({"type": "ping", "t0": 1}))
            assert (await recv_json(stranger))["type"] == "pong"  # and nothing before it
        await allowed.close()

    try:
        asyncio.run(run())
        assert server.request("GET", "/api/captions")[0] == 401
    finally:
        server.kill()


def test_rotating_the_captions_token_closes_its_connections(tmp_path: Path) -> None:
    server = Server(data_dir=tmp_path / "data").start()
    token = (server.data_dir / "captions.token").read_text().strip()
    rotate = ("token", "rotate", "--captions", "--data-dir", str(server.data_dir))

    async def run() -> str:
        async with websockets.connect(server.ws_url + "&client=captioner") as ws:
            await ws.send(json.dumps({"type": "auth", "token": token}))
            assert (await recv_type(ws, "auth_ok"))["role"] == "captioner"
            env = {k: v for k, v in os.environ.items() if k != "PODIUM_CAPTIONS_TOKEN"}
            result = podium(*rotate, timeout=30, env=env)
            assert result.returncode == 0, result.stderr
            with pytest.raises(websockets.ConnectionClosed):
                await recv_type(ws, "never", timeout=10)
            assert ws.close_code == 4001
            return result.stdout.strip()

    try:
        new = asyncio.run(run())
        assert new != token and caption(server, "old", token=token)[0] == 401
        assert caption(server, "new", token=new)[0] == 201
    finally:
        server.kill()
    env = {**os.environ, "PODIUM_CAPTIONS_TOKEN": "from-the-environment"}
    refused = podium(*rotate, timeout=30, env=env)
    assert refused.returncode == 2 and "PODIUM_CAPTIONS_TOKEN is set" in refused.stderr


def test_two_processes_on_one_redis_share_the_lines(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    one = started(tmp_path / "one", redis_server)
    two = started(tmp_path / "two", redis_server)

    async def run() -> None:
        there = await viewer(two)
        while True:  # until two follows what one tells (it subscribes as it starts)
            assert caption(one, "are you there?", final=False)[0] == 201
            try:
                await recv_type(there, "caption", timeout=0.5)
                break
            except TimeoutError:
                continue
        assert caption(one, "said on one", final=False)[0] == 201
        assert caption(one, "said on one.")[0] == 201
        assert (await recv_type(there, "caption"))["text"] == "said on one"
        assert (await recv_type(there, "caption"))["text"] == "said on one."
        await there.close()

    try:
        asyncio.run(run())
        kept = two.request("GET", "/api/captions", token=two.token)[1]["captions"]
        assert [c["text"] for c in kept] == ["said on one."]
    finally:
        one.kill()
        two.kill()


def test_the_report_links_each_captioned_sessions_webvtt(server_with_captions: Server) -> None:
    server = server_with_captions
    server.command("start_session", session_id="opening-session")
    caption(server, "Opening words.")
    caption(server, "not kept", final=False)
    server.command("end_session")
    server.command("start_session", session_id="session-1")
    caption(server, "First keynote.")
    caption(server, "Second line.")
    status, report = server.request("GET", "/api/report?format=json", token=server.token)
    assert status == 200
    assert report["captions"] == [
        {"session_id": "opening-session", "title": "Opening Session", "lines": 1,
         "vtt": "/api/captions?room=itu-miit-2021&session_id=opening-session&format=vtt"},
        {"session_id": "session-1", "title": report["captions"][1]["title"], "lines": 2,
         "vtt": "/api/captions?room=itu-miit-2021&session_id=session-1&format=vtt"},
    ]  # fmt: skip
    for entry in report["captions"]:  # the link is the moderator's WebVTT file
        assert server.request("GET", entry["vtt"], token=server.token)[0] == 200
    html = server.request("GET", "/api/report?format=html", token=server.token)[1].decode()
    link = re.search(r'download="itu-miit-2021-session-1.vtt" href="data:text/vtt;charset=utf-8;'
                     r'base64,([^"]+)"', html)  # fmt: skip
    assert link is not None
    assert base64.b64decode(link.group(1)) == vtt(server, "session-1")[1]
    text = server.request("GET", "/api/report?format=text", token=server.token)[1].decode()
    assert "2 lines  GET /api/captions?room=itu-miit-2021&session_id=session-1" in text


async def test_the_event_stream_carries_no_captions(
    server_with_captions: Server,
) -> None:
    server = server_with_captions
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{server.url}/api/events") as events,
    ):
        watcher = await viewer(server)
        assert caption(server, "not a change of the state")[0] == 201
        await recv_type(watcher, "caption")  # the WebSocket has it, then the change
        server.command("start_session", session_id="session-1")
        await recv_type(watcher, "state")
        await watcher.close()
        snapshot, change = await sse_messages(events, 2)  # the stream: no caption between
        assert (snapshot["type"], change["type"], change["version"]) == ("snapshot", "state", 1)

"""The interpreters' booth on a real server, on both stores: the ``interpreter`` role (what
its token may do and what it may not), the ``booth_signal`` message and its place in the
state, the limit per token, a console's command past a signal, and each speaker's script
(``GET /api/speakers/{id}/script``: its speaker, a moderator and the booth; 401/403 else)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import websockets

from podium.cli.main import main
from podium.live.access.auth import speaker_token
from tests.helpers import ASSISTANT, SEED, Server, recv_type
from tests.redis_server import redis_for_test

BOOTH = "interpreter-token-0123456789abcdefghij"
KEY = "speaker-key-0123456789abcdefghijklmnop"
SCRIPT = (SEED.parent / "scripts" / "john-giusti.md").read_text(encoding="utf-8")
ROOM = "itu-miit-2021"
VIEWER = "viewer-token-abcdefghijklmnopqrstuvwxyz"


@pytest.fixture(params=["files", "redis"])
def booth_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """A server with the booth's, the assistant's and the speakers' keys set, on each store."""
    env = {
        "PODIUM_INTERPRETER_TOKEN": BOOTH,
        "PODIUM_QUESTIONS_TOKEN": ASSISTANT,
        "PODIUM_SPEAKER_KEY": KEY,
    }
    redis = redis_for_test(tmp_path / "redis") if request.param == "redis" else None
    args = ["--redis", redis.url, "--redis-prefix", redis.prefix] if redis else []
    srv = Server(data_dir=tmp_path / "data", env=env, extra_args=args).start()
    yield srv
    srv.kill()
    if redis is not None:
        redis.finish()


@asynccontextmanager
async def connected(server: Server, token: str, kind: str = "booth") -> AsyncIterator[Any]:
    async with websockets.connect(f"{server.ws_url}&client={kind}") as ws:
        await recv_type(ws, "snapshot")
        await ws.send(json.dumps({"type": "auth", "token": token}))
        yield ws, await recv_type(ws, "auth_ok")


async def signal(ws: Any, what: str, msg_id: int = 1) -> dict[str, Any]:
    """Send a booth signal; its answer (``ack`` or ``error``), skipping pushes."""
    await ws.send(json.dumps({"type": "booth_signal", "id": msg_id, "signal": what}))
    while True:
        message = json.loads(await ws.recv())
        if message["type"] in ("ack", "error"):
            return message


async def pushed(ws: Any, version: int) -> dict[str, Any]:
    """The state push of ``version``."""
    while True:
        message = await recv_type(ws, "state")
        if message["version"] >= version:
            assert message["version"] == version
            return message["state"]


def ok(server: Server, action: str, **fields: Any) -> dict[str, Any]:
    status, body = server.command(action, **fields)
    assert status == 200, body
    return body


async def test_a_signal_reaches_the_state_for_the_speaker_on_now(booth_server: Server) -> None:
    async with (
        connected(booth_server, BOOTH) as (booth, hello),
        websockets.connect(f"{booth_server.ws_url}&client=screen") as screen,
    ):
        await recv_type(screen, "snapshot")
        assert hello["role"] == "interpreter"
        refused = await signal(booth, "slow_down")  # nobody is on stage yet
        assert refused["code"] == "invalid_transition" and refused["id"] == 1
        assert "nobody is on stage" in refused["message"]
        before = ok(booth_server, "goto", speaker_id="bilel-jamoussi")["version"]
        ack = await signal(booth, "slow_down", 2)
        assert ack == {"type": "ack", "id": 2, "version": before + 1}
        state = await pushed(screen, before + 1)  # every page is pushed it
        shown = state["booth_signal"]
        assert shown == {
            "signal": "slow_down", "at": shown["at"], "speaker_id": "bilel-jamoussi",
            "language": "en", "until": shown["at"] + 15_000,
        }  # fmt: skip
        assert state["speaker"]["language"] == "en" and state["last_change"]["action"] == "goto"
        assert booth_server.state()["state"]["booth_signal"] == shown  # over HTTP too
        # the moderator's undo still undoes the moderator's goto, not the booth's signal
        assert booth_server.state()["state"]["undo"]["action"] == "goto"
    booth_server.kill()  # stored before its ack: a restart keeps it
    booth_server.start()
    again = booth_server.state()
    assert again["version"] == before + 1
    if again["server_time"] < shown["until"]:  # (a slow restart outlives the 15 s)
        assert again["state"]["booth_signal"] == shown
    ok(booth_server, "next")  # the speaker changes: the signal is theirs no more
    assert booth_server.state()["state"]["booth_signal"] is None


async def test_a_console_command_past_a_signal_is_no_conflict(booth_server: Server) -> None:
    version = started(booth_server)
    async with connected(booth_server, BOOTH) as (booth, _):
        assert (await signal(booth, "louder"))["version"] == version + 1
        assert (await signal(booth, "no_sound", 2))["version"] == version + 2
    status, body = booth_server.command("pause", expected_version=version)
    assert status == 200 and body["version"] == version + 3, body
    status, body = booth_server.command("resume", expected_version=version)  # a real change
    assert status == 409 and body["error"]["code"] == "conflict", body


def started(server: Server) -> int:
    """Session 1 on; the version that made."""
    return int(ok(server, "start_session", session_id="session-1")["version"])


async def test_bad_or_unwanted_signals_are_refused_and_change_nothing(
    booth_server: Server,
) -> None:
    version = started(booth_server)
    async with connected(booth_server, BOOTH) as (booth, _):
        for frame, says in [
            ({"signal": "faster"}, "signal"),
            ({"signal": "slow_down", "extra": 1}, "extra"),
            ({}, "signal"),
        ]:
            await booth.send(json.dumps({"type": "booth_signal", "id": 7, **frame}))
            error = await recv_type(booth, "error")
            assert error["code"] == "invalid" and says in error["message"]
        for i in range(5):  # the limit: 5 per 30 s per token
            assert (await signal(booth, "slow_down", i))["type"] == "ack"
        async with connected(booth_server, BOOTH) as (other_laptop, _):
            limited = await signal(other_laptop, "slow_down", 9)  # the same token: limited
        assert limited["code"] == "rate_limited", limited
        assert "5 per 30 s" in limited["message"]
        # the timer's commands are not held up by the booth's limit
        assert ok(booth_server, "pause")["version"] == version + 6
    async with connected(booth_server, speaker_of("hequan-wu"), "speaker") as (speaker, hello):
        assert hello["role"] == "speaker"
        refused = await signal(speaker, "slow_down")
        assert refused["code"] == "forbidden"
        assert "interpreter" in refused["message"]
    assert booth_server.state()["version"] == version + 6


def speaker_of(speaker_id: str) -> str:
    return speaker_token(KEY, ROOM, speaker_id)


async def test_the_booth_token_moves_nothing_and_reads_no_other_roles_data(
    booth_server: Server,
) -> None:
    version = started(booth_server)
    async with connected(booth_server, BOOTH) as (booth, _):
        await booth.send(json.dumps({"type": "command", "id": 3, "command": {"action": "next"}}))
        refused = await recv_type(booth, "error")
        assert refused["code"] == "forbidden" and refused["id"] == 3
    status, body = booth_server.request("POST", "/api/commands", {"action": "next"}, BOOTH)
    assert status == 401 and body["error"]["code"] == "unauthorized"
    status, asked = booth_server.request("POST", "/api/questions", {"text": "Why?"})
    assert status == 201
    qid = asked["id"]
    status, _ = booth_server.request("POST", f"/api/questions/{qid}", {"action": "approve"}, BOOTH)
    assert status == 403
    for path in ("/api/questions?status=pending", "/api/readiness", "/api/speakers/links",
                 "/api/automations", "/api/report"):  # fmt: skip
        status, _ = booth_server.request("GET", path, token=BOOTH)
        assert status in (401, 403), path
    status, programme = booth_server.request("GET", "/api/programme", token=BOOTH)
    assert status == 200 and programme["languages"] == ["zh", "en"]
    assert booth_server.state()["version"] == version


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("moderator", 200),
        ("booth", 200),
        ("own speaker", 200),
        ("another speaker", 403),
        ("assistant", 403),
        ("nobody", 401),
        ("a wrong token", 401),
    ],
)
def test_a_script_goes_to_its_speaker_the_moderators_and_the_booth(
    tmp_path: Path, who: str, status: int
) -> None:
    env = {"PODIUM_INTERPRETER_TOKEN": BOOTH, "PODIUM_QUESTIONS_TOKEN": ASSISTANT,
           "PODIUM_SPEAKER_KEY": KEY}  # fmt: skip
    tokens = {
        "moderator": "test-moderator-token-0123456789abcdef",
        "booth": BOOTH,
        "own speaker": speaker_of("john-giusti"),
        "another speaker": speaker_of("xinhui-wang"),
        "assistant": ASSISTANT,
        "nobody": None,
        "a wrong token": "not-a-token-0123456789abcdefghijk",
    }
    server = Server(data_dir=tmp_path / "data", env=env).start()
    try:
        got, body = server.request("GET", "/api/speakers/john-giusti/script", token=tokens[who])
        assert got == status, body
        if status == 200:
            assert body.decode() == SCRIPT and "PLACEHOLDER" in SCRIPT
        else:
            assert "script" in body["error"]["message"] or status == 401
        if who == "moderator":
            missing, body = server.request("GET", "/api/speakers/nobody/script", token=BOOTH)
            assert missing == 404 and "no speaker 'nobody'" in body["error"]["message"]
            none, body = server.request("GET", "/api/speakers/xinhui-wang/script", token=BOOTH)
            assert none == 404 and "has no script" in body["error"]["message"]
    finally:
        server.kill()


def test_the_programme_carries_languages_and_materials_never_the_script(server: Server) -> None:
    status, programme = server.request("GET", "/api/programme")
    assert status == 200 and programme["languages"] == ["zh", "en"]
    assert programme["interpretation"] == {"handover_ms": 30 * 60_000}
    speakers = {sp["id"]: sp for s in programme["sessions"] for sp in s["speakers"]}
    assert all(sp["language"] in ("zh", "en") for sp in speakers.values())
    assert speakers["john-giusti"]["has_script"] is True
    assert speakers["john-giusti"]["materials"] == []
    assert "PLACEHOLDER" not in json.dumps(programme) and "script_path" not in json.dumps(programme)


async def test_the_interpreter_token_is_kept_rotated_and_reads_a_private_event(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    server = Server(data_dir=data, env={"PODIUM_VIEWER_TOKEN": VIEWER}).start()
    try:
        kept = (data / "interpreter.token").read_text().strip()
        assert len(kept) >= 22
        path = "/api/speakers/john-giusti/script"
        assert server.request("GET", path, token=kept)[0] == 200
        assert server.request("GET", "/api/state")[0] == 401  # private: reading needs a token
        assert server.request("GET", "/api/state", token=kept)[0] == 200  # the booth's does
        async with websockets.connect(f"{server.ws_url}&client=booth") as booth:
            await booth.send(json.dumps({"type": "auth", "token": kept}))
            assert (await recv_type(booth, "auth_ok"))["role"] == "interpreter"
            assert (await recv_type(booth, "snapshot"))["version"] == 0  # then it reads
            rotate = ["token", "rotate", "--interpreter", "--data-dir", str(data)]
            assert await asyncio.to_thread(main, rotate) == 0  # the CLI runs its own loop
            with pytest.raises(websockets.ConnectionClosed):  # within a second or two
                await recv_type(booth, "never", timeout=10)
            assert booth.close_code == 4001
        new = (data / "interpreter.token").read_text().strip()
        assert new != kept
        assert server.request("GET", path, token=new)[0] == 200  # adopted by the close
        assert server.request("GET", path, token=kept)[0] == 401
    finally:
        server.kill()

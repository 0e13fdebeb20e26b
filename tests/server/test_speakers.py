"""Speaker links and readiness, against a real server: who may do what with a speaker's
token, readiness reaching moderators only, rotation, private events, and (with a real
Redis) a speaker on one process seen by a moderator on another."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets

from podium.core.config import programme_file
from tests.clients import moderator
from tests.helpers import SEED, Server, podium, recv_type
from tests.redis_server import RedisServer

ROOM = "itu-miit-2021"
SPEAKERS = [sp.id for s in programme_file.load(SEED).sessions for sp in s.speakers]
NOT_A_LINK = (
    "this speaker link is not valid (any more): it was mistyped, or the organiser made new"
    " links; ask them for your current link"
)


def links(server: Server) -> dict[str, str]:
    status, body = server.request("GET", f"/api/speakers/links?room={ROOM}", token=server.token)
    assert status == 200, body
    return {row["speaker_id"]: row["url"] for row in body}


def token_of(url: str) -> str:
    return url.partition("#token=")[2]


async def speaker(server: Server, token: str) -> websockets.ClientConnection:
    ws = await websockets.connect(f"{server.ws_url}&client=speaker")
    await ws.send(json.dumps({"type": "auth", "token": token}))
    return ws


async def readiness_until(
    ws: websockets.ClientConnection, speaker_id: str, **expected: Any
) -> dict[str, Any]:
    """The next readiness push in which ``speaker_id`` has every ``expected`` field."""
    while True:
        entry = (await recv_type(ws, "readiness"))["speakers"][speaker_id]
        if all(entry[k] == v for k, v in expected.items()):
            return entry


def rotate_speaker_key(server: Server) -> None:
    """``podium token rotate --speakers`` on the server's data dir."""
    result = podium("token", "rotate", "--speakers", "--data-dir", str(server.data_dir), timeout=30)
    assert result.returncode == 0, result.stderr


@pytest.fixture
def private(tmp_path: Path) -> Iterator[Server]:
    srv = Server(data_dir=tmp_path / "data", env={"PODIUM_VIEWER_TOKEN": "v" * 32}).start()
    yield srv
    srv.kill()


def test_every_speaker_has_a_link_of_their_own_that_opens_only_their_page(server: Server) -> None:
    by_speaker = links(server)
    assert list(by_speaker) == SPEAKERS
    url = by_speaker["hequan-wu"]
    assert url.startswith(f"{server.url}/speaker?room={ROOM}#token=")
    assert len({token_of(u) for u in by_speaker.values()}) == len(SPEAKERS)
    token = token_of(url)
    me = server.request("GET", f"/api/speakers/me?room={ROOM}", token=token)
    assert me == (200, {"room": ROOM, "speaker_id": "hequan-wu"})
    # a speaker's token is no moderator's: every moderator endpoint refuses it
    for method, path, body in [
        ("GET", "/api/speakers/links", None),
        ("GET", "/api/speakers/qr?speaker_id=hequan-wu", None),
        ("GET", "/api/readiness", None),
        ("POST", "/api/readiness", {"speaker_id": "hequan-wu", "ready": True}),
        ("POST", "/api/commands", {"action": "start_session", "session_id": "session-1"}),
    ]:
        status, answer = server.request(method, path, body, token=token)
        assert status == 401, (path, answer)
        assert server.request(method, path, body)[0] == 401
    assert server.state()["version"] == 0
    # a wrong token: a clear refusal that says what to do
    for wrong in (token[:-1] + ("A" if token[-1] != "A" else "B"), "", server.token):
        assert server.request("GET", "/api/speakers/me", token=wrong or None) == (
            401,
            {"error": {"code": "unauthorized", "message": NOT_A_LINK}},
        )
    assert server.request("GET", "/speaker")[0] == 200


def test_a_qr_code_of_a_link_is_an_svg_for_moderators(server: Server) -> None:
    status, svg = server.request("GET", "/api/speakers/qr?speaker_id=duo-liu", token=server.token)
    assert status == 200 and svg.startswith(b"<svg") and b"<path" in svg
    missing = server.request("GET", "/api/speakers/qr?speaker_id=nobody", token=server.token)
    assert missing[0] == 404 and "no speaker 'nobody'" in missing[1]["error"]["message"]


async def test_a_speaker_says_ready_and_only_moderators_hear_it(server: Server) -> None:
    token = token_of(links(server)["ran-xiao"])
    async with (
        moderator(server) as mod,
        websockets.connect(f"{server.ws_url}&client=viewer") as viewer,
        websockets.connect(f"{server.ws_url}&client=screen") as screen,
    ):
        first = await recv_type(mod, "readiness")
        assert set(first["speakers"]) == set(SPEAKERS)
        assert first["speakers"]["ran-xiao"] == {
            "connected": False, "ready": False, "note": None, "rtt_ms": None, "last_seen": None
        }  # fmt: skip
        sp = await speaker(server, token)
        async with sp:
            assert await recv_type(sp, "auth_ok") == {
                "type": "auth_ok", "role": "speaker", "speaker_id": "ran-xiao"
            }  # fmt: skip
            own = (await recv_type(sp, "readiness"))["speakers"]  # their own entry only
            assert list(own) == ["ran-xiao"] and own["ran-xiao"]["connected"] is True
            await readiness_until(mod, "ran-xiao", connected=True, ready=False)
            note = "<b>audio only</b> & slides shared"
            await sp.send(json.dumps({"type": "ready", "id": "r1", "ready": True, "note": note}))
            assert (await recv_type(sp, "ack"))["id"] == "r1"
            entry = await readiness_until(mod, "ran-xiao", ready=True)
            assert entry["note"] == note and entry["connected"] is True
            # too long a note, or a speaker's command: refused, nothing changed
            long = {"type": "ready", "id": "r2", "ready": False, "note": "x" * 201}
            await sp.send(json.dumps(long))
            refused = await recv_type(sp, "error")
            assert refused["id"] == "r2" and refused["code"] == "invalid"
            await sp.send(json.dumps({"type": "command", "id": 3, "command": {"action": "next"}}))
            forbidden = await recv_type(sp, "error")
            assert forbidden["code"] == "forbidden" and forbidden["id"] == 3
            await sp.send(json.dumps({"type": "ping", "t0": 1.0, "rtt_ms": 123.4}))
            entry = await readiness_until(mod, "ran-xiao", rtt_ms=123)
            assert entry["ready"] is True and entry["note"] == note
            status, body = server.request("GET", "/api/readiness", token=server.token)
            assert status == 200 and body["speakers"]["ran-xiao"]["rtt_ms"] == 123
        gone = await readiness_until(mod, "ran-xiao", connected=False)
        assert gone["ready"] is False and gone["rtt_ms"] is None
        assert gone["last_seen"] is not None and gone["last_seen"] <= int(time.time() * 1000)
        # a viewer or a screen that asks is refused, and never got a readiness push: a
        # change pushed after all of the above comes to them with nothing before it
        await viewer.send(json.dumps({"type": "ready", "id": 9, "ready": True}))
        assert (await recv_type(viewer, "error"))["code"] == "forbidden"
        assert server.command("start_session", session_id="session-1")[0] == 200
        for ws in (viewer, screen):
            seen = []
            while not seen or seen[-1]["type"] != "state":
                seen.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
            assert "readiness" not in {m["type"] for m in seen}


async def test_a_moderator_marks_a_speaker_in_the_room_present(server: Server) -> None:
    async with moderator(server) as mod:
        await recv_type(mod, "readiness")
        mark = {"speaker_id": "hequan-wu", "ready": True}
        status, body = server.request("POST", "/api/readiness", mark, token=server.token)
        assert status == 200 and body["speakers"]["hequan-wu"]["ready"] is True
        entry = await readiness_until(mod, "hequan-wu", ready=True)
        assert entry["connected"] is False and entry["last_seen"] is not None
        for bad, code in [
            ({"speaker_id": "nobody", "ready": True}, 404),
            ({"speaker_id": "hequan-wu", "ready": "yes"}, 400),
            ({"speaker_id": "hequan-wu"}, 400),
            ({"speaker_id": "hequan-wu", "ready": True, "extra": 1}, 400),
        ]:
            status, answer = server.request("POST", "/api/readiness", bad, token=server.token)
            assert status == code, (bad, answer)
        assert (
            server.request("GET", "/api/readiness", token=server.token)[1]["speakers"]["hequan-wu"]
            == body["speakers"]["hequan-wu"]
        )


async def test_rotating_the_speaker_key_replaces_every_link_and_closes_the_old(
    server: Server,
) -> None:
    old = links(server)
    token = token_of(old["duo-liu"])
    sp = await speaker(server, token)
    async with sp:
        await recv_type(sp, "auth_ok")
        rotate_speaker_key(server)
        with pytest.raises(websockets.ConnectionClosed):
            await recv_type(sp, "never", timeout=10)
        assert sp.close_code == 4001
    assert server.request("GET", "/api/speakers/me", token=token)[0] == 401
    new = links(server)
    assert set(new) == set(old) and not set(new.values()) & set(old.values())
    assert server.request("GET", "/api/speakers/me", token=token_of(new["duo-liu"]))[0] == 200


async def test_a_speaker_link_works_on_a_private_event(private: Server) -> None:
    token = token_of(links(private)["cun-xie"])
    assert private.request("GET", "/api/programme")[0] == 401
    assert private.request("GET", "/api/programme", token=token)[0] == 200
    sp = await speaker(private, token)
    async with sp:
        assert (await recv_type(sp, "auth_ok"))["speaker_id"] == "cun-xie"
        assert (await recv_type(sp, "snapshot"))["version"] == 0
    assert private.request("GET", "/api/readiness", token=token)[0] == 401


async def test_a_speaker_on_one_process_is_seen_by_a_moderator_on_another(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    args = ["--redis", redis_server.url, "--redis-prefix", redis_server.prefix]
    env = {"PODIUM_SPEAKER_KEY": "k" * 32}
    a, b = (Server(data_dir=tmp_path / f"data-{n}", extra_args=args, env=env).start() for n in "ab")
    try:
        token = token_of(links(a)["luis-romero"])
        assert token_of(links(b)["luis-romero"]) == token  # the key is shared, so the links
        async with moderator(b) as mod:
            await recv_type(mod, "readiness")
            sp = await speaker(a, token)
            async with sp:
                await recv_type(sp, "auth_ok")
                await readiness_until(mod, "luis-romero", connected=True)
                await sp.send(json.dumps({"type": "ready", "id": 1, "ready": True, "note": "hi"}))
                await recv_type(sp, "ack")
                entry = await readiness_until(mod, "luis-romero", ready=True)
                assert entry["note"] == "hi"
            await readiness_until(mod, "luis-romero", connected=False, ready=False)
            a.kill()  # a process that is gone takes its part with it
            mark = {"speaker_id": "jing-sun", "ready": True}
            assert b.request("POST", "/api/readiness", mark, token=b.token)[0] == 200
            await readiness_until(mod, "jing-sun", ready=True)
    finally:
        a.kill()
        b.kill()

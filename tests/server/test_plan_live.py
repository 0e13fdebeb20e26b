"""The plan changes on the day (issue 25): every plan command over HTTP and WebSocket on
real servers, against both stores; the programme message before the state of its
version; bad input refused with nothing changed; two processes on one redis-server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets

from podium.core.wire.server import ProgrammeOut
from tests.clients import moderator
from tests.helpers import Server, recv_json, recv_type
from tests.redis_server import RedisServer

S3 = ["jianjun-cheng", "jing-sun", "john-giusti", "xinhui-wang"]  # the seed's session-3

# each plan command once, and what session-3's speakers are after it
STEPS: list[tuple[dict[str, Any], list[str]]] = [
    ({"action": "add_speaker", "session_id": "session-3",
      "speaker": {"name": "Ana López", "affiliation": "ITU", "allocation": "8m"}},
     [*S3, "ana-lopez"]),
    ({"action": "add_speaker", "session_id": "session-3", "before": "jing-sun",
      "speaker": {"id": "sub-one", "name": "Sub One", "presence": "remote"}},
     ["jianjun-cheng", "sub-one", "jing-sun", "john-giusti", "xinhui-wang", "ana-lopez"]),
    ({"action": "move_speaker", "speaker_id": "xinhui-wang", "before": "jianjun-cheng"},
     ["xinhui-wang", "jianjun-cheng", "sub-one", "jing-sun", "john-giusti", "ana-lopez"]),
    ({"action": "update_speaker", "speaker_id": "john-giusti", "fields": {"allocation": "5m"}},
     ["xinhui-wang", "jianjun-cheng", "sub-one", "jing-sun", "john-giusti", "ana-lopez"]),
    ({"action": "remove_speaker", "speaker_id": "jing-sun"},
     ["xinhui-wang", "jianjun-cheng", "sub-one", "john-giusti", "ana-lopez"]),
    ({"action": "update_session", "session_id": "session-3", "fields": {"duration": "40m"}},
     ["xinhui-wang", "jianjun-cheng", "sub-one", "john-giusti", "ana-lopez"]),
    ({"action": "add_session", "before": "appreciation",
      "session": {"id": "coffee", "title": "Coffee", "duration": "15m"}},
     ["xinhui-wang", "jianjun-cheng", "sub-one", "john-giusti", "ana-lopez"]),
    ({"action": "remove_session", "session_id": "coffee"},
     ["xinhui-wang", "jianjun-cheng", "sub-one", "john-giusti", "ana-lopez"]),
]  # fmt: skip


@pytest.fixture(params=["files", "redis"])
def store_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """The seed on a real server, on the file store or on a real redis-server."""
    extra: list[str] = []
    if request.param == "redis":
        redis: RedisServer = request.getfixturevalue("redis_server")
        extra = ["--redis", redis.url, "--redis-prefix", redis.prefix]
    srv = Server(data_dir=tmp_path / "data", extra_args=extra).start()
    yield srv
    srv.kill()


def session(programme: dict[str, Any], session_id: str) -> dict[str, Any]:
    return next(s for s in programme["sessions"] if s["id"] == session_id)


def speakers_of(programme: dict[str, Any], session_id: str = "session-3") -> list[str]:
    return [sp["id"] for sp in session(programme, session_id)["speakers"]]


async def viewer(server: Server) -> websockets.ClientConnection:
    ws = await websockets.connect(server.ws_url)
    await recv_type(ws, "snapshot")
    return ws


async def plan_then_state(ws: websockets.ClientConnection, version: int) -> dict[str, Any]:
    """The programme message, then the state of the same version, nothing between."""
    message = await recv_type(ws, "programme")
    assert message["revision"] == version
    ProgrammeOut.model_validate(message)  # its documented shape (docs/schemas)
    state = await recv_json(ws)
    assert (state["type"], state["version"]) == ("state", version)
    assert state["state"]["plan_revision"] == version
    return message["programme"]


def test_every_plan_command_over_http_with_undo(store_server: Server) -> None:
    async def main() -> None:
        watching = await viewer(store_server)
        for version, (command, expected) in enumerate(STEPS, start=1):
            status, body = store_server.request("POST", "/api/commands",
                                                {**command, "expected_version": version - 1},
                                                store_server.token)  # fmt: skip
            assert status == 200, body
            pushed = await plan_then_state(watching, version)
            _, programme = store_server.request("GET", "/api/programme")
            assert programme == pushed and programme["revision"] == version
            assert speakers_of(programme) == expected, command
        await watching.close()

    asyncio.run(main())
    _, programme = store_server.request("GET", "/api/programme")
    s3 = session(programme, "session-3")
    assert s3["duration_ms"] == 2_400_000 and s3["marks"] == ["changed"]
    marks = {sp["id"]: sp.get("marks") for sp in s3["speakers"]}
    assert marks == {"xinhui-wang": ["moved"], "jianjun-cheng": None, "sub-one": ["added"],
                     "john-giusti": ["changed"], "ana-lopez": ["added"]}  # fmt: skip
    assert "marks" not in session(programme, "session-1")
    _, first = store_server.request("GET", "/api/first")
    assert first["programme"] == programme and first["state"]["state"]["plan_revision"] == 8
    for _ in STEPS:  # undo each, back to the file's plan
        assert store_server.command("undo")[0] == 200
    _, programme = store_server.request("GET", "/api/programme")
    assert speakers_of(programme) == S3 and programme["revision"] == 2 * len(STEPS)
    assert all("marks" not in s for s in programme["sessions"])


def test_every_plan_command_over_the_moderator_websocket(store_server: Server) -> None:
    async def main() -> None:
        watching = await viewer(store_server)
        command = {"type": "command", "id": 0, "command": STEPS[0][0]}
        await watching.send(json.dumps(command))  # a viewer may not edit the plan
        refused = await recv_type(watching, "error")
        assert (refused["id"], refused["code"]) == (0, "forbidden")
        async with moderator(store_server) as ws:
            for version, (command, expected) in enumerate(STEPS, start=1):
                await ws.send(json.dumps({"type": "command", "id": version, "command": command}))
                ack = await recv_type(ws, "ack")
                assert (ack["id"], ack["version"]) == (version, version), ack
                assert speakers_of(await plan_then_state(watching, version)) == expected
            await ws.send(json.dumps({"type": "command", "id": "u", "command": {"action": "undo"}}))
            assert (await recv_type(ws, "ack"))["version"] == len(STEPS) + 1
            restored = await plan_then_state(watching, len(STEPS) + 1)
            assert [s["id"] for s in restored["sessions"]][-2:] == ["coffee", "appreciation"]
        await watching.close()

    asyncio.run(main())


def test_the_live_speaker_keeps_the_floor_and_a_new_allocation_moves_their_end(
    server: Server,
) -> None:
    server.command("start_session", session_id="session-3")
    server.command("next")
    before = server.state()["state"]["timer"]["ends_at"]
    status, body = server.command(
        "add_speaker", session_id="session-3", before="jianjun-cheng", speaker={"name": "First"}
    )
    assert status == 200 and body["state"]["speaker"]["id"] == "jing-sun"
    status, body = server.command("update_speaker", speaker_id="jing-sun",
                                  fields={"allocation": "20m"})  # fmt: skip
    assert status == 200
    assert body["state"]["timer"]["ends_at"] == before + 1_200_000 - 750_000
    assert body["state"]["timer"]["allocation_ms"] == 1_200_000
    status, body = server.command("remove_speaker", speaker_id="jing-sun")
    assert status == 422 and "is on now" in body["error"]["message"]
    status, body = server.command("remove_speaker", speaker_id="jianjun-cheng")
    assert status == 422 and "already spoken" in body["error"]["message"]
    status, body = server.command("remove_session", session_id="session-3")
    assert status == 422 and "is live" in body["error"]["message"]
    assert server.state()["version"] == 4


BAD: list[tuple[dict[str, Any], int, str]] = [
    ({"action": "add_speaker", "session_id": "nope", "speaker": {"name": "A"}}, 422, "session_id"),
    ({"action": "add_speaker", "session_id": "session-3",
      "speaker": {"name": "A", "id": "jing-sun"}}, 422, "speaker.id"),
    ({"action": "add_speaker", "session_id": "session-3", "speaker": {"name": "A"},
      "before": "hequan-wu"}, 422, "before"),
    ({"action": "update_speaker", "speaker_id": "jing-sun", "fields": {"allocation": "a while"}},
     400, "fields.allocation"),
    ({"action": "update_speaker", "speaker_id": "jing-sun", "fields": {"name": "x" * 4001}},
     400, "fields.name"),
    ({"action": "update_speaker", "speaker_id": "ghost", "fields": {"name": "B"}},
     422, "speaker_id"),
    ({"action": "move_speaker", "speaker_id": "jing-sun", "before": "hequan-wu"}, 422, "before"),
    ({"action": "update_session", "session_id": "session-3", "fields": {"start": "noon"}},
     400, "fields.start"),
    ({"action": "add_session", "session": {"title": "No length"}}, 400, "session.duration"),
    ({"action": "remove_session", "session_id": "ghost"}, 422, "session_id"),
    ({"action": "add_speaker", "session_id": "session-3", "speaker": {"name": "A"},
      "expected_version": 7}, 409, "version"),
]  # fmt: skip


def test_bad_plan_commands_name_the_field_and_change_nothing(store_server: Server) -> None:
    for command, status, field in BAD:
        got, body = store_server.request("POST", "/api/commands", command, store_server.token)
        assert got == status and field in body["error"]["message"], (command, body)
    got, body = store_server.request(
        "POST", "/api/commands", BAD[0][0] | {"session_id": "session-3"}, token="wrong"
    )
    assert got == 401
    assert store_server.state()["version"] == 0
    _, programme = store_server.request("GET", "/api/programme")
    assert speakers_of(programme) == S3 and programme["revision"] == 0


def test_an_edit_on_one_process_shows_on_the_others_viewers(
    tmp_path: Path, redis_server: RedisServer, servers: list[Server]
) -> None:
    shared = ["--redis", redis_server.url, "--redis-prefix", redis_server.prefix]
    for name in ("a", "b"):
        servers.append(Server(data_dir=tmp_path / name, extra_args=shared).start())
    a, b = servers

    async def main() -> None:
        watching = await viewer(b)
        status, _ = a.command("add_speaker", session_id="session-3", speaker={"name": "From A"})
        assert status == 200
        assert speakers_of(await plan_then_state(watching, 1)) == [*S3, "from-a"]
        await watching.close()

    asyncio.run(main())
    _, programme = b.request("GET", "/api/programme")
    assert speakers_of(programme) == [*S3, "from-a"] and programme["revision"] == 1


def test_a_speaker_added_on_the_day_gets_a_link_and_one_removed_loses_it(server: Server) -> None:
    def link_of(speaker_id: str) -> str:
        _, links = server.request("GET", "/api/speakers/links", token=server.token)
        return next(x["url"] for x in links if x["speaker_id"] == speaker_id).split("#token=")[1]

    removed = link_of("xinhui-wang")
    assert server.command("add_speaker", session_id="session-3", speaker={"name": "Late"})[0] == 200
    assert server.command("remove_speaker", speaker_id="xinhui-wang")[0] == 200
    status, me = server.request("GET", "/api/speakers/me", token=link_of("late"))
    assert status == 200 and me["speaker_id"] == "late"
    assert server.request("GET", "/api/speakers/me", token=removed)[0] == 401
    assert server.command("undo")[0] == 200  # back in the plan: their link works again
    assert server.request("GET", "/api/speakers/me", token=removed)[0] == 200


def test_the_moderators_readiness_follows_the_plan(server: Server) -> None:
    async def main() -> None:
        async with moderator(server) as ws:
            assert "late" not in (await recv_type(ws, "readiness"))["speakers"]
            command = {"action": "add_speaker", "session_id": "session-3",
                       "speaker": {"name": "Late"}}  # fmt: skip
            await ws.send(json.dumps({"type": "command", "id": 1, "command": command}))
            while True:  # the readiness push that names the new speaker, not yet connected
                speakers = (await recv_type(ws, "readiness"))["speakers"]
                if "late" in speakers:
                    assert speakers["late"]["connected"] is False
                    break

    asyncio.run(main())


def test_a_speaker_removed_while_their_page_is_open_sees_it_and_the_console_goes_on(
    server: Server,
) -> None:
    """The readiness push after the change skips the speaker the plan dropped (it once
    failed there, closing the moderator's WebSocket before the ack)."""
    _, links = server.request("GET", "/api/speakers/links", token=server.token)
    token = next(x["url"] for x in links if x["speaker_id"] == "xinhui-wang").split("#token=")[1]

    async def main() -> None:
        async with websockets.connect(server.ws_url) as page, moderator(server) as ws:
            await page.send(json.dumps({"type": "auth", "token": token}))
            assert (await recv_type(page, "auth_ok"))["speaker_id"] == "xinhui-wang"
            command = {"action": "remove_speaker", "speaker_id": "xinhui-wang"}
            await ws.send(json.dumps({"type": "command", "id": 1, "command": command}))
            assert (await recv_type(ws, "ack"))["version"] == 1
            assert "xinhui-wang" not in speakers_of(
                (await recv_type(page, "programme"))["programme"]
            )
            await ws.send(json.dumps({"type": "command", "id": 2, "command": {"action": "undo"}}))
            assert (await recv_type(ws, "ack"))["version"] == 2
            assert "xinhui-wang" in speakers_of((await recv_type(page, "programme"))["programme"])

    asyncio.run(main())

"""The real server over HTTP and WebSocket: the contract of docs/protocol.md."""

from __future__ import annotations

import json

import websockets

from tests.helpers import ROOT, SEED, Server, recv_json, recv_type


def test_health_programme_and_state(server: Server) -> None:
    status, health = server.request("GET", "/healthz")
    assert status == 200 and health["status"] == "ok"
    status, programme = server.request("GET", "/api/programme")
    assert status == 200
    assert programme["timezone"] == "Asia/Shanghai"
    assert [s["id"] for s in programme["sessions"]][:2] == ["opening-session", "session-1"]
    assert programme["sessions"][1]["planned_start"].endswith("T09:30:00+08:00")
    state = server.state()
    assert state["version"] == 0 and state["state"]["phase"] == "idle"
    assert programme["title_zh"].startswith("2021年") and programme["theme_zh"]
    session = programme["sessions"][1]
    assert (session["title"], session["title_zh"]) == (
        "Session 1: Coordinated Efforts on International ICT standardization",
        "第一节：协同推进国际信息通信技术标准化",  # noqa: RUF001,
    )
    assert session["group_title_zh"].startswith("主旨演讲")
    assert session["speakers"][0]["name"] == "Hequan WU" and session["speakers"][0]["name_zh"] == ""
    server.command("start_session", session_id="session-1")
    live = server.state()["state"]
    assert live["session"]["title_zh"] == session["title_zh"]
    assert live["session"]["moderators_zh"] == live["session"]["moderators"] == ["Mr. Xiaohui YU"]
    assert live["speaker"]["display_name_zh"] == "Mr. Hequan WU"


def test_commands_need_the_token_and_change_nothing_without_it(server: Server) -> None:
    status, body = server.request("POST", "/api/commands", {"action": "next"})
    assert status == 401 and body["error"]["code"] == "unauthorized"
    status, body = server.request("POST", "/api/commands", {"action": "next"}, token="wrong")
    assert status == 401
    assert server.state()["version"] == 0


def test_errors_have_codes_and_change_nothing(server: Server) -> None:
    assert server.command("start_session", session_id="session-1")[0] == 200
    cases = [
        ({"action": "warp"}, 400, "invalid"),
        ({"action": "add_time", "seconds": "ten"}, 400, "invalid"),
        ({"action": "next", "expected_version": 0}, 409, "conflict"),
        ({"action": "resume"}, 422, "invalid_transition"),
        ({"action": "previous"}, 422, "invalid_transition"),
    ]
    for body, status, code in cases:
        got_status, got = server.request("POST", "/api/commands", body, server.token)
        assert (got_status, got["error"]["code"]) == (status, code), body
    status, got = server.request("POST", "/api/commands", b"{not json", server.token)
    assert status == 400 and got["error"]["code"] == "invalid"
    assert server.state()["version"] == 1


async def test_every_client_sees_every_change(server: Server) -> None:
    async with (
        websockets.connect(server.ws_url) as viewer,
        websockets.connect(server.ws_url) as moderator,
    ):
        first = await recv_json(viewer)
        assert first["type"] == "snapshot" and first["version"] == 0
        await recv_json(moderator)
        await moderator.send(
            json.dumps({"type": "command", "id": "x", "command": {"action": "next"}})
        )
        assert (await recv_json(moderator))["code"] == "forbidden"
        await moderator.send(json.dumps({"type": "auth", "token": server.token}))
        assert await recv_json(moderator) == {"type": "auth_ok", "role": "moderator"}
        script = [
            {"action": "start_session", "session_id": "session-1"},
            {"action": "pause"},
            {"action": "add_time", "seconds": 60},
            {"action": "resume"},
            {"action": "next"},
            {"action": "undo"},
        ]
        for n, command in enumerate(script, 1):
            msg = {"type": "command", "id": n, "command": {**command, "expected_version": n - 1}}
            await moderator.send(json.dumps(msg))
            ack = await recv_type(moderator, "ack")
            assert ack == {"type": "ack", "id": n, "version": n}
            pushed = await recv_json(viewer)
            assert pushed["type"] == "state" and pushed["version"] == n
        state = pushed["state"]
        assert state["speaker"]["id"] == "hequan-wu"
        assert state["timer"]["duration_ms"] == 500_000 + 60_000
        await moderator.send(json.dumps({"type": "ping", "t0": 12.5}))
        pong = await recv_type(moderator, "pong")
        assert pong["t0"] == 12.5 and pong["server_time"] >= pushed["server_time"]


async def test_malformed_frames_get_errors_and_the_connection_stays(server: Server) -> None:
    async with websockets.connect(server.ws_url) as ws:
        await recv_json(ws)
        for frame in ["nope", "[]", '{"type": "dance"}', '{"type": "ping", "t0": "x"}', b"\x00"]:
            await ws.send(frame)
            reply = await recv_json(ws)
            assert reply["type"] == "error" and reply["code"] == "invalid", frame
        await ws.send(json.dumps({"type": "ping", "t0": 1}))
        assert (await recv_json(ws))["type"] == "pong"
    assert server.state()["version"] == 0


def test_each_programme_is_a_room_of_its_own(tmp_path) -> None:
    rehearsal = ROOT / "tests" / "programmes" / "rehearsal.toml"
    srv = Server(data_dir=tmp_path / "data", programmes=[SEED, rehearsal]).start()
    try:
        status, rooms = srv.request("GET", "/api/rooms")
        assert [r["id"] for r in rooms] == ["itu-miit-2021", "rehearsal"]
        status, body = srv.request(
            "POST", "/api/commands?room=rehearsal", {"action": "start_session",
            "session_id": "soundcheck"}, srv.token,
        )  # fmt: skip
        assert status == 200 and body["room"] == "rehearsal"
        assert body["state"]["timer"]["duration_ms"] == 300_000
        assert body["state"]["next_speaker"]["allocation_ms"] == 900_000  # what is left
        assert srv.state()["version"] == 0  # the default room did not move
        status, programme = srv.request("GET", "/api/programme?room=rehearsal")
        assert programme["sessions"][0]["planned_start"] == "2026-03-02T08:00:00+01:00"
        status, body = srv.request("GET", "/api/state?room=nowhere")
        assert status == 404 and body["error"]["code"] == "not_found"
    finally:
        srv.kill()


async def test_a_late_joiner_gets_a_fresh_snapshot_of_the_same_version(server: Server) -> None:
    import asyncio

    server.command("start_session", session_id="session-1")
    async with websockets.connect(server.ws_url) as first:
        early = await recv_json(first)
    await asyncio.sleep(1.1)
    async with websockets.connect(server.ws_url) as late:
        later = await recv_json(late)
    assert later["version"] == early["version"] == 1
    assert later["server_time"] > early["server_time"]
    elapsed = later["server_time"] - early["server_time"]
    remaining = early["state"]["timer"]["remaining_ms"] - later["state"]["timer"]["remaining_ms"]
    assert remaining == elapsed  # derived from the same ends_at


async def test_a_client_holding_the_current_version_is_told_so_not_sent_it_again(
    server: Server,
) -> None:
    server.command("start_session", session_id="session-1")
    async with websockets.connect(server.ws_url) as fresh:
        snapshot = await recv_json(fresh)
    version = snapshot["version"]
    async with websockets.connect(f"{server.ws_url}&have={version}") as holding:
        current = await recv_json(holding)
        assert current == {
            "type": "current",
            "room": snapshot["room"],
            "version": version,
            "server_time": current["server_time"],
        }
        server.command("next", expected_version=version)
        pushed = await recv_type(holding, "state")  # then every change, as for anyone
        assert pushed["version"] == version + 1
    for stale in (version, version - 1, "x", "-1", "9" * 20):  # an older or a bad claim
        async with websockets.connect(f"{server.ws_url}&have={stale}") as behind:
            again = await recv_json(behind)
            assert again["type"] == "snapshot" and again["version"] == version + 1

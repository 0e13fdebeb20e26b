"""Where a question comes from, with either store: ``origin`` "room" (asked from the link
the venue screen shows, /viewer?from=room) or "remote", over HTTP and the WebSocket, kept
through a restart and counted in the report; the screen's link as a QR code."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import segno
import websockets

from tests.helpers import ASSISTANT, Server, recv_type
from tests.redis_server import RedisServer


@pytest.fixture(params=["files", "redis"])
def store_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    redis: RedisServer | None = (
        request.getfixturevalue("redis_aof") if request.param == "redis" else None
    )
    args = ["--redis", redis.url, "--redis-prefix", redis.prefix] if redis else []
    server = Server(data_dir=tmp_path / "data", extra_args=args,
                    env={"PODIUM_QUESTIONS_TOKEN": ASSISTANT}).start()  # fmt: skip
    yield server
    server.kill()


def origins(server: Server) -> dict[str, str]:
    status, body = server.request("GET", "/api/questions", token=ASSISTANT)
    assert status == 200, body
    return {q["text"]: q["origin"] for q in body["questions"]}


def test_a_question_keeps_where_it_was_asked(store_server: Server) -> None:
    server = store_server
    server.command("start_session", session_id="session-1")
    for text, more in (("from the room", {"origin": "room"}), ("from home", {}),
                       ("said remote", {"origin": "remote"})):  # fmt: skip
        assert server.request("POST", "/api/questions", {"text": text, **more})[0] == 201

    async def over_websocket() -> None:
        async with websockets.connect(server.ws_url) as ws:
            await recv_type(ws, "snapshot")
            ask = {"type": "ask", "id": 1, "text": "row three", "origin": "room"}
            await ws.send(json.dumps(ask))
            assert (await recv_type(ws, "ack"))["question"]["status"] == "pending"
            await ws.send(json.dumps({**ask, "id": 2, "origin": "stage"}))
            assert (await recv_type(ws, "error"))["code"] == "invalid"

    asyncio.run(over_websocket())
    expected = {"from the room": "room", "from home": "remote", "said remote": "remote",
                "row three": "room"}  # fmt: skip
    assert origins(server) == expected
    server.kill()
    server.start()
    assert origins(server) == expected
    report = server.request("GET", "/api/report?format=json", token=server.token)[1]
    assert (report["questions"]["room"], report["questions"]["remote"]) == (2, 2)


def test_the_rooms_link_to_ask_is_a_qr_code(tmp_path: Path) -> None:
    server = Server(data_dir=tmp_path / "data", env={"PODIUM_VIEWER_TOKEN": "v" * 32}).start()
    try:
        assert server.request("GET", "/api/questions/qr")[0] == 401  # a private event's
        status, svg = server.request("GET", f"/api/questions/qr?token={'v' * 32}")
        assert status == 200 and svg.startswith(b"<svg")
        expected = io.BytesIO()  # the very code of the viewer page's link, from=room
        segno.make(f"{server.url}/viewer?from=room", error="m").save(
            expected, kind="svg", scale=4, border=2, xmldecl=False, title="ask"
        )
        assert svg == expected.getvalue()
    finally:
        server.kill()

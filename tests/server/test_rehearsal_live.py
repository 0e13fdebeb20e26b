"""What the second rehearsal found, on a real server (issue 22): asking closes when the
programme has finished (HTTP and WebSocket), and a short recorded item's webhook
``warning`` comes after its ``speaker_started``, stamped with its start, to a real receiver."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import websockets

from tests.helpers import Server, recv_type
from tests.server.test_automations_live import (
    PROGRAMME,
    command,
    programme,
    receivers,
    until,
)
from tests.server.test_questions import ASSISTANT, listed

CLOSED = "asking is closed: the programme has finished and takes no more questions"


def test_asking_closes_once_the_programme_has_finished(qserver: Server) -> None:
    assert qserver.command("start_session", session_id="appreciation")[0] == 200
    status, body = qserver.request("POST", "/api/questions", {"text": "Before the end?"})
    assert status == 201, body
    assert qserver.command("end_session")[0] == 200
    assert qserver.state()["state"]["phase"] == "finished"

    status, body = qserver.request("POST", "/api/questions", {"text": "After the end?"})
    assert (status, body["error"]) == (409, {"code": "closed", "message": CLOSED})
    named = {"text": "For Session 2?", "session_id": "session-2"}
    assert qserver.request("POST", "/api/questions", named)[0] == 409
    assert [q["text"] for q in listed(qserver, ASSISTANT)] == ["Before the end?"]  # none kept

    async def over_the_socket() -> dict[str, object]:
        async with websockets.connect(qserver.ws_url + "&client=viewer") as ws:
            await ws.send(json.dumps({"type": "ask", "id": "a1", "text": "Late?"}))
            return await recv_type(ws, "error")

    error = asyncio.run(over_the_socket())
    assert (error["id"], error["code"], error["message"]) == ("a1", "closed", CLOSED)
    assert len(listed(qserver, ASSISTANT)) == 1

    assert qserver.command("undo")[0] == 200  # the closing segment is live again: asking opens
    status, body = qserver.request("POST", "/api/questions", {"text": "Reopened?"})
    assert status == 201, body


SHORT_RECORDING = PROGRAMME.replace(
    'allocation = "5s"\nwarning = "3s"\ndanger = "1s"',
    'allocation = "1s"\npresence = "recorded"\nwarning = "2m"\ndanger = "1s"',
)


async def test_a_short_recorded_items_warning_follows_its_speaker_started(
    tmp_path: Path, servers: list[Server]
) -> None:
    """Ann's recording runs 1 s, under its 2 min warning: the warning is due as it starts
    (never two minutes before), and the receiver gets it after speaker_started."""
    assert SHORT_RECORDING != PROGRAMME
    async with receivers() as (receiver, _, _):
        path = programme(
            tmp_path, f'on = ["speaker_started", "warning"]\nurl = "{receiver.url("ok")}"'
        )
        path.write_text(path.read_text().replace(PROGRAMME, SHORT_RECORDING))
        server = Server(data_dir=tmp_path / "data", programmes=[path]).start()
        servers.append(server)
        started = await command(server, "start_session", session_id="s1")
        await until(lambda: len(receiver.bodies()) >= 2, "speaker_started and warning")
        bodies = receiver.bodies()
        assert [b["event"] for b in bodies] == ["speaker_started", "warning"]
        assert (
            bodies[1]["at"]
            == bodies[0]["at"]
            == started["state"]["speakers_run"]["ann"]["started_at"]
        )

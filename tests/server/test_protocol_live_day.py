"""The state's new fields over a real server (issue 10): who made the last change and what
undo would undo, the two messages, the plan's day; and that a restart replays them."""

from __future__ import annotations

from podium.core.wire.server import StateOut
from tests.helpers import Server


def test_last_change_and_undo_name_the_sender_or_the_connection(server: Server) -> None:
    server.command("start_session", session_id="session-1")
    state = server.state()["state"]
    assert state["last_change"]["actor"] == "http:127.0.0.1"  # sent without an actor
    assert state["undo"]["action"] == "start_session"
    status, body = server.command("add_time", seconds=60, actor="console:abc")
    assert status == 200
    state = body["state"]
    assert state["undo"] == state["last_change"]
    assert state["undo"]["actor"] == "console:abc"
    assert state["undo"]["summary"] == "add_time: +60s for Mr. Hequan WU"
    status, body = server.command("undo", actor="console:xyz")
    undone = body["state"]
    assert undone["last_change"]["summary"] == "undo: add_time: +60s for Mr. Hequan WU"
    assert undone["last_change"]["actor"] == "console:xyz"
    assert undone["undo"]["actor"] == "http:127.0.0.1"
    StateOut.model_validate({"type": "state", **server.state()})

    status, body = server.command("next", actor="x" * 65)
    assert status == 400 and "actor" in body["error"]["message"]
    assert server.state()["version"] == 3

    server.kill()  # the log replays to the same state, actors and all
    server.start()
    again = server.state()["state"]
    assert (again["last_change"], again["undo"]) == (undone["last_change"], undone["undo"])


def test_messages_pin_and_the_plan_date_over_http(server: Server) -> None:
    server.command("start_session", session_id="session-1")
    server.command("show_message", text="Wrap up", target="screen")
    server.command("show_message", text="Back soon", target="viewers", pinned=True)
    state = server.state()["state"]
    assert state["messages"]["screen"]["text"] == "Wrap up"
    assert state["messages"]["viewers"]["text"] == "Back soon"
    assert state["message"]["text"] == "Back soon"
    server.command("next")
    assert server.state()["state"]["messages"]["screen"] is None
    status, body = server.command("clear_message", target="screen")
    assert status == 422 and "no message to screen" in body["error"]["message"]

    assert server.state()["state"]["plan_date_from"] == "clock"
    status, body = server.command("set_plan_date", date="2021-11-30")
    assert status == 200 and body["state"]["plan_date"] == "2021-11-30"
    assert body["state"]["plan_date_from"] == "console"
    _, programme = server.request("GET", "/api/programme")
    assert programme["date"] == "2021-11-30"
    status, body = server.command("set_plan_date", date="30/11/2021")
    assert status == 400 and "YYYY-MM-DD" in body["error"]["message"]

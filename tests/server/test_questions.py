"""The audience's questions on a real server: who may ask, see and handle them (anonymous,
asker, assistant, moderator, private event), the limits, and what each audience is pushed."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets

from podium.cli.main import main
from podium.live.rooms.question_push import public_every
from tests.clients import moderator
from tests.helpers import ASSISTANT, Server, recv_json, recv_type, seed_with

VIEWER = "viewer-token-abcdefghijklmnopqrstuvwxyz"


def programme_with(tmp_path: Path, questions: str) -> Path:
    return seed_with(tmp_path, f"\n[questions]\n{questions}\n")


@pytest.fixture
def private(tmp_path: Path) -> Iterator[Server]:
    env = {"PODIUM_QUESTIONS_TOKEN": ASSISTANT, "PODIUM_VIEWER_TOKEN": VIEWER}
    srv = Server(data_dir=tmp_path / "data", env=env).start()
    yield srv
    srv.kill()


def ask(server: Server, text: str = "Why?", token: str | None = None, **more: Any) -> str:
    status, body = server.request("POST", "/api/questions", {"text": text, **more}, token)
    assert status == 201, body
    return str(body["id"])


def listed(server: Server, token: str | None = None, query: str = "") -> list[dict[str, Any]]:
    status, body = server.request("GET", f"/api/questions{query}", token=token)
    assert status == 200, body
    return list(body["questions"])


def moderate(server: Server, qid: str, action: str, token: str | None = ASSISTANT) -> tuple:
    return server.request("POST", f"/api/questions/{qid}", {"action": action}, token)


def test_a_question_is_pending_until_approved_and_only_then_public(qserver: Server) -> None:
    qid = ask(qserver, "<b>Why</b> now?", name="Ann")
    assert listed(qserver) == []  # anonymous: nothing pending
    (mine,) = listed(qserver, ASSISTANT)
    assert mine == {
        "id": qid, "text": "<b>Why</b> now?", "name": "Ann", "session_id": "opening-session",
        "status": "pending", "votes": 0, "asked_at": mine["asked_at"], "origin": "remote",
    }  # fmt: skip
    assert listed(qserver, qserver.token) == [mine]  # the moderator sees it too
    assert moderate(qserver, qid, "approve")[0] == 200
    assert [q["status"] for q in listed(qserver)] == ["approved"]
    assert moderate(qserver, qid, "answer", qserver.token)[1]["status"] == "answered"
    assert [q["status"] for q in listed(qserver)] == ["answered"]
    assert moderate(qserver, qid, "dismiss")[1]["status"] == "dismissed"
    assert listed(qserver) == []
    assert moderate(qserver, qid, "restore")[1]["status"] == "pending"
    status, body = moderate(qserver, qid, "answer")
    assert (status, body["status"]) == (200, "answered")
    assert moderate(qserver, qid, "restore")[1]["status"] == "approved"
    status, body = moderate(qserver, qid, "approve")
    assert status == 422 and "approved" in body["error"]["message"]


def test_filters_and_order_newest_and_most_voted_first(qserver: Server) -> None:
    first, second, third = (ask(qserver, t) for t in ("one", "two", "three"))
    for qid in (first, second):
        moderate(qserver, qid, "approve")
    qserver.request("POST", f"/api/questions/{first}/vote", {"voter": qserver.voter()})
    assert [q["id"] for q in listed(qserver, ASSISTANT)] == [first, third, second]
    assert [q["id"] for q in listed(qserver, ASSISTANT, "?status=pending")] == [third]
    assert listed(qserver, ASSISTANT, "?session_id=session-3") == []
    assert len(listed(qserver, None, "?session_id=opening-session")) == 2
    status, body = qserver.request("GET", "/api/questions?status=maybe")
    assert status == 400 and "pending" in body["error"]["message"]


def test_only_moderators_and_the_assistant_handle_questions(private: Server) -> None:
    qid = ask(private, token=VIEWER)
    assert moderate(private, qid, "approve", None)[0] == 401
    assert moderate(private, qid, "approve", "not-a-token-at-all-0123456789")[0] == 401
    assert moderate(private, qid, "approve", VIEWER)[0] == 403
    for status in ("pending", "dismissed"):
        assert private.request("GET", f"/api/questions?status={status}")[0] == 401
        assert private.request("GET", f"/api/questions?status={status}", token=VIEWER)[0] == 403
    assert listed(private, VIEWER) == []
    assert moderate(private, qid, "approve")[0] == 200
    assert [q["id"] for q in listed(private, VIEWER)] == [qid]


def test_a_private_event_needs_the_viewer_token_to_ask_read_or_vote(private: Server) -> None:
    assert private.request("POST", "/api/questions", {"text": "hi"})[0] == 401
    assert private.request("GET", "/api/questions")[0] == 401
    qid = ask(private, token=VIEWER)
    moderate(private, qid, "approve")
    assert private.request("POST", "/api/questions/voter")[0] == 401
    voter = {"voter": private.voter(VIEWER)}
    assert private.request("POST", f"/api/questions/{qid}/vote", voter)[0] == 401
    assert private.request("POST", f"/api/questions/{qid}/vote", voter, VIEWER)[0] == 200


def test_the_assistant_sends_no_timing_commands(qserver: Server) -> None:
    status, _ = qserver.request("POST", "/api/commands", {"action": "next"}, ASSISTANT)
    assert status == 401

    async def over_websocket() -> None:
        async with websockets.connect(qserver.ws_url + "&client=questions") as ws:
            await recv_type(ws, "snapshot")
            await ws.send(json.dumps({"type": "auth", "token": ASSISTANT}))
            assert (await recv_type(ws, "auth_ok"))["role"] == "questions"
            command = {"action": "start_session", "session_id": "session-1"}
            await ws.send(json.dumps({"type": "command", "id": 1, "command": command}))
            assert (await recv_type(ws, "error"))["code"] == "forbidden"

    asyncio.run(over_websocket())


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"text": "   "}, "the question is empty"),
        ({"text": "x" * 301}, "at most 300"),
        ({"text": "ok", "name": "n" * 61}, "at most 60"),
        ({"text": 5}, "text must be a string"),
        ({"text": "ok", "email": "a@b"}, "unknown field(s) email"),
        ({"text": "ok", "session_id": "nope"}, "no session 'nope'"),
        ({"text": "ok", "origin": "stage"}, 'origin must be "room"'),
        (["text"], "a JSON object"),
    ],
)
def test_bad_questions_are_400_and_change_nothing(qserver: Server, body: Any, says: str) -> None:
    status, answer = qserver.request("POST", "/api/questions", body)
    assert status == 400 and says in answer["error"]["message"], answer
    assert listed(qserver, ASSISTANT) == []


def test_votes_count_once_per_voter_and_only_on_approved_questions(qserver: Server) -> None:
    qid = ask(qserver)
    path = f"/api/questions/{qid}/vote"
    v1, v2, v3 = (qserver.voter() for _ in range(3))
    status, body = qserver.request("POST", path, {"voter": v1})
    assert status == 422 and "only approved" in body["error"]["message"]
    moderate(qserver, qid, "approve")
    assert qserver.request("POST", path, {"voter": v1})[1] == {
        "id": qid,
        "votes": 1,
        "counted": True,
    }
    assert qserver.request("POST", path, {"voter": v1})[1]["counted"] is False
    assert qserver.request("POST", path, {"voter": v2})[1]["votes"] == 2
    assert qserver.request("POST", path, {"voter": ""})[0] == 400
    assert qserver.request("POST", "/api/questions/nope/vote", {"voter": v3})[0] == 404


def test_answered_votes_are_one_access_line_a_second_refused_ones_their_own(
    qserver: Server,
) -> None:
    qid = ask(qserver)
    moderate(qserver, qid, "approve")
    path = f"/api/questions/{qid}/vote"
    v1, v2, v3 = (qserver.voter() for _ in range(3))
    for voter in (v1, v2, v2):
        assert qserver.request("POST", path, {"voter": voter})[0] == 200
    assert qserver.request("POST", "/api/questions/nope/vote", {"voter": v3})[0] == 404
    deadline = time.monotonic() + 5
    while '/vote" 200 x' not in qserver.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = [line for line in qserver.log.read_text().splitlines() if '/vote"' in line]
    assert len(lines) == 2, lines
    assert any('1 addresses "POST /api/questions/*/vote" 200 x 3 in 1 s' in x for x in lines)
    assert any('"POST /api/questions/nope/vote' in line and " 404 " in line for line in lines)


def test_asking_and_voting_too_often_is_429_with_retry_after(tmp_path: Path) -> None:
    limits = ["--limit-questions", "2/60", "--limit-votes", "3/60", "--limit-loopback"]
    srv = Server(data_dir=tmp_path / "data", extra_args=limits).start()
    try:
        qid = ask(srv)
        ask(srv)
        status, body = srv.request("POST", "/api/questions", {"text": "third"})
        assert status == 429 and "too many questions" in body["error"]["message"]
        moderate(srv, qid, "approve", srv.token)
        for _ in range(3):
            srv.request("POST", f"/api/questions/{qid}/vote", {"voter": srv.voter()})
        status, _ = srv.request("POST", f"/api/questions/{qid}/vote", {"voter": srv.voter()})
        assert status == 429
        assert [q["votes"] for q in listed(srv)] == [3]
    finally:
        srv.kill()


def test_retry_after_says_when_to_ask_again(tmp_path: Path) -> None:
    import urllib.error
    import urllib.request

    srv = Server(data_dir=tmp_path / "data", extra_args=["--limit-questions", "1/60",
                                                          "--limit-loopback"]).start()  # fmt: skip
    try:
        ask(srv)
        request = urllib.request.Request(
            f"{srv.url}/api/questions", data=b'{"text": "again"}', method="POST"
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 429
        assert 50 <= int(refused.value.headers["Retry-After"]) <= 60
    finally:
        srv.kill()


def test_questions_turned_off_answer_403_with_the_reason(tmp_path: Path) -> None:
    programme = programme_with(tmp_path, "enabled = false")
    srv = Server(data_dir=tmp_path / "data", programmes=[programme]).start()
    try:
        status, body = srv.request("POST", "/api/questions", {"text": "anyone?"})
        assert status == 403 and "turned off" in body["error"]["message"]
        assert srv.request("GET", "/api/programme")[1]["questions"]["enabled"] is False
    finally:
        srv.kill()


def test_unmoderated_questions_are_public_at_once(tmp_path: Path) -> None:
    programme = programme_with(tmp_path, "moderated = false\nmax_length = 20")
    srv = Server(data_dir=tmp_path / "data", programmes=[programme]).start()
    try:
        status, body = srv.request("POST", "/api/questions", {"text": "straight up"})
        assert status == 201 and body["status"] == "approved"
        assert [q["text"] for q in listed(srv)] == ["straight up"]
        status, body = srv.request("POST", "/api/questions", {"text": "x" * 21})
        assert status == 400 and "at most 20" in body["error"]["message"]
    finally:
        srv.kill()


def test_show_question_takes_approved_ones_with_their_text(qserver: Server) -> None:
    qid = ask(qserver, "<i>Is it</i> safe?", name="Bo")
    status, body = qserver.command("show_question", question_id=qid)
    assert status == 422 and "pending" in body["error"]["message"]
    moderate(qserver, qid, "approve")
    status, body = qserver.command("show_question", question_id=qid, text="forged")
    assert status == 200
    assert body["state"]["question"] == {"id": qid, "text": "<i>Is it</i> safe?", "name": "Bo"}
    assert qserver.command("undo")[1]["state"]["question"] is None
    qserver.command("show_question", question_id=qid)
    assert qserver.command("clear_question")[1]["state"]["question"] is None
    log = (qserver.data_dir / "itu-miit-2021" / "log.jsonl").read_text()
    assert "<i>Is it</i> safe?" in log  # the log keeps the text: a replay needs nothing else


async def frames(ws: websockets.ClientConnection, seen: list[dict[str, Any]]) -> None:
    while True:
        message = await recv_json(ws, 30)
        if message["type"] == "questions":
            seen.append(message)


async def until(seen: list[dict[str, Any]], check: Any) -> None:
    for _ in range(200):
        if any(check(m) for m in seen):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never seen; got {seen}")


def has(status: str, mine: bool = False) -> Any:
    def check(message: dict[str, Any]) -> bool:
        return message.get("mine", False) == mine and any(
            q["status"] == status for q in message["questions"]
        )

    return check


def test_the_public_list_goes_less_often_to_a_larger_audience() -> None:
    """One frame a second, and at most 2,500 frames a second to all viewers together."""
    assert public_every(0) == public_every(2_500) == 1.0
    assert (public_every(5_000), public_every(10_000)) == (2.0, 4.0)


async def test_viewers_get_only_the_count_when_votes_alone_changed(qserver: Server) -> None:
    qid = ask(qserver, "Counted?")
    got: dict[str, list[dict[str, Any]]] = {"viewer": [], "assistant": []}
    async with (
        websockets.connect(qserver.ws_url + "&client=viewer") as viewer,
        websockets.connect(qserver.ws_url + "&client=questions") as assistant,
    ):
        await recv_type(viewer, "snapshot")
        await assistant.send(json.dumps({"type": "auth", "token": ASSISTANT}))
        await recv_type(assistant, "auth_ok")
        pairs = (("viewer", viewer), ("assistant", assistant))
        tasks = [asyncio.create_task(frames(ws, got[k])) for k, ws in pairs]
        moderate(qserver, qid, "approve")
        await until(got["viewer"], has("approved"))  # the question itself, once
        seen = len(got["viewer"])
        path = f"/api/questions/{qid}/vote"
        assert qserver.request("POST", path, {"voter": qserver.voter()})[0] == 200
        assert qserver.request("POST", path, {"voter": qserver.voter()})[0] == 200
        await until(got["viewer"], lambda m: m.get("votes", {}).get(qid) == 2)
        await until(got["assistant"], lambda m: [q["votes"] for q in m["questions"]] == [2])
        for task in tasks:
            task.cancel()
    # the viewers already hold the question: a frame with its count, not the question again
    assert got["viewer"][seen:] and all(m["questions"] == [] for m in got["viewer"][seen:])


async def test_each_audience_is_pushed_only_what_it_may_see(qserver: Server) -> None:
    got: dict[str, list[dict[str, Any]]] = {"viewer": [], "assistant": [], "moderator": []}
    async with (
        websockets.connect(qserver.ws_url + "&client=viewer") as viewer,
        websockets.connect(qserver.ws_url + "&client=viewer") as asker,
        websockets.connect(qserver.ws_url + "&client=questions") as assistant,
        moderator(qserver) as mod,
    ):
        for ws in (viewer, asker, assistant):
            await recv_type(ws, "snapshot")
        await assistant.send(json.dumps({"type": "auth", "token": ASSISTANT}))
        await recv_type(assistant, "auth_ok")
        tasks = [
            asyncio.create_task(frames(ws, got[k]))
            for k, ws in (("viewer", viewer), ("assistant", assistant), ("moderator", mod))
        ]
        await asker.send(json.dumps({"type": "ask", "id": "a1", "text": "Pending?", "name": "C"}))
        ack = await recv_type(asker, "ack")
        assert ack["id"] == "a1" and ack["question"]["status"] == "pending"
        qid = ack["question"]["id"]
        await until(got["assistant"], has("pending"))
        await until(got["moderator"], has("pending"))
        moderate(qserver, qid, "approve")
        await until(got["viewer"], has("approved"))
        assert (await recv_type(asker, "questions"))["mine"] is True
        moderate(qserver, qid, "dismiss")
        await until(got["assistant"], has("dismissed"))
        await until(got["viewer"], lambda m: m.get("removed") == [qid])
        mine = await recv_type(asker, "questions")
        while not has("dismissed", mine=True)(mine):
            mine = await recv_type(asker, "questions")
        for task in tasks:
            task.cancel()
    pushed = [q for m in got["viewer"] for q in m["questions"]]
    assert pushed and all(q["status"] in ("approved", "answered") for q in pushed)
    # the assistant joined as a viewer, then sent its token: from then on not a viewer
    public = [m for m in got["assistant"] if "removed" in m]
    assert not public, "an assistant gets every question, not the viewers' frame as well"


async def test_asking_over_the_websocket_is_limited_per_connection(tmp_path: Path) -> None:
    srv = Server(data_dir=tmp_path / "data", extra_args=["--limit-questions", "2/60"]).start()
    try:
        async with websockets.connect(srv.ws_url) as ws:
            await recv_type(ws, "snapshot")
            answers = []
            for n in range(3):
                await ws.send(json.dumps({"type": "ask", "id": n, "text": f"q{n}"}))
                while (answer := await recv_json(ws))["type"] not in ("ack", "error"):
                    pass
                answers.append(answer.get("code", answer["type"]))
            assert answers == ["ack", "ack", "rate_limited"]
    finally:
        srv.kill()


def test_the_report_lists_questions_per_session_and_exports_them(qserver: Server) -> None:
    qserver.command("start_session", session_id="session-1")
    top, other = (ask(qserver, t) for t in ("=1+1 <script>", "Second"))
    hidden = ask(qserver, "Never", origin="room")  # from the venue screen's link
    for qid in (top, other):
        moderate(qserver, qid, "approve")
    for _ in range(2):
        qserver.request("POST", f"/api/questions/{top}/vote", {"voter": qserver.voter()})
    moderate(qserver, other, "answer")
    qserver.command("show_question", question_id=top)
    status, report = qserver.request("GET", "/api/report?format=json", token=qserver.token)
    assert status == 200
    (session,) = report["questions"]["sessions"]
    assert (session["session_id"], session["asked"], session["approved"]) == ("session-1", 3, 2)
    assert session["answered"] == 1
    assert (session["room"], session["remote"]) == (1, 2)
    assert (report["questions"]["room"], report["questions"]["remote"]) == (1, 2)
    assert [(q["id"], q["votes"], q["shown"]) for q in session["top"]] == [
        (top, 2, True), (other, 0, False)
    ]  # fmt: skip
    assert hidden not in json.dumps(report["questions"])  # only public ones are listed
    _, text = qserver.request("GET", "/api/report?format=text", token=qserver.token)
    assert "=1+1 <script>" in text.decode() and "[on screen]" in text.decode()
    assert "room 1 · remote 2" in text.decode()
    _, html = qserver.request("GET", "/api/report?format=html", token=qserver.token)
    assert "=1+1 &lt;script&gt;" in html.decode() and "<script>" not in html.decode()
    status, csv = qserver.request("GET", "/api/report?format=questions.csv", token=qserver.token)
    lines = csv.decode().splitlines()
    assert status == 200
    assert lines[0] == "id,session_id,asked_at,status,votes,shown,name,text,origin"
    assert len(lines) == 4 and f"{top},session-1," in lines[1]
    assert lines[1].endswith(",'=1+1 <script>,remote") and lines[3].endswith(",Never,room")
    assert qserver.request("GET", "/api/report?format=questions.csv")[0] == 401
    out = qserver.data_dir.parent / "questions.csv"
    cli = [
        "report",
        "--data-dir",
        str(qserver.data_dir),
        "--format",
        "questions.csv",
        "-o",
        str(out),
    ]
    assert main(cli) == 0
    assert out.read_text().splitlines() == lines


async def test_a_private_event_takes_questions_over_the_websocket_after_auth_only(
    private: Server,
) -> None:
    async with websockets.connect(private.ws_url) as ws:
        await ws.send(json.dumps({"type": "ask", "id": 1, "text": "before auth"}))
        assert (await recv_type(ws, "error"))["code"] == "forbidden"
        await ws.send(json.dumps({"type": "auth", "token": VIEWER}))
        await recv_type(ws, "snapshot")
        await ws.send(json.dumps({"type": "ask", "id": 2, "text": "after auth"}))
        qid = (await recv_type(ws, "ack"))["question"]["id"]
    assert [q["text"] for q in listed(private, ASSISTANT)] == ["after auth"]
    moderate(private, qid, "dismiss")
    async with websockets.connect(private.ws_url) as again:  # the page, reloaded
        await again.send(json.dumps({"type": "auth", "token": VIEWER}))
        await recv_type(again, "snapshot")
        await again.send(json.dumps({"type": "mine", "ids": [qid, "not-one-of-mine"]}))
        mine = await recv_type(again, "questions")
        assert mine["mine"] and [(q["id"], q["status"]) for q in mine["questions"]] == [
            (qid, "dismissed")
        ]


async def test_votes_over_the_websocket_count_once_and_are_limited_per_connection(
    tmp_path: Path,
) -> None:
    srv = Server(
        data_dir=tmp_path / "data",
        env={"PODIUM_QUESTIONS_TOKEN": ASSISTANT},
        extra_args=["--limit-votes", "3/60"],
    ).start()
    try:
        qid = ask(srv)
        v0, v1, v2 = (srv.voter() for _ in range(3))
        pending = {"type": "vote", "id": 0, "question_id": qid, "voter": v0}
        async with websockets.connect(srv.ws_url) as ws:
            await recv_type(ws, "snapshot")

            async def vote(n: int, **change: Any) -> dict[str, Any]:
                await ws.send(json.dumps({**pending, "id": n, **change}))
                while (answer := await recv_json(ws))["type"] not in ("ack", "error"):
                    pass
                assert answer["id"] == n
                return answer

            assert (await vote(1))["code"] == "invalid_transition"  # pending: not yet
            moderate(srv, qid, "approve")
            assert (await vote(2, voter=v1))["voted"] == {"id": qid, "votes": 1, "counted": True}
            assert (await vote(3, voter=v1))["voted"]["counted"] is False
            assert (await vote(4, voter=v2))["code"] == "rate_limited"  # 3 a minute
        async with websockets.connect(srv.ws_url) as ws:  # another connection, its own limit
            await recv_type(ws, "snapshot")
            await ws.send(json.dumps({**pending, "id": 5, "voter": ""}))
            assert (await recv_type(ws, "error"))["code"] == "invalid"
            await ws.send(json.dumps({**pending, "id": 6, "question_id": "nope"}))
            assert (await recv_type(ws, "error"))["code"] == "not_found"
        assert [q["votes"] for q in listed(srv)] == [1]
    finally:
        srv.kill()


async def test_a_private_event_takes_votes_over_the_websocket_after_auth_only(
    private: Server,
) -> None:
    qid = ask(private, token=VIEWER)
    moderate(private, qid, "approve")
    vote = {"type": "vote", "id": 1, "question_id": qid, "voter": private.voter(VIEWER)}
    async with websockets.connect(private.ws_url) as ws:
        await ws.send(json.dumps(vote))
        assert (await recv_type(ws, "error"))["code"] == "forbidden"
        await ws.send(json.dumps({"type": "auth", "token": VIEWER}))
        await recv_type(ws, "snapshot")
        await ws.send(json.dumps(vote))
        assert (await recv_type(ws, "ack"))["voted"]["votes"] == 1

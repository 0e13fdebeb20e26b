"""Acknowledged questions and votes survive: a SIGKILL of the server with either store, a
restart of Redis (with its append-only file), and two processes on one Redis see each
other's questions (a question asked on one is pushed to a moderator on the other)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.clients import moderator
from tests.helpers import Server, recv_json
from tests.redis_server import RedisServer

ASSISTANT = "assistant-token-0123456789abcdefgh"
VOTER_KEY = "voter-key-shared-by-the-processes-0123"  # processes on one Redis share it
VOTERS: dict[str, list[str]] = {}  # server URL -> the voter ids its last storm used


def started(data: Path, redis_server: RedisServer | None) -> Server:
    args = (
        ["--redis", redis_server.url, "--redis-prefix", redis_server.prefix] if redis_server else []
    )
    env = {"PODIUM_QUESTIONS_TOKEN": ASSISTANT, "PODIUM_VOTER_KEY": VOTER_KEY}
    return Server(data_dir=data, extra_args=args, env=env).start()


def storm(server: Server, asks: int, voters: int) -> tuple[dict[str, str], int]:
    """Questions asked and votes cast from several threads at once: what was acknowledged
    (id -> status after approval) and how many votes were."""

    def one(n: int) -> str:
        status, body = server.request("POST", "/api/questions", {"text": f"question {n}"})
        assert status == 201, body
        return str(body["id"])

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(one, range(asks)))
    approved = ids[: asks // 2]
    for qid in approved:
        assert (
            server.request("POST", f"/api/questions/{qid}", {"action": "approve"}, ASSISTANT)[0]
            == 200
        )

    def vote(n: int) -> bool:
        qid = approved[n % len(approved)]
        status, body = server.request("POST", f"/api/questions/{qid}/vote", {"voter": ids_of[n]})
        return status == 200 and body["counted"]

    with ThreadPoolExecutor(8) as pool:
        ids_of = list(pool.map(lambda _: server.voter(), range(voters)))
        votes = sum(pool.map(vote, range(voters)))
    VOTERS[server.url] = ids_of
    return {qid: "approved" if qid in approved else "pending" for qid in ids}, votes


def kept(server: Server) -> dict[str, dict[str, Any]]:
    status, body = server.request("GET", "/api/questions", token=ASSISTANT)
    assert status == 200, body
    return {q["id"]: q for q in body["questions"]}


@pytest.mark.parametrize("store", ["files", "redis"])
def test_acknowledged_questions_and_votes_survive_a_sigkill(
    tmp_path: Path, store: str, request: pytest.FixtureRequest
) -> None:
    redis_server = request.getfixturevalue("redis_aof") if store == "redis" else None
    server = started(tmp_path / "data", redis_server)
    try:
        acked, votes = storm(server, asks=40, voters=120)
        server.kill()
        server.start()
        after = kept(server)
        assert {qid: after[qid]["status"] for qid in acked} == acked
        assert sum(q["votes"] for q in after.values()) == votes == 120
        voter = VOTERS[server.url][0]  # counted before the kill: still counted once
        qid = next(q for q, s in acked.items() if s == "approved")
        assert (
            server.request("POST", f"/api/questions/{qid}/vote", {"voter": voter})[1]["counted"]
            is False
        )
    finally:
        server.kill()


def test_questions_survive_a_redis_restart(tmp_path: Path, redis_aof: RedisServer) -> None:
    redis_aof.require_private()
    server = started(tmp_path / "data", redis_aof)
    try:
        acked, votes = storm(server, asks=10, voters=20)
        redis_aof.kill()  # appendfsync always: every acknowledged write is on disk
        redis_aof.start()
        after = kept(server)
        assert {qid: after[qid]["status"] for qid in acked} == acked
        assert sum(q["votes"] for q in after.values()) == votes
        server.kill()
        server.start()
        assert kept(server) == after
    finally:
        server.kill()


def test_a_torn_last_line_of_the_questions_file_is_dropped(tmp_path: Path) -> None:
    server = started(tmp_path / "data", None)
    try:
        acked, _ = storm(server, asks=4, voters=4)
        server.kill()
        path = tmp_path / "data" / "itu-miit-2021" / "questions.jsonl"
        with path.open("ab") as f:
            f.write(b'{"op":"vote","id":"')  # a write the crash cut short
        server.start()
        assert set(kept(server)) == set(acked)
        assert server.request("POST", "/api/questions", {"text": "after"})[0] == 201
        server.kill()
        server.start()
        assert len(kept(server)) == len(acked) + 1
    finally:
        server.kill()


async def test_a_question_asked_on_one_process_reaches_a_moderator_on_another(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    a = started(tmp_path / "a", redis_server)
    b = started(tmp_path / "b", redis_server)
    try:
        async with moderator(b) as mod, websockets.connect(b.ws_url) as viewer:
            await recv_json(viewer)  # the snapshot
            status, body = await asyncio.to_thread(
                a.request, "POST", "/api/questions", {"text": "from a"}
            )
            assert status == 201
            while (pushed := await recv_json(mod, 10))["type"] != "questions":
                pass
            assert pushed["questions"][0]["id"] == body["id"]
            assert pushed["questions"][0]["status"] == "pending"
            # approved on b, voted on a: both processes agree, and b's viewer is told
            qid = body["id"]
            assert (
                b.request("POST", f"/api/questions/{qid}", {"action": "approve"}, ASSISTANT)[0]
                == 200
            )
            voter = {"voter": a.voter()}  # one voter id for both: they share the key
            assert a.request("POST", f"/api/questions/{qid}/vote", voter)[1]["votes"] == 1
            while True:
                message = await recv_json(viewer, 10)
                if message["type"] == "questions" and message["questions"][0]["votes"] == 1:
                    break
                assert all(q["status"] != "pending" for q in message.get("questions", []))
            assert b.request("POST", f"/api/questions/{qid}/vote", voter)[1]["counted"] is False
            status, body = await asyncio.to_thread(b.command, "show_question", question_id=qid)
            assert status == 200 and body["state"]["question"]["text"] == "from a"
    finally:
        a.kill()
        b.kill()


def test_a_question_on_screen_is_replayed_from_the_log_alone(tmp_path: Path) -> None:
    """The log keeps the question's text with show_question: a replay needs no questions."""
    server = started(tmp_path / "data", None)
    try:
        _, body = server.request("POST", "/api/questions", {"text": "Replay <me>?"})
        qid = body["id"]
        server.request("POST", f"/api/questions/{qid}", {"action": "approve"}, ASSISTANT)
        assert server.command("show_question", question_id=qid)[0] == 200
        shown = server.state()["state"]["question"]
        server.kill()
        room = tmp_path / "data" / "itu-miit-2021"
        (room / "state.json").unlink()  # rebuilt from the log
        (room / "questions.jsonl").unlink()  # and the questions are not needed for it
        server.start()
        assert shown == {"id": qid, "text": "Replay <me>?", "name": ""}
        assert server.state()["state"]["question"] == shown
    finally:
        server.kill()

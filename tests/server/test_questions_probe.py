"""What the second outside probe (issue 23) found in the audience's questions, held:

- a dismissed question leaves the screens (a versioned change the log replays), and
  neither ``undo`` nor ``show_question`` puts a question that is not public back (item 2);
- one voter id the server issued, one vote: a made-up or altered id is refused, and an
  asker cannot vote for their own question (item 4; issue 22, item 13);
- during a Redis hang the answers say what happened (``outcome_unknown`` for a write that
  was sent, ``unavailable`` for one that was not), and a retry with the same
  ``command_id`` gets the first one's result: one question, the same id (item 5);
- a question of invisible characters only is refused; approve and vote find a question
  the other process asked moments before (item 6).

``hung_questions_run`` and ``forged_votes_run`` are also the probe's (``tests/probe.py``).
"""

from __future__ import annotations

import json
import signal
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import redis
import websockets

from podium.core import engine
from podium.core.commands import SYSTEM, parse_command, signed
from podium.core.config.programme_file import load
from podium.core.errors import InvalidTransition
from podium.core.questions import Question, visible
from podium.core.state import initial_state
from tests.clients import log_records, room_dir
from tests.helpers import ASSISTANT, SEED, Server, recv_type
from tests.redis_server import RedisServer
from tests.server.test_questions import ask, listed, moderate
from tests.server.test_questions_durable import VOTER_KEY, started

ROOM = "itu-miit-2021"


# -- item 2: a question that is not public never stays on, or comes back to, a screen ------


def test_the_engine_leaves_a_question_named_by_undo_off_and_holds_nothing() -> None:
    programme = load(SEED)
    state = initial_state(programme, 0)
    for n, (command, actor) in enumerate(
        [
            ({"action": "start_session", "session_id": "session-1"}, "t"),
            ({"action": "show_question", "question_id": "q1", "text": "Why?"}, "t"),
            ({"action": "clear_question", "question_id": "q1"}, SYSTEM),
        ],
        1,
    ):
        state = engine.apply(programme, state, signed(parse_command(command), actor), n).state
    assert state.live.question is None
    undo = parse_command({"action": "undo", "hide_question": "q1"})
    back = engine.apply(programme, state, signed(undo, "t"), 9).state
    assert back.live.question is None and back.version == state.version + 1
    assert back.live.timer.held is False  # only an item that ended itself comes back held
    assert "q1 left off" in (back.last_change.summary if back.last_change else "")
    plain = engine.apply(programme, state, signed(parse_command({"action": "undo"}), "t"), 9)
    assert plain.state.live.question is not None  # without the server's word: as it was
    other = parse_command({"action": "clear_question", "question_id": "q2"})
    with pytest.raises(InvalidTransition, match="not the one on screen"):
        engine.apply(programme, plain.state, signed(other, SYSTEM), 10)


def test_a_dismissed_question_leaves_the_screens_and_undo_never_brings_it_back(
    qserver: Server,
) -> None:
    qserver.command("start_session", session_id="session-1")
    qid = ask(qserver, "Shown, then dismissed?")
    moderate(qserver, qid, "approve")
    assert qserver.command("show_question", question_id=qid)[0] == 200
    version = qserver.state()["version"]
    status, body = moderate(qserver, qid, "dismiss")  # the assistant: no clear_question
    assert status == 200 and body["status"] == "dismissed"
    now = qserver.state()  # taken down before the dismissal was answered
    assert now["state"]["question"] is None and now["version"] == version + 1
    change = now["state"]["last_change"]
    assert (change["action"], change["actor"]) == ("clear_question", "system")
    # undo of the take-down: the state before it, without the question
    status, body = qserver.command("undo")
    assert status == 200 and body["state"]["question"] is None, body
    assert "left off" in body["state"]["last_change"]["summary"]
    status, body = qserver.command("show_question", question_id=qid)
    assert status == 422 and "dismissed" in body["error"]["message"]
    # the probe's path: shown, cleared, dismissed, then undo
    moderate(qserver, qid, "approve")
    assert qserver.command("show_question", question_id=qid)[0] == 200
    assert qserver.command("clear_question")[0] == 200
    moderate(qserver, qid, "dismiss")
    status, body = qserver.command("undo")
    assert status == 200 and body["state"]["question"] is None, body
    # each change is a version in the log, and a replay of the log alone makes the same
    before = qserver.state()
    actions = [(r["command"].get("action"), r["actor"]) for r in log_records(qserver)]
    assert actions.count(("clear_question", "system")) == 1
    qserver.kill()
    (room_dir(qserver) / "state.json").unlink()
    qserver.start()
    after = qserver.state()
    assert after["version"] == before["version"]
    for key in ("question", "last_change", "undo", "speaker"):
        assert after["state"][key] == before["state"][key], key


async def test_a_question_dismissed_on_one_process_leaves_the_screens_of_both(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    a = started(tmp_path / "a", redis_server)
    b = started(tmp_path / "b", redis_server)
    try:
        b.command("start_session", session_id="session-1")
        qid = ask(a, "Dismissed over there?")
        moderate(a, qid, "approve")
        assert b.command("show_question", question_id=qid)[0] == 200
        async with websockets.connect(b.ws_url) as viewer:
            assert (await recv_type(viewer, "snapshot"))["state"]["question"]["id"] == qid
            assert moderate(a, qid, "dismiss")[0] == 200
            while (await recv_type(viewer, "state", 10))["state"]["question"] is not None:
                pass
        assert a.state()["state"]["question"] is None
        status, body = b.command("show_question", question_id=qid)  # b reads the store
        assert status == 422 and "dismissed" in body["error"]["message"]
    finally:
        a.kill()
        b.kill()


# -- item 4: one issued voter id, one vote; never for one's own question -----------------


def forged(voter: str) -> list[str]:
    """Voter ids this server did not issue: made up, and the real one altered."""
    subject, _, mac = voter.partition(".")
    flip = "A" if mac[0] != "A" else "B"
    return ["v1", "x" * 64, f"{subject}.{flip}{mac[1:]}", f"{subject[::-1]}.{mac}", subject]


def forged_votes_run(server: Server, votes: int) -> dict[str, Any]:
    """One address asks for ``votes`` voter ids (as many as the limit gives it in a go)
    and votes with each twice for one question, then for its own question, then
    ``votes`` times with made-up and altered voter ids: how many of each counted. For the
    test and the probe."""
    me = server.voter()
    own = ask(server, "My own question?", voter=me)
    qid = ask(server, "Somebody else's?")
    for question in (own, qid):
        moderate(server, question, "approve", server.token)
    path = f"/api/questions/{qid}/vote"
    issued: list[str] = []
    refused_ids = 0
    for _ in range(votes):
        status, body = server.request("POST", "/api/questions/voter")
        if status != 201:
            refused_ids += 1
            continue
        issued.append(body["voter"])
    counted = [server.request("POST", path, {"voter": v})[1].get("counted") for v in issued]
    again = [server.request("POST", path, {"voter": v})[1].get("counted") for v in issued]
    own_status, own_body = server.request("POST", f"/api/questions/{own}/vote", {"voter": me})
    made_up = forged(me) + [f"made-up-{n}" for n in range(votes)]
    answers = [server.request("POST", path, {"voter": v}) for v in made_up]
    votes_now = {q["id"]: q["votes"] for q in listed(server)}
    return {
        "made_up_sent": len(made_up),
        "made_up_statuses": dict(sorted(Counter(status for status, _ in answers).items())),
        "made_up_message": answers[0][1]["error"]["message"],
        "ids_issued": len(issued),
        "ids_refused": refused_ids,
        "issued_counted": counted.count(True),
        "issued_again_counted": again.count(True),
        "own_vote_status": own_status,
        "own_vote_message": own_body["error"]["message"],
        "votes": votes_now[qid],
        "own_votes": votes_now[own],
    }


def test_a_vote_needs_a_voter_id_the_server_issued_and_counts_once(qserver: Server) -> None:
    seen = forged_votes_run(qserver, 30)
    assert seen["made_up_statuses"] == {403: 35}, seen
    assert "not issued here" in seen["made_up_message"]
    assert seen["ids_issued"] == 30 and seen["ids_refused"] == 0  # loopback: no limit
    assert seen["issued_counted"] == 30 and seen["issued_again_counted"] == 0
    assert seen["votes"] == 30 and seen["own_votes"] == 0
    assert seen["own_vote_status"] == 422 and "you asked" in seen["own_vote_message"]
    # nobody learns who asked: the asker's id is never on the wire
    assert all("asker" not in q for q in listed(qserver, ASSISTANT))


def test_voter_ids_are_limited_per_address(tmp_path: Path) -> None:
    limits = ["--limit-voters", "3/60", "--limit-loopback"]
    srv = Server(data_dir=tmp_path / "data", extra_args=limits).start()
    try:
        seen = forged_votes_run(srv, 10)
        # one for its own question, two more: then 429 for the rest of the minute
        assert (seen["ids_issued"], seen["ids_refused"]) == (2, 8), seen
        assert seen["votes"] == 2 and seen["made_up_statuses"] == {403: 15}
        status, body = srv.request("POST", "/api/questions/voter")
        assert status == 429 and "too many voter ids" in body["error"]["message"]
    finally:
        srv.kill()


async def test_over_the_websocket_too_a_vote_needs_an_issued_id_and_not_ones_own(
    qserver: Server,
) -> None:
    me, other = qserver.voter(), qserver.voter()
    async with websockets.connect(qserver.ws_url) as ws:
        await recv_type(ws, "snapshot")

        async def call(n: int, message: dict[str, Any]) -> dict[str, Any]:
            await ws.send(json.dumps({**message, "id": n}))
            while (answer := json.loads(await ws.recv()))["type"] not in ("ack", "error"):
                pass
            assert answer["id"] == n
            return answer

        bad = await call(1, {"type": "ask", "text": "Mine?", "voter": forged(me)[2]})
        assert bad["code"] == "forbidden"
        asked = await call(2, {"type": "ask", "text": "Mine?", "voter": me})
        qid = asked["question"]["id"]
        moderate(qserver, qid, "approve")
        vote = {"type": "vote", "question_id": qid}
        assert (await call(3, {**vote, "voter": "made-up"}))["code"] == "forbidden"
        own = await call(4, {**vote, "voter": me})
        assert own["code"] == "invalid_transition" and "you asked" in own["message"]
        counted = await call(5, {**vote, "voter": other})
        assert counted["voted"] == {"id": qid, "votes": 1, "counted": True}


def test_a_voter_id_of_another_key_is_refused(tmp_path: Path) -> None:
    one = Server(data_dir=tmp_path / "one").start()
    two = Server(data_dir=tmp_path / "two").start()  # its own DATA/voter.key
    try:
        qid = ask(one)
        moderate(one, qid, "approve", one.token)
        status, _ = one.request("POST", f"/api/questions/{qid}/vote", {"voter": two.voter()})
        assert status == 403
        assert (tmp_path / "one" / "voter.key").stat().st_mode & 0o077 == 0
    finally:
        one.kill()
        two.kill()


# -- item 5: truthful answers during a store hang, and safe retries ---------------------


def _post(server: Server, path: str, body: dict[str, Any], token: str | None = None) -> tuple:
    started_at = time.monotonic()
    status, answer = server.request("POST", path, body, token)
    return status, answer, round(time.monotonic() - started_at, 2)


def hung_questions_run(
    where: Path, redis_server: RedisServer, store_timeout: float = 1.0
) -> dict[str, Any]:
    """SIGSTOP redis-server, then at once an ask, a vote and an approval, each with a
    command_id: each answers ``outcome_unknown`` (they were sent); an ask after them answers
    ``unavailable`` (not sent: the store has not answered the earlier ones). SIGCONT, and
    the same three again: one question with the same id, one vote, one approval; the
    ask that was not sent is not there. Returns what was seen, for the test and the probe."""
    redis_server.require_private()
    assert redis_server.proc is not None
    args = ["--redis", redis_server.url, "--store-timeout", str(store_timeout)]
    env = {"PODIUM_QUESTIONS_TOKEN": ASSISTANT}
    server = Server(data_dir=where / "data", extra_args=args, env=env).start()
    try:
        voted = ask(server, "Voted for during the hang?")
        moderated = ask(server, "Approved during the hang?")
        moderate(server, voted, "approve")
        voter = server.voter()
        calls = {
            "ask": ("/api/questions", {"text": "Asked during the hang?", "command_id": "hang-a"}),
            "vote": (f"/api/questions/{voted}/vote", {"voter": voter, "command_id": "hang-v"}),
            "approve": (
                f"/api/questions/{moderated}",
                {"action": "approve", "command_id": "hang-m"},
            ),
        }
        token = {"approve": ASSISTANT}
        redis_server.proc.send_signal(signal.SIGSTOP)
        try:
            with ThreadPoolExecutor(3) as pool:
                sent = {
                    kind: pool.submit(_post, server, path, body, token.get(kind))
                    for kind, (path, body) in calls.items()
                }
                during = {kind: future.result() for kind, future in sent.items()}
            later = _post(server, "/api/questions", {"text": "Not sent?", "command_id": "hang-b"})
        finally:
            redis_server.proc.send_signal(signal.SIGCONT)
        retried: dict[str, tuple] = {}
        for kind, (path, body) in calls.items():
            for _ in range(40):  # the first may still be landing: "unavailable" until it has
                retried[kind] = _post(server, path, body, token.get(kind))
                if retried[kind][0] != 503:
                    break
                time.sleep(0.25)
        questions = listed(server, ASSISTANT)
        client = redis.Redis.from_url(redis_server.url, decode_responses=True)
        try:
            stored = [
                json.loads(raw)
                for raw in client.hvals(f"{redis_server.prefix}:{{{ROOM}}}:questions")
            ]
        finally:
            client.close()

        def said(answer: tuple) -> dict[str, Any]:
            status, body, seconds = answer
            error = body.get("error", {}) if isinstance(body, dict) else {}
            return {"status": status, "code": error.get("code"), "seconds": seconds,
                    "message": error.get("message")}  # fmt: skip

        asked_text = calls["ask"][1]["text"]
        return {
            "during": {kind: said(answer) for kind, answer in during.items()},
            "not_sent": said(later),
            "retried": {kind: {"status": a[0], "body": a[1]} for kind, a in retried.items()},
            "asked_once": sum(q["text"] == asked_text for q in stored),
            "asked_id": next((q["id"] for q in stored if q["text"] == asked_text), None),
            "not_sent_stored": sum(q["text"] == "Not sent?" for q in stored),
            "votes": next(q["votes"] for q in questions if q["id"] == voted),
            "approved": next(q["status"] for q in questions if q["id"] == moderated),
        }
    finally:
        server.kill()


def test_a_redis_hang_answers_truthfully_and_a_retry_with_the_command_id_is_safe(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    seen = hung_questions_run(tmp_path, redis_server)
    for kind, answer in seen["during"].items():
        assert (answer["status"], answer["code"]) == (503, "outcome_unknown"), (kind, seen)
        assert "may have been made" in answer["message"]
        assert answer["seconds"] < 3, seen
    assert (seen["not_sent"]["status"], seen["not_sent"]["code"]) == (503, "unavailable"), seen
    assert "was not sent" in seen["not_sent"]["message"]
    ask_again = seen["retried"]["ask"]
    assert ask_again["status"] == 201, seen
    assert ask_again["body"]["id"] == seen["asked_id"] and ask_again["body"]["repeated"] is True
    assert seen["asked_once"] == 1 and seen["not_sent_stored"] == 0
    vote_again = seen["retried"]["vote"]
    assert vote_again["status"] == 200 and vote_again["body"]["votes"] == 1, seen
    assert vote_again["body"]["counted"] is True  # the first one's answer
    assert seen["retried"]["approve"]["status"] == 200, seen
    assert seen["votes"] == 1 and seen["approved"] == "approved"


def test_asks_votes_and_moves_with_a_command_id_are_made_once_across_a_restart(
    qserver: Server,
) -> None:
    body = {"text": "Once?", "command_id": "web-ask-1"}
    status, first = qserver.request("POST", "/api/questions", body)
    assert status == 201 and "repeated" not in first
    status, again = qserver.request("POST", "/api/questions", body)
    assert status == 201 and again == {**first, "repeated": True}
    other = {"text": "Another?", "command_id": "web-ask-1"}
    status, refused = qserver.request("POST", "/api/questions", other)
    assert status == 400 and "used for another question" in refused["error"]["message"]
    qid = first["id"]
    approve = {"action": "approve", "command_id": "web-approve-1"}
    path = f"/api/questions/{qid}"
    for _ in range(2):  # the second is the first's result, not "already approved"
        status, moved = qserver.request("POST", path, approve, ASSISTANT)
        assert status == 200 and moved["status"] == "approved", moved
    voter = qserver.voter()
    vote = {"voter": voter, "command_id": "web-vote-1"}
    answers = [qserver.request("POST", f"{path}/vote", vote)[1] for _ in range(2)]
    assert answers == [{"id": qid, "votes": 1, "counted": True}] * 2
    bad = qserver.request("POST", "/api/questions", {"text": "x", "command_id": "no spaces"})
    assert bad[0] == 400 and "command_id" in bad[1]["error"]["message"]
    qserver.kill()
    qserver.start()  # the ids are rebuilt from the questions file
    again = qserver.request("POST", "/api/questions", body)[1]  # as it is now: approved
    assert again == {**first, "status": "approved", "repeated": True}
    assert qserver.request("POST", f"{path}/vote", vote)[1]["counted"] is True
    assert [q["votes"] for q in listed(qserver) if q["id"] == qid] == [1]
    assert len(listed(qserver, ASSISTANT)) == 1


# -- item 6: invisible questions; approve and vote of a question asked moments ago --------


@pytest.mark.parametrize(
    "text",
    [
        "\u200b\u200b\u200b",  # zero-width spaces
        "\x00\x00",  # NUL
        "\u202e\u202d\u2066\u2069",  # bidi controls
        "\ufeff \u2060\u00ad",  # BOM, word joiner, soft hyphen
        "\u3164\u115f",  # Hangul fillers
        "\u0301\u0308",  # combining marks alone
        "\u2800 \u3000",  # the Braille blank, an ideographic space
    ],
)
def test_a_question_of_invisible_characters_only_is_refused(qserver: Server, text: str) -> None:
    status, body = qserver.request("POST", "/api/questions", {"text": text})
    assert status == 400 and "no visible characters" in body["error"]["message"], body
    status, body = qserver.request("POST", "/api/questions", {"text": "Why?", "name": text})
    assert status == 400 and "no visible characters" in body["error"]["message"], body
    assert listed(qserver, ASSISTANT) == []


def test_visible_text_is_not_refused() -> None:
    for text in ("a\u200b", "中文", "🙂", "\u202eevil", "é", "x\x00"):
        assert visible(text), text


async def test_a_websocket_ask_of_invisible_characters_is_refused(qserver: Server) -> None:
    async with websockets.connect(qserver.ws_url) as ws:
        await recv_type(ws, "snapshot")
        await ws.send(json.dumps({"type": "ask", "id": 1, "text": "\u200b\u2066\u2069"}))
        error = await recv_type(ws, "error")
        assert error["code"] == "invalid" and "no visible characters" in error["message"]


@pytest.fixture
def pair(tmp_path: Path, redis_server: RedisServer) -> Iterator[tuple[Server, Server]]:
    a = started(tmp_path / "a", redis_server)
    b = started(tmp_path / "b", redis_server)
    yield a, b
    a.kill()
    b.kill()


def test_approve_and_vote_find_a_question_the_other_process_asked_moments_before(
    pair: tuple[Server, Server], redis_server: RedisServer
) -> None:
    a, b = pair
    # a notice lost in a pub/sub gap: the question is in Redis, and only there
    lost = Question(id="lost-in-a-gap-1", text="Asked during a gap?", asked_at=1)
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    try:
        key = f"{redis_server.prefix}:{{{ROOM}}}:questions"
        client.hset(key, lost.id, lost.model_dump_json())
    finally:
        client.close()
    assert moderate(b, lost.id, "approve")[0] == 200
    voter = {"voter": a.voter()}
    status, body = a.request("POST", f"/api/questions/{lost.id}/vote", voter)
    assert status == 200 and body == {"id": lost.id, "votes": 1, "counted": True}
    # and asked on one, at once approved and voted for on the other, many times
    with ThreadPoolExecutor(4) as pool:

        def one(n: int) -> tuple[int, int]:
            qid = ask(a, f"Asked on a, number {n}?")
            approved = moderate(b, qid, "approve")[0]
            voted = b.request("POST", f"/api/questions/{qid}/vote", {"voter": a.voter()})[0]
            return approved, voted

        answers = list(pool.map(one, range(20)))
    assert answers == [(200, 200)] * 20, answers


def test_the_processes_share_the_voter_key_they_are_given(pair: tuple[Server, Server]) -> None:
    a, b = pair
    assert a.request("POST", "/api/questions/voter")[0] == 201
    assert VOTER_KEY  # both were started with PODIUM_VOTER_KEY: each accepts the other's ids
    qid = ask(a, "Shared?")
    moderate(a, qid, "approve")
    for issuer, voter_on in ((a, b), (b, a)):
        status, _ = voter_on.request(
            "POST", f"/api/questions/{qid}/vote", {"voter": issuer.voter()}
        )
        assert status == 200

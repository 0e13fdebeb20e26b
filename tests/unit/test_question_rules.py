"""The audience's questions' rules in the core: the moderation steps as a table, walked
pair by pair (``core.questions.TRANSITIONS``); one validation of an ask and a vote, with
one set of limits, whether they come over HTTP or the WebSocket (in process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, get_args

import pytest
from aiohttp.test_utils import TestClient, TestServer

from podium.core.config.programme_file import load
from podium.core.errors import InvalidTransition
from podium.core.questions import STATUSES, TRANSITIONS, Action, Question, next_status
from podium.live.access.auth import Tokens
from podium.live.access.keeper import FileKeeper
from podium.live.http import assets
from podium.live.http.app import create_app
from podium.live.rooms.room import Room
from podium.store.files import FileStore
from tests.helpers import SEED

ACTIONS: tuple[str, ...] = get_args(Action)

# every (status, action) pair: where it goes in a moderated event and in one that is not
# (None: refused). Written out by hand from the rules the if-chain had.
EXPECTED: dict[tuple[str, str], tuple[str | None, str | None]] = {
    ("pending", "approve"): ("approved", "approved"),
    ("pending", "dismiss"): ("dismissed", "dismissed"),
    ("pending", "answer"): ("answered", "answered"),
    ("pending", "restore"): (None, None),
    ("approved", "approve"): (None, None),
    ("approved", "dismiss"): ("dismissed", "dismissed"),
    ("approved", "answer"): ("answered", "answered"),
    ("approved", "restore"): (None, None),
    ("dismissed", "approve"): ("approved", "approved"),
    ("dismissed", "dismiss"): (None, None),
    ("dismissed", "answer"): (None, None),
    ("dismissed", "restore"): ("pending", "approved"),
    ("answered", "approve"): (None, None),
    ("answered", "dismiss"): ("dismissed", "dismissed"),
    ("answered", "answer"): (None, None),
    ("answered", "restore"): ("approved", "approved"),
}


def test_every_pair_is_written_down() -> None:
    assert set(EXPECTED) == {(s, a) for s in STATUSES for a in ACTIONS}
    assert set(TRANSITIONS) <= set(EXPECTED)


@pytest.mark.parametrize(("status", "action"), sorted(EXPECTED))
@pytest.mark.parametrize("moderated", [True, False])
def test_each_status_and_move_goes_where_the_table_says(
    status: str, action: str, moderated: bool
) -> None:
    question = Question.model_validate({"id": "q", "text": "?", "status": status, "asked_at": 0})
    expected = EXPECTED[(status, action)][0 if moderated else 1]
    assert ((status, action) in TRANSITIONS) == (expected is not None)
    if expected is None:
        with pytest.raises(InvalidTransition, match=f"the question is {status}"):
            next_status(question, action, moderated)
    else:
        assert next_status(question, action, moderated) == expected


# -- one validation of ask and vote, whichever way they come -----------------------------

LONG = 201  # over every limit of a name, a voter id, a command id and a question id
OVER_LIMIT_ASKS: dict[str, dict[str, Any]] = {
    "text": {"text": "x" * 4001},
    "name": {"text": "Why?", "name": "n" * LONG},
    "voter": {"text": "Why?", "voter": "v" * LONG},
    "command_id": {"text": "Why?", "command_id": "c" * LONG},
}
OVER_LIMIT_VOTES: dict[str, tuple[str, dict[str, Any]]] = {  # VOTER: an issued voter id
    "question_id": ("q" * 65, {"voter": "VOTER"}),
    "voter": ("q", {"voter": "v" * LONG}),
    "command_id": ("q", {"voter": "VOTER", "command_id": "c" * LONG}),
}


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[TestClient]:
    store = FileStore(tmp_path / "data")
    await store.open()
    room = Room(load(SEED), store)
    await room.open()
    app = create_app(
        [room], Tokens.load(FileKeeper(tmp_path / "data")), assets.prepare(tmp_path / "web")
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    yield client
    await client.close()


async def refusals(
    client: TestClient, http: list[tuple[str, dict[str, Any]]], frames: list[dict[str, Any]]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The (code, message) of each refusal: over HTTP, and over one WebSocket."""
    by_http = []
    for path, body in http:
        async with client.post(path, json=body) as answer:
            error = (await answer.json())["error"]
            by_http.append((error["code"], error["message"]))
    by_ws = []
    async with client.ws_connect("/ws?client=viewer") as ws:
        for i, message in enumerate(frames):
            await ws.send_json({**message, "id": i})
            while (answer := await ws.receive_json())["type"] != "error":
                pass
            assert answer["id"] == i
            by_ws.append((answer["code"], answer["message"]))
    return by_http, by_ws


async def test_an_over_limit_ask_is_refused_alike_by_http_and_websocket(
    served: TestClient,
) -> None:
    http = [("/api/questions", body) for body in OVER_LIMIT_ASKS.values()]
    ws = [{"type": "ask", **body} for body in OVER_LIMIT_ASKS.values()]
    by_http, by_ws = await refusals(served, http, ws)
    assert dict(zip(OVER_LIMIT_ASKS, by_ws, strict=True)) == dict(
        zip(OVER_LIMIT_ASKS, by_http, strict=True)
    )
    assert {code for code, _ in by_http} == {"invalid"}


async def test_an_over_limit_vote_is_refused_alike_by_http_and_websocket(
    served: TestClient,
) -> None:
    async with served.post("/api/questions/voter") as answer:
        voter = (await answer.json())["voter"]
    votes = [
        (qid, {k: voter if v == "VOTER" else v for k, v in body.items()})
        for qid, body in OVER_LIMIT_VOTES.values()
    ]
    http = [(f"/api/questions/{qid}/vote", body) for qid, body in votes]
    ws = [{"type": "vote", "question_id": qid, **body} for qid, body in votes]
    by_http, by_ws = await refusals(served, http, ws)
    assert dict(zip(OVER_LIMIT_VOTES, by_ws, strict=True)) == dict(
        zip(OVER_LIMIT_VOTES, by_http, strict=True)
    )
    assert {code for code, _ in by_http} == {"invalid"}

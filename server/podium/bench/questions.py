"""The question storm of ``podium bench --question-storm``: a process of its own that asks
questions and votes on the approved ones from a crowd of phones, and approves a share of
them as the question assistant, at an even pace over a few seconds, while the bench times
timer changes on its own connections.

The phones are WebSocket connections, as the viewer page asks and votes on the connection
it holds (``ask`` and ``vote`` messages, each answered by ``ack`` or ``error``): enough of
them that none goes over its own limits, 5 questions and 60 votes a minute (200 for the
default storm). They connect when the storm starts, so the timer changes
during the storm go to them as well (2 % more connections than without). The approvals
are the assistant's ``POST /api/questions/{id}`` over HTTP, as the assistant's page does.
Each vote comes from a voter of its own, with a voter id the server issued (``POST
/api/questions/voter``, as each page gets its own once), fetched before the storm starts
(not timed): every vote counts.

It runs in a separate process (``run_storm`` through a ``ProcessPoolExecutor``) so that
the storm's own work never delays the bench's moderator or viewers, at a lower priority
(``NICE``): its calls stand for thousands of phones, whose CPU is not the server's. From
loopback the per-address limits do not apply unless the server runs with
``--limit-loopback``. Every refusal is counted: a storm that got refusals was no storm.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import math
import os
import random
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import aiohttp
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from podium.bench.client import ViewerConnection
from podium.runtime.eventloop import new_runner

APPROVE_EVERY = 10  # the assistant approves one question in ten; only those take votes
ASKS_EACH = 5  # a phone asks at most this many: the server's --limit-questions per connection
VOTES_EACH = 50  # and votes at most this many: under its --limit-votes (60 a minute)
CONNECTIONS = 16  # HTTP connections for the assistant's approvals
ANSWER_S = 60.0  # no answer within this: counted as refused ("timeout")
NICE = 10  # the storm stands for thousands of phones elsewhere: the server gets the CPU first
TEXT = "Question {n} from the remote audience: how does this work at a larger scale?"


@dataclass(frozen=True)
class Storm:
    """What to send, and where: ``questions`` and ``votes`` over ``seconds``."""

    http_url: str
    ws_url: str
    room: str | None
    token: str  # the question assistant's (or a moderator's) token, for the approvals
    questions: int
    votes: int
    seconds: float
    rounds: int = 1  # the bench times this many calm phases and storms, in turn

    @property
    def phones(self) -> int:
        asks, votes = math.ceil(self.questions / ASKS_EACH), math.ceil(self.votes / VOTES_EACH)
        return max(1, asks, votes)


def warm_up() -> bool:
    """Nothing: starts the storm's process (and its imports) before anything is timed."""
    return True


def run_storm(storm: Storm) -> dict[str, Any]:
    """The whole storm, in its own process and event loop; the counts and times."""
    os.nice(NICE)
    cpu = time.process_time()
    with new_runner() as runner:
        counts = runner.run(_Storming(storm).run())
    return counts | {"storm_cpu_s": round(time.process_time() - cpu, 2)}


class Phone:
    """One WebSocket connection that asks and votes; its answers matched by ``id``. It
    reads frames as the bench's viewers do (``ViewerConnection``), and decodes only its
    answers: the pushes it gets (the timer's changes, the public list) are not read."""

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.ids = itertools.count()
        self.ws: ClientConnection | None = None

    async def connect(self, url: str) -> Phone:
        factory = functools.partial(ViewerConnection, on_frame=self._frame)
        self.ws = await connect(url, max_size=None, compression=None, create_connection=factory)
        return self

    def _frame(self, frame: bytes) -> None:
        head = frame[:16]
        if b'"ack"' not in head and b'"error"' not in head:
            return  # a push
        message = json.loads(frame)
        waiting = self.waiting.pop(str(message.get("id")), None)
        if waiting is not None and not waiting.done():
            waiting.set_result(message)

    async def call(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send ``message``; its ``ack`` or ``error`` (``{"code": "timeout"}`` if none)."""
        assert self.ws is not None, "connect first"
        key = f"s{next(self.ids)}"
        answer = self.waiting[key] = asyncio.get_running_loop().create_future()
        try:
            await self.ws.send(json.dumps({**message, "id": key}))
            async with asyncio.timeout(ANSWER_S):
                return await answer
        except (TimeoutError, ConnectionClosed):
            self.waiting.pop(key, None)
            return {"type": "error", "code": "timeout"}

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


class _Storming:
    def __init__(self, storm: Storm) -> None:
        self.storm = storm
        self.query = {"room": storm.room} if storm.room else {}
        self.approved: list[str] = []
        self.some_approved = asyncio.Event()
        self.answers: dict[str, Counter[str]] = {k: Counter() for k in ("ask", "approve", "vote")}
        self.counted = 0
        self.last_ns = 0
        self.random = random.Random(15)
        self.phones: list[Phone] = []
        self.voters: list[str] = []  # one issued voter id per vote

    def _answered(self, kind: str, outcome: str) -> None:
        self.answers[kind][outcome] += 1
        self.last_ns = time.time_ns()

    async def _approve(self, http: aiohttp.ClientSession, question_id: str) -> None:
        auth = {"Authorization": f"Bearer {self.storm.token}"}
        path = f"/api/questions/{question_id}"
        try:
            body = {"action": "approve"}
            async with http.post(path, json=body, params=self.query, headers=auth) as answer:
                outcome = "ok" if answer.status == 200 else str(answer.status)
        except (aiohttp.ClientError, TimeoutError):
            outcome = "timeout"
        self._answered("approve", outcome)
        if outcome == "ok":
            self.approved.append(question_id)
            self.some_approved.set()

    async def _ask(self, http: aiohttp.ClientSession, n: int) -> None:
        phone = self.phones[n % len(self.phones)]
        answer = await phone.call({"type": "ask", "text": TEXT.format(n=n)})
        self._answered("ask", "ok" if answer["type"] == "ack" else answer["code"])
        if answer["type"] == "ack" and n % APPROVE_EVERY == 0:
            await self._approve(http, answer["question"]["id"])

    async def _vote(self, _http: aiohttp.ClientSession, n: int) -> None:
        await self.some_approved.wait()
        question = self.random.choice(self.approved)
        phone = self.phones[n % len(self.phones)]
        vote = {"type": "vote", "question_id": question, "voter": self.voters[n]}
        answer = await phone.call(vote)
        self._answered("vote", "ok" if answer["type"] == "ack" else answer["code"])
        if answer["type"] == "ack" and answer["voted"]["counted"]:
            self.counted += 1

    async def _issue(self, http: aiohttp.ClientSession, count: int) -> list[str]:
        """``count`` voter ids from the server, ``CONNECTIONS`` requests at a time."""
        voters: list[str] = []

        async def fetch() -> None:
            while len(voters) < count:
                async with http.post("/api/questions/voter", params=self.query) as answer:
                    if answer.status != 201:
                        raise RuntimeError(f"no voter id: {answer.status} {await answer.text()}")
                    voters.append((await answer.json())["voter"])

        await asyncio.gather(*(fetch() for _ in range(CONNECTIONS)))
        return voters[:count]

    async def run(self) -> dict[str, Any]:
        storm = self.storm
        # (when, what): questions and votes each spread evenly over the storm's seconds
        plan = [(n * storm.seconds / storm.questions, self._ask, n) for n in range(storm.questions)]
        plan += [(n * storm.seconds / storm.votes, self._vote, n) for n in range(storm.votes)]
        plan.sort(key=lambda item: item[0])
        connections = [Phone().connect(storm.ws_url) for _ in range(storm.phones)]
        self.phones = list(await asyncio.gather(*connections))
        connector = aiohttp.TCPConnector(limit=CONNECTIONS)
        timeout = aiohttp.ClientTimeout(total=ANSWER_S)
        async with aiohttp.ClientSession(
            storm.http_url, connector=connector, timeout=timeout
        ) as http:
            self.voters = await self._issue(http, storm.votes)
            started_ns = time.time_ns()
            started = time.monotonic()
            calls = []
            for at, call, n in plan:
                delay = started + at - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                calls.append(asyncio.create_task(call(http, n)))
            sent_s = time.monotonic() - started
            await asyncio.gather(*calls)
        await asyncio.gather(*(phone.close() for phone in self.phones))
        refused = {
            f"{kind} {outcome}": n
            for kind, counts in self.answers.items()
            for outcome, n in sorted(counts.items())
            if outcome != "ok"
        }
        return {
            "started_ns": started_ns,
            "ended_ns": self.last_ns,
            "seconds": round((self.last_ns - started_ns) / 1e9, 2),
            "sent_in_s": round(sent_s, 2),
            "phones": len(self.phones),
            "questions": storm.questions,
            "questions_accepted": self.answers["ask"]["ok"],
            "approved": self.answers["approve"]["ok"],
            "votes": storm.votes,
            "votes_counted": self.counted,
            "refused": refused,
            "refused_total": sum(refused.values()),
        }

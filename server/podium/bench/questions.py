"""The question storm of ``podium bench --question-storm``: a process of its own that asks
questions, approves a share of them and votes on the approved ones over HTTP, at an even
pace over a few seconds, while the bench times timer changes on its own connections.

It runs in a separate process (``run_storm`` through a ``ProcessPoolExecutor``) so that
the storm's own work never delays the bench's moderator or viewers, at a lower priority
(``NICE``): its calls stand for thousands of phones, whose CPU is not the server's, and
at the same priority the generator (about half a core for 1,100 calls a second) took the
CPU the server needed to answer them. It speaks HTTP from
loopback, which the per-address limits exempt unless the server runs with
``--limit-loopback``; a WebSocket would be held to ``--limit-questions`` per connection.
Every refusal is counted: a storm that got 429s was no storm.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import aiohttp

APPROVE_EVERY = 10  # the assistant approves one question in ten; only those take votes
CONNECTIONS = 128  # HTTP connections the storm keeps open at once
NICE = 10  # the storm stands for thousands of phones elsewhere: the server gets the CPU first
TEXT = "Question {n} from the remote audience: how does this work at a larger scale?"


@dataclass(frozen=True)
class Storm:
    """What to send, and where: ``questions`` and ``votes`` over ``seconds``."""

    http_url: str
    room: str | None
    token: str  # the question assistant's (or a moderator's) token, for the approvals
    questions: int
    votes: int
    seconds: float


def warm_up() -> bool:
    """Nothing: starts the storm's process (and its imports) before anything is timed."""
    return True


def run_storm(storm: Storm) -> dict[str, Any]:
    """The whole storm, in its own process and event loop; the counts and times."""
    os.nice(NICE)
    cpu = time.process_time()
    counts = asyncio.run(_Storming(storm).run())
    return counts | {"storm_cpu_s": round(time.process_time() - cpu, 2)}


class _Storming:
    def __init__(self, storm: Storm) -> None:
        self.storm = storm
        self.query = {"room": storm.room} if storm.room else {}
        self.approved: list[str] = []
        self.some_approved = asyncio.Event()
        self.answers: dict[str, Counter[int]] = {k: Counter() for k in ("ask", "approve", "vote")}
        self.counted = 0
        self.last_ns = 0
        self.random = random.Random(15)

    async def _post(
        self, http: aiohttp.ClientSession, kind: str, path: str, body: dict[str, str], **kw: Any
    ) -> dict[str, Any] | None:
        try:
            async with http.post(path, json=body, params=self.query, **kw) as answer:
                status = answer.status
                data = await answer.json() if status in (200, 201) else None
        except (aiohttp.ClientError, TimeoutError):
            status, data = 0, None  # no answer: counted as refused ("0")
        self.answers[kind][status] += 1
        self.last_ns = time.time_ns()
        return data

    async def _ask(self, http: aiohttp.ClientSession, n: int) -> None:
        asked = await self._post(http, "ask", "/api/questions", {"text": TEXT.format(n=n)})
        if asked is None or n % APPROVE_EVERY:
            return
        auth = {"Authorization": f"Bearer {self.storm.token}"}
        path = f"/api/questions/{asked['id']}"
        if await self._post(http, "approve", path, {"action": "approve"}, headers=auth):
            self.approved.append(asked["id"])
            self.some_approved.set()

    async def _vote(self, http: aiohttp.ClientSession, n: int) -> None:
        await self.some_approved.wait()
        question = self.random.choice(self.approved)
        voted = await self._post(
            http, "vote", f"/api/questions/{question}/vote", {"voter": f"v{n}"}
        )
        if voted is not None and voted["counted"]:
            self.counted += 1

    async def run(self) -> dict[str, Any]:
        storm = self.storm
        # (when, what): questions and votes each spread evenly over the storm's seconds
        plan = [(n * storm.seconds / storm.questions, self._ask, n) for n in range(storm.questions)]
        plan += [(n * storm.seconds / storm.votes, self._vote, n) for n in range(storm.votes)]
        plan.sort(key=lambda item: item[0])
        connector = aiohttp.TCPConnector(limit=CONNECTIONS)
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(
            storm.http_url, connector=connector, timeout=timeout
        ) as http:
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
        asked, approve = self.answers["ask"], self.answers["approve"]
        refused = {
            f"{kind} {status}": n
            for kind, counts in self.answers.items()
            for status, n in sorted(counts.items())
            if status not in (200, 201)
        }
        return {
            "started_ns": started_ns,
            "ended_ns": self.last_ns,
            "seconds": round((self.last_ns - started_ns) / 1e9, 2),
            "sent_in_s": round(sent_s, 2),
            "questions": storm.questions,
            "questions_accepted": asked[201],
            "approved": approve[200],
            "votes": storm.votes,
            "votes_counted": self.counted,
            "refused": refused,
            "refused_total": sum(refused.values()),
        }

"""Not a test: the figure for docs/protocol.md ("Questions"). How many questions and votes
a second one server makes durable, with each store, when many clients ask and vote at
once over HTTP (each call answered only once fsynced, or once Redis has it; the file store
shares one fsync among the calls that arrive together). Redis needs redis-server on PATH.

    .venv/bin/python -m tests.measure_questions [QUESTIONS] [VOTES]
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from tests.helpers import Server
from tests.redis_server import RedisServer
from tests.server.test_questions_durable import ASSISTANT, started

CLIENTS = 32


async def rate(server: Server, questions: int, votes: int) -> tuple[float, float]:
    """Questions a second, then votes a second, from ``CLIENTS`` clients at once."""
    async with aiohttp.ClientSession(server.url) as http:

        async def calls(paths: list[tuple[str, dict[str, str]]]) -> float:
            queue = list(reversed(paths))
            started_at = time.perf_counter()

            async def client() -> None:
                while queue:
                    path, body = queue.pop()
                    async with http.post(path, json=body) as answer:
                        assert answer.status in (200, 201), await answer.text()

            await asyncio.gather(*(client() for _ in range(CLIENTS)))
            return len(paths) / (time.perf_counter() - started_at)

        asked = await calls([("/api/questions", {"text": f"q{n}"}) for n in range(questions)])
        headers = {"Authorization": f"Bearer {ASSISTANT}"}
        async with http.get("/api/questions", headers=headers) as answer:
            ids = [q["id"] for q in (await answer.json())["questions"]][:20]
        for qid in ids:
            async with http.post(f"/api/questions/{qid}", json={"action": "approve"},
                                 headers=headers):  # fmt: skip
                pass
        voters = []
        for _ in range(votes):  # issued before the clock starts: a page gets its id once
            async with http.post("/api/questions/voter") as answer:
                voters.append((await answer.json())["voter"])
        voted = await calls(
            [
                (f"/api/questions/{ids[n % len(ids)]}/vote", {"voter": voters[n]})
                for n in range(votes)
            ]
        )
        return asked, voted


def main() -> None:
    questions = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    votes = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    work = Path(tempfile.mkdtemp(prefix="podium-measure-"))
    redis = RedisServer(work / "redis", binary=shutil.which("redis-server"), appendonly=True)
    try:
        for store in ("files", "redis (appendfsync always)"):
            redis_server = redis.start() if store.startswith("redis") else None
            server = started(work / store.split()[0], redis_server)
            try:
                asked, voted = asyncio.run(rate(server, questions, votes))
            finally:
                server.kill()
            print(f"{store:28} {asked:7.0f} questions/s  {voted:7.0f} votes/s"
                  f"  ({questions} questions, {votes} votes, {CLIENTS} clients)")  # fmt: skip
    finally:
        redis.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

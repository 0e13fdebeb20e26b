"""The Redis store's questions, per room under ``PREFIX:{ROOM}:`` (the room's hash tag):

- ``questions``           a hash: question id -> the question as JSON (votes included);
- ``voters``              a set: ``QUESTION_ID VOTER`` for every vote counted;
- ``questions:changes``   a pub/sub channel: each changed question's JSON.

Each change is one Lua script (atomic, and published in the same step), so two processes
never both count one voter or both move one question from the same status. With Redis's
append-only file (``appendfsync always``, see docs/deploy.md) an acknowledged question
or vote survives a Redis restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from pydantic import ValidationError
from redis.exceptions import RedisError

from podium.core.errors import InvalidTransition
from podium.core.questions import Question, Status, no_such_question, not_votable

log = logging.getLogger("podium.store")

RESUBSCRIBE_S = 1.0
IDLE_PING_S = 5.0

# KEYS: questions hash, changes channel. ARGV: id, question JSON. Returns 1, or 0 when
# the id is taken (never, with 96 random bits).
ADD = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('PUBLISH', KEYS[2], ARGV[2])
return 1
"""

# KEYS: questions hash, changes channel. ARGV: id, was, status, at.
# Returns {1, json} (moved), {0, json} (no longer ``was``) or {-1, ''} (no such question).
STATUS = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {-1, ''} end
local q = cjson.decode(raw)
if q['status'] ~= ARGV[2] then return {0, raw} end
q['status'] = ARGV[3]
q['changed_at'] = tonumber(ARGV[4])
local out = cjson.encode(q)
redis.call('HSET', KEYS[1], ARGV[1], out)
redis.call('PUBLISH', KEYS[2], out)
return {1, out}
"""

# KEYS: questions hash, voters set, changes channel. ARGV: id, voter.
# Returns {1, json} (counted), {2, json} (voted before), {0, json} (not approved) or
# {-1, ''} (no such question).
VOTE = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {-1, ''} end
local q = cjson.decode(raw)
if q['status'] ~= 'approved' then return {0, raw} end
if redis.call('SADD', KEYS[2], ARGV[1] .. ' ' .. ARGV[2]) == 0 then return {2, raw} end
q['votes'] = q['votes'] + 1
local out = cjson.encode(q)
redis.call('HSET', KEYS[1], ARGV[1], out)
redis.call('PUBLISH', KEYS[3], out)
return {1, out}
"""


def _question(raw: str) -> Question | None:
    try:
        return Question.model_validate_json(raw)
    except ValidationError:
        log.error("a stored question that is not one; skipped it: %.80s", raw)
        return None


class RedisQuestions:
    """The question operations of ``RedisStore``, on its clients."""

    def __init__(self, client: Any, pubsub_client: Any, key: Callable[[str, str], str]) -> None:
        self._client = client
        self._pubsub_client = pubsub_client
        self._key = key
        self._add = client.register_script(ADD)
        self._status = client.register_script(STATUS)
        self._vote = client.register_script(VOTE)

    async def load(self, room: str) -> list[Question]:
        stored = await self._client.hgetall(self._key(room, "questions"))
        found = [q for raw in stored.values() if (q := _question(raw)) is not None]
        return sorted(found, key=lambda q: q.asked_at)

    async def add(self, room: str, question: Question) -> None:
        keys = [self._key(room, "questions"), self._key(room, "questions:changes")]
        await self._add(keys=keys, args=[question.id, question.model_dump_json()])

    async def set_status(
        self, room: str, question_id: str, was: Status, status: Status, at: int
    ) -> Question:
        keys = [self._key(room, "questions"), self._key(room, "questions:changes")]
        outcome, raw = await self._status(keys=keys, args=[question_id, was, status, at])
        question = _question(raw) if raw else None
        if outcome == -1 or question is None:
            raise no_such_question(question_id)
        if outcome == 0:
            raise InvalidTransition(
                f"the question is {question.status} now, not {was}: someone acted first; look again"
            )
        return question

    async def vote(self, room: str, question_id: str, voter: str) -> Question | None:
        keys = [
            self._key(room, "questions"),
            self._key(room, "voters"),
            self._key(room, "questions:changes"),
        ]
        outcome, raw = await self._vote(keys=keys, args=[question_id, voter])
        question = _question(raw) if raw else None
        if outcome == -1 or question is None:
            raise no_such_question(question_id)
        if outcome == 0:
            raise not_votable(question)
        return question if outcome == 1 else None

    async def changes(self, room: str) -> AsyncIterator[list[Question]]:
        """Each changed question as one list; after every (re)subscribe, all of them (what
        was published meanwhile is lost to pub/sub)."""
        channel = self._key(room, "questions:changes")
        async for data in followed(self._pubsub_client, channel, RESUBSCRIBE_S):
            if data is None:
                try:
                    yield await self.load(room)
                except RedisError as exc:  # the next resubscribe catches up
                    log.debug("%s: could not read the questions (%s)", room, exc)
            elif (question := _question(data)) is not None:
                yield [question]


async def followed(pubsub_client: Any, channel: str, pause_s: float) -> AsyncIterator[str | None]:
    """The messages on ``channel`` as they come, and ``None`` after every (re)subscribe,
    where a follower catches up (pub/sub drops what is sent while it is away). When Redis
    goes away it subscribes again after ``pause_s``, for ever."""
    task = asyncio.current_task()
    while True:
        pubsub = pubsub_client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(channel)
            yield None
            while True:
                message = await pubsub.get_message(timeout=IDLE_PING_S)
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError  # redis-py may swallow a cancel
                if message is None:
                    await pubsub.ping()  # a dead connection shows itself here
                elif message["type"] == "message":
                    yield message["data"]
        except (RedisError, OSError) as exc:  # followed again once Redis answers
            log.debug("lost %s (%s); retrying", channel, exc)
            await asyncio.sleep(pause_s)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()

"""The Redis store's questions, per room under ``PREFIX:{ROOM}:`` (the room's hash tag):

- ``questions``           a hash: question id -> the question as JSON (votes included);
- ``voters``              a set: ``QUESTION_ID VOTER`` for every vote counted;
- ``questions:changes``   a pub/sub channel: each changed question's JSON;
- ``question-commands``   a hash: the ``command_id`` of an ask, a vote or a move -> what
  it did (``Done`` JSON), and ``question-commands:order`` (a list: those ids, oldest first,
  the last ``KEPT``), so a retry is answered with the first one's result.

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
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from podium.core.errors import InvalidTransition
from podium.core.questions import (
    Done,
    Question,
    Status,
    no_such_question,
    not_votable,
    own_question,
    repeated,
)

log = logging.getLogger("podium.store")

RESUBSCRIBE_S = 1.0
IDLE_PING_S = 5.0
KEPT = 10_000  # command ids of asks, votes and moves remembered per room, as for commands

# Every write may carry a command id (ARGV, '' for none): the first one's outcome is kept
# in ``question-commands`` (a hash: command id -> Done JSON), the ids in order in
# ``question-commands:order`` (a list, the last KEPT), and a repeat answered with it.
DONE = """
local function done_before(done_key, cid)
  if cid == '' then return false end
  return redis.call('HGET', done_key, cid)
end
local function remember(done_key, order_key, cid, done, kept)
  if cid == '' then return end
  redis.call('HSET', done_key, cid, done)
  redis.call('RPUSH', order_key, cid)
  if redis.call('LLEN', order_key) > kept then
    redis.call('HDEL', done_key, redis.call('LPOP', order_key))
  end
end
local function again(questions_key, done)
  return {9, done, redis.call('HGET', questions_key, cjson.decode(done)['id']) or ''}
end
"""

# KEYS: questions hash, changes channel, done hash, done list.
# ARGV: id, question JSON, command id, kept, done JSON.
# Returns {1, '', json} (stored), {0, '', ''} when the id is taken (never, with 96 random
# bits) or {9, done, json} (a repeat: the first one's question).
ADD = (
    DONE
    + """
local d = done_before(KEYS[3], ARGV[3])
if d then return again(KEYS[1], d) end
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return {0, '', ''} end
redis.call('PUBLISH', KEYS[2], ARGV[2])
remember(KEYS[3], KEYS[4], ARGV[3], ARGV[5], tonumber(ARGV[4]))
return {1, '', ARGV[2]}
"""
)

# KEYS: questions hash, changes channel, done hash, done list.
# ARGV: id, was, status, at, command id, kept.
# Returns {1, '', json} (moved), {0, '', json} (no longer ``was``), {-1, '', ''} (no such
# question) or {9, done, json} (a repeat: the question as it is now).
STATUS = (
    DONE
    + """
local d = done_before(KEYS[3], ARGV[5])
if d then return again(KEYS[1], d) end
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {-1, '', ''} end
local q = cjson.decode(raw)
if q['status'] ~= ARGV[2] then return {0, '', raw} end
q['status'] = ARGV[3]
q['changed_at'] = tonumber(ARGV[4])
local out = cjson.encode(q)
redis.call('HSET', KEYS[1], ARGV[1], out)
redis.call('PUBLISH', KEYS[2], out)
remember(KEYS[3], KEYS[4], ARGV[5], cjson.encode({k='status', id=ARGV[1]}), tonumber(ARGV[6]))
return {1, '', out}
"""
)

# KEYS: questions hash, voters set, changes channel, done hash, done list.
# ARGV: id, voter, command id, kept.
# Returns {1, '', json} (counted), {2, '', json} (voted before), {0, '', json} (not
# approved), {3, '', json} (the voter's own question), {-1, '', ''} (no such question) or
# {9, done, json} (a repeat: the first one's answer, the question as it is now).
VOTE = (
    DONE
    + """
local d = done_before(KEYS[4], ARGV[3])
if d then return again(KEYS[1], d) end
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {-1, '', ''} end
local q = cjson.decode(raw)
if q['status'] ~= 'approved' then return {0, '', raw} end
if type(q['asker']) == 'string' and q['asker'] ~= '' and q['asker'] == ARGV[2] then
  return {3, '', raw}
end
local kept = tonumber(ARGV[4])
if redis.call('SADD', KEYS[2], ARGV[1] .. ' ' .. ARGV[2]) == 0 then
  remember(KEYS[4], KEYS[5], ARGV[3], cjson.encode({k='vote', id=ARGV[1], c=false}), kept)
  return {2, '', raw}
end
q['votes'] = q['votes'] + 1
local out = cjson.encode(q)
redis.call('HSET', KEYS[1], ARGV[1], out)
redis.call('PUBLISH', KEYS[3], out)
remember(KEYS[4], KEYS[5], ARGV[3], cjson.encode({k='vote', id=ARGV[1], c=true}), kept)
return {1, '', out}
"""
)


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

    def _done_keys(self, room: str) -> list[str]:
        return [self._key(room, "question-commands"), self._key(room, "question-commands:order")]

    async def done(self, room: str, command_id: str) -> Done | None:
        raw = await self._client.hget(self._key(room, "question-commands"), command_id)
        return None if raw is None else Done.model_validate_json(raw)

    async def get(self, room: str, question_id: str) -> Question | None:
        raw = await self._client.hget(self._key(room, "questions"), question_id)
        return None if raw is None else _question(raw)

    async def add(self, room: str, question: Question, command_id: str | None = None) -> Question:
        keys = [self._key(room, "questions"), self._key(room, "questions:changes")]
        done = Done(k="ask", id=question.id).model_dump_json(exclude_none=True)
        args = [question.id, question.model_dump_json(), command_id or "", KEPT, done]
        outcome, was, raw = await self._add(keys=keys + self._done_keys(room), args=args)
        if outcome == 9:
            repeated(Done.model_validate_json(was), "ask", None)
        found = _question(raw) if raw else None
        return question if found is None else found

    async def set_status(
        self,
        room: str,
        question_id: str,
        was: Status,
        status: Status,
        at: int,
        command_id: str | None = None,
    ) -> Question:
        keys = [self._key(room, "questions"), self._key(room, "questions:changes")]
        args = [question_id, was, status, at, command_id or "", KEPT]
        outcome, done, raw = await self._status(keys=keys + self._done_keys(room), args=args)
        if outcome == 9:
            repeated(Done.model_validate_json(done), "status", question_id)
        question = _question(raw) if raw else None
        if outcome == -1 or question is None:
            raise no_such_question(question_id)
        if outcome == 0:
            raise InvalidTransition(
                f"the question is {question.status} now, not {was}: someone acted first; look again"
            )
        return question

    async def vote(
        self, room: str, question_id: str, voter: str, command_id: str | None = None
    ) -> Question | None:
        keys = [
            self._key(room, "questions"),
            self._key(room, "voters"),
            self._key(room, "questions:changes"),
            *self._done_keys(room),
        ]
        args = [question_id, voter, command_id or "", KEPT]
        outcome, done, raw = await self._vote(keys=keys, args=args)
        counted = outcome == 1
        if outcome == 9:
            counted = bool(repeated(Done.model_validate_json(done), "vote", question_id).c)
        question = _question(raw) if raw else None
        if outcome == -1 or question is None:
            raise no_such_question(question_id)
        if outcome == 0:
            raise not_votable(question)
        if outcome == 3:
            raise own_question()
        return question if counted else None

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


def not_sent(exc: RedisError) -> bool:
    """Whether a failed call never reached Redis: redis-py could not connect."""
    return isinstance(exc, RedisConnectionError | RedisTimeoutError) and "connecting" in str(exc)


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

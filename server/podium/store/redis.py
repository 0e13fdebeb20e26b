"""The shared store: Redis, for several server processes serving one event.

Per room, three names, all under ``PREFIX:{ROOM}:`` (the braces are a Redis Cluster hash
tag, so a room's keys live together and its scripts may touch them all):

- ``PREFIX:{ROOM}:state``  a hash: ``version``, ``state`` (the State as JSON) and ``commit``
  (the id of the commit that wrote it);
- ``PREFIX:{ROOM}:log``    a stream: one entry per applied action, field ``record``
  (the same LogRecord JSON the file store writes a line of), capped at ``log_max``;
- ``PREFIX:{ROOM}:changes`` a pub/sub channel: the State JSON of every change;
- ``PREFIX:{ROOM}:told:TOPIC`` a pub/sub channel: passing notices between processes
  (``tell``; e.g. the speakers' readiness), never stored;
- ``PREFIX:{ROOM}:commands`` a sorted set: the ``command_id`` of each command that had one,
  scored by the version it made (the latest ``COMMAND_IDS_KEPT``);
- ``PREFIX:{ROOM}:outbox`` (a hash: key -> batch), ``:outbox:leases`` (a sorted set: key
  -> lease end, by Redis' clock), ``:outbox:owners``, ``:outbox:parts`` (hashes) and
  ``:outbox:sent`` (a sorted set: key -> when done, a day): the automations' batches of
  deliveries, each leased to the one process that sends it
  (``live/rooms/outbound/automations.py``);
- ``PREFIX:{ROOM}:questions``, ``:voters``, ``:questions:changes``: the audience's
  questions (``redis_questions.py``);
- ``PREFIX:{ROOM}:captions``: a list, the room's caption lines as JSON, oldest first.

A commit is one Lua script (``redis_scripts.py``), so it is atomic: compare the stored
version with N - 1, write the state, append the record, publish the notice. Two processes
that apply a command at the same version cannot both win; the loser gets ``Conflict``.
Each commit carries a random id, and the script accepts its own commit again (a retry
after a lost reply), so a retry never applies twice. A command whose client-given
``command_id`` is in the ``commands`` set is not applied again: the script answers with
the version it made.

While Redis cannot be reached, writes raise ``Unavailable`` and ``health`` says
``degraded``. The store is cut by concern: ``redis_base`` (the connections, the names, a
failure, the room's state written back when Redis lost it), ``redis_outbox`` (the
automations' leases), ``redis_follow`` (``changes`` and ``told``: following other processes,
catching up after every resubscribe), ``redis_questions``; this module joins them with the
log, the commit, the questions' calls and the captions' list.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from pydantic import ValidationError
from redis.exceptions import RedisError

from podium.core.captions import Caption
from podium.core.errors import AlreadyApplied, Conflict, OutcomeUnknown
from podium.core.questions import Done, Question, Status
from podium.core.state import State
from podium.store import redis_scripts as scripts
from podium.store.base import COMMAND_IDS_KEPT, LogRecord, Stored, command_id_of
from podium.store.redis_base import LOG_MAX
from podium.store.redis_follow import RedisFollowing
from podium.store.redis_outbox import RedisOutbox
from podium.store.redis_questions import RedisQuestions, not_sent

log = logging.getLogger("podium.store")

LOG_TAIL = 64  # log entries ``load`` reads back to find records newer than the state


class RedisStore(RedisOutbox, RedisFollowing):
    def __init__(self, url: str, prefix: str = "podium", log_max: int = LOG_MAX) -> None:
        super().__init__(url, prefix, log_max)
        self._commit = self._client.register_script(scripts.COMMIT)
        self._create = self._client.register_script(scripts.CREATE)
        self._questions = RedisQuestions(self._client, self._pubsub_client, self.key)

    # -- reading --------------------------------------------------------------------------

    @staticmethod
    def _record(entry_id: str, fields: dict[str, str]) -> LogRecord | str:
        try:
            return LogRecord.model_validate_json(fields.get("record", ""))
        except ValidationError:
            return f"log entry {entry_id} is not a log record; skipped it"

    async def load(self, room: str) -> Stored:
        state, problems = await self._read_state(room)
        base = state.version if state else -1
        pending: list[LogRecord] = []
        # entries newer than the state, newest first: stop at the first one it covers
        with self._reach():
            entries = await self._client.xrevrange(self.key(room, "log"), count=LOG_TAIL)
        for entry_id, fields in entries:
            record = self._record(entry_id, fields)
            if isinstance(record, str):
                problems.append(record)
            elif record.version <= base:
                break
            else:
                pending.append(record)
        else:
            if len(entries) == LOG_TAIL and state is None:  # a long log and no state: read it all
                pending = [r for r in await self.read_log(room) if r.version > base]
        pending.reverse()
        if state is not None:
            self._remember(state)
        return Stored(state=state, pending=pending, problems=problems)

    async def read_log(self, room: str) -> list[LogRecord]:
        with self._reach():
            entries = await self._client.xrange(self.key(room, "log"))
        records = [self._record(i, f) for i, f in entries]
        for problem in records:
            if isinstance(problem, str):
                log.error("%s: %s", self.key(room, "log"), problem)
        return [r for r in records if isinstance(r, LogRecord)]

    # -- writing --------------------------------------------------------------------------

    async def create(self, state: State, record: LogRecord) -> State:
        with self._reach():
            raw = await self._create(
                keys=self._keys(state.room),
                args=[
                    state.model_dump_json(),
                    record.model_dump_json(exclude_none=True),
                    self.log_max,
                ],
            )
        stored = state if raw == state.model_dump_json() else State.model_validate_json(raw)
        self._remember(stored)
        return stored

    async def _compare_and_set(self, state: State, record: LogRecord) -> tuple[int, int]:
        command_id = command_id_of(record)
        with self._reach():
            won, current = await self._commit(
                keys=[*self._keys(state.room), self.key(state.room, "commands")],
                args=[
                    state.version - 1,
                    state.version,
                    state.model_dump_json(),
                    record.model_dump_json(exclude_none=True),
                    self.log_max,
                    secrets.token_hex(8),
                    command_id or "",
                    COMMAND_IDS_KEPT,
                ],
            )
        if won == 2 and command_id:
            raise AlreadyApplied(command_id, current)
        return won, current

    async def made_by(self, room: str, command_id: str) -> int | None:
        with self._reach():
            made = await self._client.zscore(self.key(room, "commands"), command_id)
        return None if made is None else int(made)

    async def commit(
        self, state: State, record: LogRecord, meanwhile: Callable[[], None] | None = None
    ) -> None:
        if meanwhile is not None:  # first: the client sends the script and waits in one call
            meanwhile()
        won, current = await self._compare_and_set(state, record)
        known = self._latest.get(state.room)
        base = state.version - 1
        if not won and current < base and known is not None and known.version == base:
            # Redis lost the state this one builds on (restarted empty): put it back first
            await self._write_back(known, gap_note=True)
            won, current = await self._compare_and_set(state, record)
        if not won:
            raise Conflict(f"the room is at version {current}, not {state.version - 1}", current)
        self._remember(state)

    async def repair(self, state: State) -> None:
        await self._write_back(state, gap_note=False)

    # -- questions (``redis_questions.py``) -------------------------------------------------

    async def load_questions(self, room: str) -> list[Question]:
        with self._reach():
            return await self._questions.load(room)

    async def add_question(
        self, room: str, question: Question, command_id: str | None = None
    ) -> Question:
        with self._reach_write():
            return await self._questions.add(room, question, command_id)

    async def set_question_status(
        self,
        room: str,
        question_id: str,
        was: Status,
        status: Status,
        at: int,
        command_id: str | None = None,
    ) -> Question:
        with self._reach_write():
            return await self._questions.set_status(room, question_id, was, status, at, command_id)

    async def vote(
        self, room: str, question_id: str, voter: str, command_id: str | None = None
    ) -> Question | None:
        with self._reach_write():
            return await self._questions.vote(room, question_id, voter, command_id)

    async def get_question(self, room: str, question_id: str) -> Question | None:
        with self._reach():
            return await self._questions.get(room, question_id)

    async def question_done(self, room: str, command_id: str) -> Done | None:
        with self._reach():
            return await self._questions.done(room, command_id)

    async def add_caption(self, room: str, caption: Caption) -> None:
        with self._reach_write():
            await self._client.rpush(self.key(room, "captions"), caption.model_dump_json())

    async def load_captions(self, room: str) -> list[Caption]:
        with self._reach():
            kept = await self._client.lrange(self.key(room, "captions"), 0, -1)
        found = []
        for raw in kept:
            try:
                found.append(Caption.model_validate_json(raw))
            except ValidationError:
                log.error("%s: a stored caption that is not one; skipped it: %.80s", room, raw)
        return found

    @contextlib.contextmanager
    def _reach_write(self) -> Iterator[None]:
        """``_reach`` for a question's write: a failure before it was sent (no connection)
        is ``Unavailable``, one after (a reset, a timeout) ``OutcomeUnknown``."""
        try:
            yield
        except RedisError as exc:
            if not_sent(exc):
                with self._reach():
                    raise
            self._failing = self._unreachable(exc)
            raise OutcomeUnknown(
                f"{self._failing} after the change was sent: it may have been made. Send it"
                " again with the same command_id: it is made at most once"
            ) from None
        self._failing = None

    def question_changes(self, room: str) -> AsyncIterator[list[Question]]:
        return self._questions.changes(room)

    def health(self) -> dict[str, Any]:
        healthy = {"store": self.name, "status": "ok", "redis": self.where, "prefix": self.prefix}
        return self.reported(healthy, self._failing)

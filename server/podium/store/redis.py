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
  deliveries, each leased to the one process that sends it (``live/rooms/automations.py``);
- ``PREFIX:{ROOM}:questions``, ``:voters``, ``:questions:changes``: the audience's
  questions (``redis_questions.py``).
- ``PREFIX:{ROOM}:captions``: a list, the room's caption lines as JSON, oldest first.

A commit is one Lua script (``redis_scripts.py``), so it is atomic: compare the stored
version with N - 1, write the state, append the record, publish the notice. Two processes
that apply a command at the same version cannot both win; the loser gets ``Conflict``.
Each commit carries a random id, and the script accepts its own commit again (a retry
after a lost reply), so a retry never applies twice. A command whose client-given
``command_id`` is in the ``commands`` set is not applied again: the script answers with
the version it made.

Each room followed by ``changes`` has its own pub/sub connection. After every (re)subscribe
it re-reads the stored state: a newer one is handed to the room (pub/sub dropped what was
sent meanwhile); an absent or older one means Redis lost data (restarted without
persistence), and the newest state this process holds is written back, with a log record
that notes the gap. While Redis cannot be reached, writes raise ``Unavailable`` and
``health`` says ``degraded``; the follower retries until Redis answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as aioredis
from pydantic import ValidationError
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import RedisError

from podium.core.captions import Caption
from podium.core.errors import (
    AlreadyApplied,
    Conflict,
    InvalidInput,
    OutcomeUnknown,
    Unavailable,
)
from podium.core.questions import Done, Question, Status
from podium.core.state import State
from podium.store import redis_scripts as scripts
from podium.store.base import (
    COMMAND_IDS_KEPT,
    OUTBOX_KEPT_MS,
    Leased,
    LogRecord,
    Store,
    Stored,
    command_id_of,
)
from podium.store.redis_questions import RedisQuestions, followed, not_sent

log = logging.getLogger("podium.store")

LOG_MAX = 100_000  # records kept per room (approximate trim); a full day is a few hundred
CONNECT_TIMEOUT_S = 2.0
COMMAND_TIMEOUT_S = 5.0
RESUBSCRIBE_MAX_DELAY_S = 1.0
IDLE_PING_S = 5.0
PING_TIMEOUT_S = 1.0  # the health check's own bound (``live/rooms/health.py``)
LOG_TAIL = 64  # log entries ``load`` reads back to find records newer than the state


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + netloc))


class RedisStore(Store):
    name = "redis"

    def __init__(self, url: str, prefix: str = "podium", log_max: int = LOG_MAX) -> None:
        if not prefix or any(c in prefix for c in "{} \n"):
            raise InvalidInput(
                f"the redis prefix {prefix!r} is not usable; use letters, digits, '-' or ':'"
            )
        self.url = url
        self.where = redacted(url)
        self.prefix = prefix
        self.log_max = log_max
        try:
            options: dict[str, Any] = {
                "socket_connect_timeout": CONNECT_TIMEOUT_S,
                "socket_timeout": COMMAND_TIMEOUT_S,
                "decode_responses": True,
            }
            # commands: two quick retries (safe: every script is idempotent)
            self._client = aioredis.from_url(
                url, retry=Retry(ExponentialBackoff(cap=0.1, base=0.02), 2), **options
            )
            # pub/sub: never reconnect silently, so every reconnect is seen and re-read
            self._pubsub_client = aioredis.from_url(url, retry=Retry(NoBackoff(), 0), **options)
        except ValueError as exc:
            raise InvalidInput(
                f"{self.where} is not a redis URL ({exc}); write redis://HOST:PORT/DB"
            ) from None
        self._commit = self._client.register_script(scripts.COMMIT)
        self._create = self._client.register_script(scripts.CREATE)
        self._repair = self._client.register_script(scripts.REPAIR)
        self._outbox_claim = self._client.register_script(scripts.OUTBOX_CLAIM)
        self._outbox_renew = self._client.register_script(scripts.OUTBOX_RENEW)
        self._outbox_part = self._client.register_script(scripts.OUTBOX_PART)
        self._outbox_done = self._client.register_script(scripts.OUTBOX_DONE)
        self._outbox_lapsed = self._client.register_script(scripts.OUTBOX_LAPSED)
        self.owner = secrets.token_hex(8)  # this process, as the holder of its leases
        # the health check's own connection: no retries, bounded like the check
        self._ping_client = aioredis.from_url(
            url,
            socket_connect_timeout=PING_TIMEOUT_S,
            socket_timeout=PING_TIMEOUT_S,
            retry=Retry(NoBackoff(), 0),
        )
        self._questions = RedisQuestions(self._client, self._pubsub_client, self.key)
        self._latest: dict[str, State] = {}  # the newest state this process has seen
        self._failing: str | None = None  # the last command's failure, until one succeeds
        self._cut_off: dict[str, str] = {}  # rooms whose follower has lost its connection

    # -- names ----------------------------------------------------------------------------

    def key(self, room: str, kind: str) -> str:
        return f"{self.prefix}:{{{room}}}:{kind}"

    def _keys(self, room: str) -> list[str]:
        return [self.key(room, "state"), self.key(room, "log"), self.key(room, "changes")]

    # -- reaching Redis -------------------------------------------------------------------

    def _unreachable(self, exc: BaseException) -> str:
        detail = str(exc).strip().rstrip(".") or exc.__class__.__name__
        return f"redis at {self.where} cannot be used: {detail}"

    @contextlib.contextmanager
    def _reach(self) -> Iterator[None]:
        """Run Redis commands; their failure becomes ``Unavailable`` and shows in health."""
        try:
            yield
        except RedisError as exc:
            self._failing = self._unreachable(exc)
            raise Unavailable(
                f"{self._failing}; the change was not made and the screens keep showing the"
                " last state. Start Redis again (podium reconnects by itself), then retry"
            ) from None
        self._failing = None

    def _remember(self, state: State) -> None:
        known = self._latest.get(state.room)
        if known is None or state.version > known.version:
            self._latest[state.room] = state

    async def open(self) -> None:
        try:
            persistence = await self._client.info("persistence")
        except RedisError as exc:
            raise Unavailable(
                f"{self._unreachable(exc)}; start Redis or fix --redis / PODIUM_REDIS_URL,"
                " then start podium again"
            ) from None
        if not persistence.get("aof_enabled"):
            log.warning(
                "redis at %s keeps no append-only file: if it restarts it may come back"
                " without the event (a running podium writes its state back, but not the"
                " log in between); set 'appendonly yes' (see docs/deploy.md)",
                self.where,
            )

    async def close(self) -> None:
        await self._client.aclose()
        await self._pubsub_client.aclose()
        await self._ping_client.aclose()

    # -- reading --------------------------------------------------------------------------

    async def _read_state(self, room: str) -> tuple[State | None, list[str]]:
        with self._reach():
            raw = await self._client.hget(self.key(room, "state"), "state")
        if raw is None:
            return None, []
        try:
            return State.model_validate_json(raw), []
        except ValidationError as exc:
            key = self.key(room, "state")
            aside = f"{key}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}"
            with self._reach():
                await self._client.rename(key, aside)
            message = f"{key}: not a valid state ({exc.__class__.__name__}); renamed it {aside}"
            log.error(message)
            return None, [message]

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

    # -- automations: the outbox (``redis_scripts.OUTBOX_*``) ----------------------------------

    def _outbox(self, room: str, *kinds: str) -> list[str]:
        return [self.key(room, "outbox" if kind == "" else f"outbox:{kind}") for kind in kinds]

    async def claim(self, room: str, key: str, entry: str, lease_ms: int) -> bool:
        with self._reach():
            won = await self._outbox_claim(
                keys=self._outbox(room, "", "leases", "owners", "parts", "sent"),
                args=[key, entry, self.owner, lease_ms, OUTBOX_KEPT_MS],
            )
        return bool(won)

    async def renew(self, room: str, keys: list[str], lease_ms: int) -> set[str]:
        with self._reach():
            held = await self._outbox_renew(
                keys=self._outbox(room, "leases", "owners"), args=[self.owner, lease_ms, *keys]
            )
        return set(held)

    async def done_part(self, room: str, key: str, part: str) -> None:
        with self._reach():
            await self._outbox_part(keys=self._outbox(room, "", "parts"), args=[key, part])

    async def done(self, room: str, key: str) -> None:
        with self._reach():
            await self._outbox_done(
                keys=self._outbox(room, "", "leases", "owners", "parts", "sent"), args=[key]
            )

    async def lapsed(self, room: str, lease_ms: int, limit: int) -> list[Leased]:
        with self._reach():
            flat = await self._outbox_lapsed(
                keys=self._outbox(room, "", "leases", "owners", "parts"),
                args=[self.owner, lease_ms, limit],
            )
        return [
            Leased(key, entry, frozenset(filter(None, parts.split("\n"))))
            for key, entry, parts in zip(flat[::3], flat[1::3], flat[2::3], strict=True)
        ]

    async def ping(self) -> None:
        """PING on a connection of its own (bounded, no retries): an answer clears the
        last command's failure, as any answer from Redis does."""
        try:
            await self._ping_client.ping()
        except RedisError as exc:
            raise Unavailable(self._unreachable(exc)) from None
        self._failing = None

    async def commit(self, state: State, record: LogRecord) -> None:
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

    async def _write_back(self, state: State, gap_note: bool) -> None:
        """Store ``state`` unless Redis holds it or a newer one; with ``gap_note``, append
        a log record saying the actions before it were lost with Redis' data."""
        note = ""
        if gap_note:
            note = LogRecord(
                version=state.version,
                at=_now_ms(),
                actor="podium",
                command={},
                summary=f"redis had lost this room; a server wrote back version {state.version}"
                " (the log records before this one may be missing)",
                state=state,
            ).model_dump_json(exclude_none=True)
        with self._reach():
            replaced = await self._repair(
                keys=self._keys(state.room),
                args=[state.version, state.model_dump_json(), self.log_max, note],
            )
        self._remember(state)
        if replaced is not None and gap_note:
            had = "nothing" if replaced == -1 else f"version {replaced}"
            log.warning(
                "%s: redis held %s; wrote back version %d from this process (the action log"
                " has a gap before it)",
                state.room,
                had,
                state.version,
            )

    # -- following other processes --------------------------------------------------------

    async def _catch_up(self, room: str) -> State | None:
        """After (re)subscribing: the stored state if it is newer than ours; writes ours
        back if Redis lost it (absent, or older than what we already showed)."""
        stored, _ = await self._read_state(room)
        known = self._latest.get(room)
        if known is not None and (stored is None or stored.version < known.version):
            await self._write_back(known, gap_note=True)
            return None
        if stored is not None and (known is None or stored.version > known.version):
            self._remember(stored)
            return stored
        return None

    @staticmethod
    def _notice(channel: str, data: str) -> State | None:
        try:
            return State.model_validate_json(data)
        except ValidationError:
            log.error("%s: a change notice that is not a state; ignored it", channel)
            return None

    async def changes(self, room: str) -> AsyncIterator[State]:
        channel = self.key(room, "changes")
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        delay = 0.05
        while True:
            pubsub = self._pubsub_client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(channel)
                newer = await self._catch_up(room)
                if room in self._cut_off:
                    log.info("%s: following redis again at %s", room, self.where)
                self._cut_off.pop(room, None)
                delay = 0.05
                if newer is not None:
                    yield newer
                quiet_since = loop.time()
                while True:
                    message = await pubsub.get_message(timeout=IDLE_PING_S)
                    if task is not None and task.cancelling():
                        raise asyncio.CancelledError  # redis-py may swallow a cancel
                    if message is None:
                        if loop.time() - quiet_since >= IDLE_PING_S:
                            quiet_since = loop.time()
                            await pubsub.ping()  # a dead connection shows itself here
                        continue
                    quiet_since = loop.time()
                    if message["type"] == "message":
                        state = self._notice(channel, message["data"])
                        known = self._latest.get(room)
                        if state and (known is None or state.version > known.version):
                            self._remember(state)
                            yield state
            except Exception as exc:  # whatever broke: follow again
                expected = isinstance(exc, RedisError | Unavailable | OSError)
                if room not in self._cut_off or not expected:
                    log.warning("%s: lost redis (%s); retrying", room, exc, exc_info=not expected)
                self._cut_off[room] = self._unreachable(exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RESUBSCRIBE_MAX_DELAY_S)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def tell(self, room: str, topic: str, data: str) -> None:
        """Publish a passing notice; lost if Redis is away (the next one brings it)."""
        try:
            await self._client.publish(self.key(room, f"told:{topic}"), data)
        except RedisError as exc:
            log.debug("%s: could not tell %s: %s", room, topic, exc)

    async def told(self, room: str, topic: str) -> AsyncIterator[str]:
        channel = self.key(room, f"told:{topic}")
        async for data in followed(self._pubsub_client, channel, RESUBSCRIBE_MAX_DELAY_S):
            if data is not None:
                yield data

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

    def unheard(self) -> str | None:
        return next(iter(self._cut_off.values()), None)

    def health(self) -> dict[str, Any]:
        healthy = {"store": self.name, "status": "ok", "redis": self.where, "prefix": self.prefix}
        return self.reported(healthy, self._failing)

"""The Redis store's footing (``redis.py`` tells the whole design): its connections and
names, how a failure to reach Redis shows (``Unavailable``, and in ``health``), and a
room's stored state as this process knows it (read, remembered, written back when Redis
lost it). ``redis_outbox.py`` and ``redis_follow.py`` build on it; ``redis.py`` joins them.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as aioredis
from pydantic import ValidationError
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import RedisError

from podium.core.errors import InvalidInput, Unavailable
from podium.core.state import State
from podium.store import redis_scripts as scripts
from podium.store.base import LogRecord, Store

log = logging.getLogger("podium.store")

LOG_MAX = 100_000  # records kept per room (approximate trim); a full day is a few hundred
CONNECT_TIMEOUT_S = 2.0
COMMAND_TIMEOUT_S = 5.0
PING_TIMEOUT_S = 1.0  # the health check's own bound (``live/rooms/health.py``)


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


class RedisBase(Store):
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
        self._repair = self._client.register_script(scripts.REPAIR)
        # the health check's own connection: no retries, bounded like the check
        self._ping_client = aioredis.from_url(
            url,
            socket_connect_timeout=PING_TIMEOUT_S,
            socket_timeout=PING_TIMEOUT_S,
            retry=Retry(NoBackoff(), 0),
        )
        self._latest: dict[str, State] = {}  # the newest state this process has seen
        self._failing: str | None = None  # the last command's failure, until one succeeds

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

    async def ping(self) -> None:
        """PING on a connection of its own (bounded, no retries): an answer clears the
        last command's failure, as any answer from Redis does."""
        try:
            await self._ping_client.ping()
        except RedisError as exc:
            raise Unavailable(self._unreachable(exc)) from None
        self._failing = None

    # -- the room's stored state ----------------------------------------------------------

    def _remember(self, state: State) -> None:
        known = self._latest.get(state.room)
        if known is None or state.version > known.version:
            self._latest[state.room] = state

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

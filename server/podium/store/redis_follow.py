"""The Redis store following other processes: a room's ``PREFIX:{ROOM}:changes`` (every
change's State JSON, on a pub/sub connection of the room's own) and its
``PREFIX:{ROOM}:told:TOPIC`` channels (passing notices, e.g. the speakers' readiness, never
stored). After every (re)subscribe the follower re-reads the stored state: a newer one is
handed to the room (pub/sub dropped what was sent meanwhile); an absent or older one means
Redis lost data, and the newest state this process holds is written back, with a log
record that notes the gap. While Redis cannot be reached it retries until Redis answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from pydantic import ValidationError
from redis.exceptions import RedisError

from podium.core.errors import Unavailable
from podium.core.state import State
from podium.store.redis_base import LOG_MAX, RedisBase
from podium.store.redis_questions import followed

log = logging.getLogger("podium.store")

RESUBSCRIBE_MAX_DELAY_S = 1.0
IDLE_PING_S = 5.0


class RedisFollowing(RedisBase):
    def __init__(self, url: str, prefix: str = "podium", log_max: int = LOG_MAX) -> None:
        super().__init__(url, prefix, log_max)
        self._cut_off: dict[str, str] = {}  # rooms whose follower has lost its connection

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

    def unheard(self) -> str | None:
        return next(iter(self._cut_off.values()), None)

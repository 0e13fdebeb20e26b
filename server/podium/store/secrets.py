"""The secrets of the processes sharing one Redis: every role's token, the speaker-link
key and the voter key, one field each (``moderator.token``, ``speaker.key``, ...) of the
hash ``PREFIX:secrets``. The first process that needs a secret makes it, and ``HSETNX``
makes the first offer the only one, however many processes start at once; the others
read it. Each process holds a copy, read again every ``poll_s`` by its token watch, so a
rotation (``podium token rotate --redis URL``: ``HSET``) reaches every process within a
second, and checking a token never waits for Redis.

A ``Keeper`` (``live/access/keeper.py``) to ``Tokens``; the environment still wins.
"""

from __future__ import annotations

import logging
import secrets

from redis import asyncio as aioredis
from redis.exceptions import RedisError

from podium.core.errors import InvalidInput, Unavailable

log = logging.getLogger("podium.store.secrets")

CONNECT_TIMEOUT_S = 2.0
COMMAND_TIMEOUT_S = 1.0


class SharedSecrets:
    poll_s = 0.5  # a rotation reaches every process within a second

    def __init__(self, url: str, prefix: str = "podium") -> None:
        self.key = f"{prefix}:secrets"
        try:
            self._client = aioredis.from_url(
                url,
                socket_connect_timeout=CONNECT_TIMEOUT_S,
                socket_timeout=COMMAND_TIMEOUT_S,
                decode_responses=True,
            )
        except ValueError as exc:
            raise InvalidInput(
                f"--redis: not a redis URL ({exc}); write redis://HOST:PORT/DB"
            ) from None
        self._copy: dict[str, str] = {}
        self._offered: dict[str, str] = {}  # made here, not yet in Redis
        self._failing = False  # the last refresh failed (said once, not every poll)

    def read(self, name: str) -> str | None:
        return self._copy.get(name)

    def kept(self, name: str) -> str:
        """The shared ``name``; one made here until ``settle`` learns whose offer won."""
        known = self._copy.get(name)
        if known is not None:
            return known
        return self._offered.setdefault(name, secrets.token_urlsafe(24))

    def where(self, name: str) -> str:
        return f"Redis, field {name} of the hash {self.key}"

    async def refresh(self) -> None:
        """Read the copy again; while Redis does not answer, keep the last one (a token
        check goes on as before) and say so once."""
        try:
            self._copy = await self._client.hgetall(self.key)
        except RedisError as exc:
            if not self._failing:
                log.warning("cannot read the shared secrets (%s); using the last ones", exc)
            self._failing = True
            return
        if self._failing:
            log.info("the shared secrets are read again")
        self._failing = False

    async def settle(self) -> None:
        """Offer what was made here (the first offer of each wins) and read the copy
        again, so every process uses the winner; ``Unavailable`` when Redis does not
        answer (a process cannot start without knowing the shared secrets)."""
        try:
            for name, value in self._offered.items():
                await self._client.hsetnx(self.key, name, value)
            self._copy = await self._client.hgetall(self.key)
        except RedisError as exc:
            raise Unavailable(
                f"cannot read or make the shared secrets in Redis ({exc}); check --redis"
            ) from None
        self._offered.clear()

    async def write(self, name: str, token: str) -> None:
        try:
            await self._client.hset(self.key, name, token)
        except RedisError as exc:
            raise Unavailable(f"cannot write {name} to Redis ({exc}); check --redis") from None
        self._copy[name] = token

    async def close(self) -> None:
        await self._client.aclose()

"""The Redis store's automations outbox (``redis_scripts.OUTBOX_*``), per room under
``PREFIX:{ROOM}:outbox`` (a hash: key -> batch), ``:outbox:leases`` (a sorted set: key ->
lease end, by Redis' clock), ``:outbox:owners``, ``:outbox:parts`` (hashes) and
``:outbox:sent`` (a sorted set: key -> when done, a day): each batch of deliveries is
leased to the one process that sends it (``live/rooms/outbound/automations.py``),
renewed while it sends, marked done part by part, and taken over by another once its lease lapsed.
"""

from __future__ import annotations

import secrets

from podium.store import redis_scripts as scripts
from podium.store.base import OUTBOX_KEPT_MS, Leased
from podium.store.redis_base import LOG_MAX, RedisBase


class RedisOutbox(RedisBase):
    def __init__(self, url: str, prefix: str = "podium", log_max: int = LOG_MAX) -> None:
        super().__init__(url, prefix, log_max)
        self._outbox_claim = self._client.register_script(scripts.OUTBOX_CLAIM)
        self._outbox_renew = self._client.register_script(scripts.OUTBOX_RENEW)
        self._outbox_part = self._client.register_script(scripts.OUTBOX_PART)
        self._outbox_done = self._client.register_script(scripts.OUTBOX_DONE)
        self._outbox_lapsed = self._client.register_script(scripts.OUTBOX_LAPSED)
        self.owner = secrets.token_hex(8)  # this process, as the holder of its leases

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

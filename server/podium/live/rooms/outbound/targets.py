"""One ``[[automations]]`` entry of a room, a *target*: its queue and the task that works
through it, each event delivered (``delivery.py``) and retried with backoff for a bounded
time, so a receiver that hangs or is down delays only its own deliveries. The room's
``automations.Automations`` owns the targets."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from podium.core.config.automations import Automation
from podium.live.rooms.outbound import delivery
from podium.live.rooms.outbound.batches import Batch, Part
from podium.live.rooms.outbound.delivery import Delivery, Refused
from podium.live.rooms.room import Room

log = logging.getLogger("podium.live.automations")

QUEUE_MAX = 1000  # events waiting for one automation; past it the oldest fail


class Owner(Protocol):
    """What a target needs of its room's automations (``automations.Automations``)."""

    process: str
    room: Room

    async def send(self, automation: Automation, payload: dict[str, Any]) -> str: ...

    async def settle(self, batch: Batch, part: Part) -> None: ...

    def settle_soon(self, batch: Batch, part: Part) -> None: ...

    def tally(self, kind: str, outcome: str) -> None: ...

    def record(self, record: Delivery) -> None: ...

    def finish(
        self, record: Delivery, status: str, error: str | None = None, counted: bool = True
    ) -> None: ...

    def share(self, record: Delivery) -> None: ...


class Target:
    """One ``[[automations]]`` entry: its queue and the task that works through it."""

    def __init__(self, owner: Owner, index: int, automation: Automation) -> None:
        self.owner = owner
        self.index = index
        self.automation = automation
        self.queue: asyncio.Queue[tuple[Batch, Part, Delivery]] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    def offer(self, batch: Batch, part: Part) -> None:
        payload = part.payload
        record = Delivery(
            id=part.id,
            event_id=str(payload["id"]),
            event=str(payload["event"]),
            automation=self.index,
            kind=self.automation.kind,
            target=self.automation.target,
            at=int(payload["at"]),
            process=self.owner.process,
        )
        if self.queue.qsize() >= QUEUE_MAX:
            old_batch, old_part, oldest = self.queue.get_nowait()
            self.owner.finish(oldest, "failed", error="too many events waiting; dropped")
            self.owner.settle_soon(old_batch, old_part)
        self.queue.put_nowait((batch, part, record))
        self.owner.record(record)

    async def run(self) -> None:
        while True:
            batch, part, record = await self.queue.get()
            try:
                await self._deliver(batch, part, record)
            except Exception:  # a bug of ours: say so, go on with the next
                log.exception("%s: delivering %s failed", self.owner.room.id, record.id)
                await self.owner.settle(batch, part)
                self.owner.finish(record, "failed", error="podium failed to send it (see its log)")

    async def _deliver(self, batch: Batch, part: Part, record: Delivery) -> None:
        room = self.owner.room
        deadline = record.at + round(delivery.RETRY_FOR_S * 1000)
        if room.clock() > deadline:  # taken over too late: not sent late
            await self.owner.settle(batch, part)
            late = f"no process took it over within {delivery.RETRY_FOR_S:g} s; not sent late"
            self.owner.finish(record, "failed", error=late)
            return
        while True:
            if batch.lost:  # not counted: the other process delivers it, or fails it
                self.owner.finish(record, "failed", error="taken over by another process",
                                  counted=False)  # fmt: skip
                return
            record.attempts += 1
            try:
                record.answer = await self.owner.send(self.automation, part.payload)
            except Refused as exc:
                record.error = exc.detail
                pause = delivery.next_pause(record.attempts)
                if exc.final or room.clock() + pause * 1000 > deadline:
                    log.warning("%s: %s to %s failed after %d attempt(s): %s", room.id,
                                record.event, record.target, record.attempts,
                                exc.detail)  # fmt: skip
                    await self.owner.settle(batch, part)
                    self.owner.finish(record, "failed")
                    return
                record.status = "retrying"
                self.owner.tally(record.kind, "retried")
                self.owner.share(record)
                await asyncio.sleep(pause)
            else:
                record.error = None
                await self.owner.settle(batch, part)
                self.owner.finish(record, "delivered")
                return

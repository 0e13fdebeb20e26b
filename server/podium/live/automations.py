"""Automations: the programme's ``[[automations]]`` told of what happens in a room, by
webhook or OSC (``delivery.py``), without ever holding up a command.

Per room, an observer of the room's states (``Room.state_observers``) derives the events of
each change (``core.events.happened``) and keeps one timer armed for the next ``warning``,
``danger`` or ``overtime`` of the turn on now (``core.events.due``), re-armed on every
change, so pause, resume and added time move it; nothing polls. The observer only puts
events in a queue: a background task claims each one in the store (``Store.claim``: with
several processes on one Redis, one of them sends it) and hands it to each automation that
wants it. Each automation has its own queue and task, so a receiver that hangs or is down
delays only its own deliveries, which are retried with backoff for a bounded time.

The last deliveries (``GET /api/automations``, moderators only) are shared between
processes with ``Store.tell``, like readiness. Counters go to ``/metrics``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
from aiohttp import web

from podium.core.automations import Automation
from podium.core.errors import Unavailable
from podium.core.events import Event, due, happened
from podium.core.protocol import encode
from podium.core.state import State
from podium.live import delivery
from podium.live.bearer import bearer
from podium.live.delivery import Delivery, Refused
from podium.live.readiness import PROCESS
from podium.live.request import ROOMS, TOKENS, room_of
from podium.live.room import Room

log = logging.getLogger("podium.live.automations")

CLAIM_TTL_MS = 24 * 3600 * 1000  # an event id is claimed for a day: once per turn
RECENT = 50  # deliveries kept for GET /api/automations
QUEUE_MAX = 1000  # events waiting for one automation; past it the oldest fail
TOPIC = "automations"
# counts (room, kind, outcome), the outcome one of: delivered, failed, retried, skipped
Tally = Callable[[str, str, str], None]


class Target:
    """One ``[[automations]]`` entry: its queue and the task that works through it."""

    def __init__(self, owner: Automations, index: int, automation: Automation) -> None:
        self.owner = owner
        self.index = index
        self.automation = automation
        self.queue: asyncio.Queue[tuple[Event, Delivery]] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    def offer(self, event: Event) -> None:
        record = Delivery(
            id=f"{event.id}#{self.index}",
            event_id=event.id,
            event=event.name,
            automation=self.index,
            kind=self.automation.kind,
            target=self.automation.target,
            at=event.at,
            process=PROCESS,
        )
        if self.queue.qsize() >= QUEUE_MAX:
            _, oldest = self.queue.get_nowait()
            self.owner.finish(oldest, "failed", error="too many events waiting; dropped")
        self.queue.put_nowait((event, record))
        self.owner.record(record)

    async def run(self) -> None:
        while True:
            event, record = await self.queue.get()
            try:
                await self._deliver(event, record)
            except Exception:  # a bug of ours: say so, go on with the next
                log.exception("%s: delivering %s failed", self.owner.room.id, record.id)
                self.owner.finish(record, "failed", error="podium failed to send it (see its log)")

    async def _deliver(self, event: Event, record: Delivery) -> None:
        room = self.owner.room
        deadline = event.at + round(delivery.RETRY_FOR_S * 1000)
        while True:
            record.attempts += 1
            try:
                record.answer = await self.owner.send(self.automation, event)
            except Refused as exc:
                record.error = exc.detail
                pause = delivery.next_pause(record.attempts)
                if exc.final or room.clock() + pause * 1000 > deadline:
                    log.warning("%s: %s to %s failed after %d attempt(s): %s", room.id,
                                event.name, record.target, record.attempts, exc.detail)  # fmt: skip
                    self.owner.finish(record, "failed")
                    return
                record.status = "retrying"
                self.owner.tally(record.kind, "retried")
                self.owner.share(record)
                await asyncio.sleep(pause)
            else:
                record.error = None
                self.owner.finish(record, "delivered")
                return


class Automations:
    """One room's automations: the observer, the timer, the queues and the recent list."""

    def __init__(self, room: Room, tally: Tally | None = None) -> None:
        self.room = room
        self.targets = [Target(self, i, a) for i, a in enumerate(room.programme.automations)]
        self._tally: Tally = tally or (lambda room, kind, outcome: None)
        self.recent: deque[Delivery] = deque(maxlen=RECENT)
        self.theirs: dict[str, dict[str, Any]] = {}  # other processes' deliveries, by id
        self._events: asyncio.Queue[tuple[str, list[Event]]] = asyncio.Queue()  # claim, events
        self._last: State | None = None
        self._fired: set[str] = set()  # timed events this process has handed on
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._telling: set[asyncio.Task[None]] = set()
        self._shared = False  # the store is shared: tell the others
        self._session: aiohttp.ClientSession | None = None

    # -- what happens -----------------------------------------------------------------------

    def observe(self, state: State) -> None:
        """A state the room adopted: queue what it did, re-arm the timer. Never waits."""
        before, self._last = self._last, state
        events = happened(self.room.programme, before, state) if before is not None else []
        if events:
            self._events.put_nowait((f"change:{state.version}@{state.updated_at}", events))
        self._arm(state)

    def _arm(self, state: State) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending = [e for e in due(self.room.programme, state) if e.id not in self._fired]
        if pending:
            delay = max(min(e.at for e in pending) - self.room.clock(), 0) / 1000
            self._timer = asyncio.get_running_loop().call_later(delay, self._fire)

    def _fire(self) -> None:
        self._timer = None
        state = self._last
        if state is None:
            return
        now = self.room.clock()
        for event in due(self.room.programme, state):
            if event.id not in self._fired and event.at <= now:
                self._fired.add(event.id)
                self._events.put_nowait((f"event:{event.id}", [event]))
        self._arm(state)  # the next one, or again if the loop's clock ran ahead

    async def _dispatch(self) -> None:
        """Claim each batch (a change's events together, so one process sends them all, in
        order; a timed event alone), then hand its events to the automations wanting them."""
        while True:
            key, events = await self._events.get()
            wanted = [(e, t) for e in events for t in self.targets if e.name in t.automation.on]
            if not wanted:
                continue
            try:
                mine = await self.room.store.claim(self.room.id, key, CLAIM_TTL_MS)
            except Unavailable as exc:  # better twice than never: receivers get its id
                log.warning("%s: cannot claim %s (%s); sending it anyway", self.room.id, key,
                            exc.message)  # fmt: skip
                mine = True
            for event, target in wanted:
                if mine:
                    target.offer(event)
                else:
                    self.tally(target.automation.kind, "skipped")

    async def send(self, automation: Automation, event: Event) -> str:
        if automation.kind == "osc":
            return await delivery.send_osc(automation, event)
        if self._session is None:
            raise Refused("the server is stopping", final=True)
        return await delivery.post(self._session, automation, event)

    # -- what went out ----------------------------------------------------------------------

    def tally(self, kind: str, outcome: str) -> None:
        self._tally(self.room.id, kind, outcome)

    def record(self, record: Delivery) -> None:
        self.recent.append(record)
        self.share(record)

    def finish(self, record: Delivery, status: str, error: str | None = None) -> None:
        record.status = status
        record.error = error or record.error
        record.done_at = self.room.clock()
        self.tally(record.kind, status)
        self.share(record)

    def share(self, record: Delivery) -> None:
        """Tell the other processes sharing the store (a passing notice; lost if it is away)."""
        if not self._shared:
            return
        data = encode(record.public())
        task = asyncio.create_task(self.room.store.tell(self.room.id, TOPIC, data))
        self._telling.add(task)
        task.add_done_callback(self._telling.discard)

    def heard_from(self, data: str) -> None:
        try:
            told = json.loads(data)
            known = self.theirs.get(str(told["id"]))
            if told["process"] != PROCESS and (known is None or _later(told, known)):
                self.theirs[str(told["id"])] = told
        except (ValueError, KeyError, TypeError):
            log.warning("%s: an automations notice that is not one; ignored it", self.room.id)
            return
        while len(self.theirs) > RECENT:
            del self.theirs[min(self.theirs, key=lambda k: self.theirs[k]["at"])]

    def snapshot(self) -> dict[str, Any]:
        mine = [r.public() for r in self.recent]
        known = {r["id"]: r for r in [*self.theirs.values(), *mine]}
        recent = sorted(known.values(), key=lambda r: (r["at"], r["id"]), reverse=True)[:RECENT]
        counts = {s: sum(r["status"] == s for r in recent) for s in ("delivered", "failed")}
        counts["pending"] = len(recent) - counts["delivered"] - counts["failed"]
        return {
            "room": self.room.id,
            "automations": [
                {
                    "index": t.index,
                    "kind": t.automation.kind,
                    "target": t.automation.target,
                    "on": list(t.automation.on),
                    "signed": t.automation.secret is not None,
                }
                for t in self.targets
            ],
            "counts": counts,
            "deliveries": recent,
        }

    # -- life cycle ---------------------------------------------------------------------------

    def start(self, session: aiohttp.ClientSession) -> None:
        """Attach to the room. Timed events already past (before this process watched) are
        not sent late: another process, or this one before a restart, sent them."""
        self._session = session
        state = self.room.state
        now = self.room.clock()
        self._fired = {e.id for e in due(self.room.programme, state) if e.at <= now}
        self._last = state
        self.room.state_observers.append(self.observe)
        self._tasks = [asyncio.create_task(self._dispatch())]
        for target in self.targets:
            target.task = asyncio.create_task(target.run())
            self._tasks.append(target.task)
        told = self.room.store.told(self.room.id, TOPIC)
        if told is not None:
            self._shared = True
            self._tasks.append(asyncio.create_task(self._listen(told)))
        self._arm(state)

    async def _listen(self, told: AsyncIterator[str]) -> None:
        async for data in told:
            self.heard_from(data)

    async def stop(self) -> None:
        self.room.state_observers.remove(self.observe)
        if self._timer is not None:
            self._timer.cancel()
        self._session = None
        for task in [*self._tasks, *self._telling]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _later(told: dict[str, Any], known: dict[str, Any]) -> bool:
    """Notices may overtake each other: a delivery only moves on (more attempts, then done)."""
    return (told["done_at"] is not None, told["attempts"]) >= (
        known["done_at"] is not None,
        known["attempts"],
    )


# -- the app ------------------------------------------------------------------------------

AUTOMATIONS = web.AppKey("automations", dict[str, Automations])
SESSION = web.AppKey("automations_session", aiohttp.ClientSession)


async def automations(request: web.Request) -> web.Response:
    """``GET /api/automations?room=ID``: the room's automations (no secrets) and their last
    deliveries and failures, newest first. Moderators only."""
    request.app[TOKENS].require_moderator(bearer(request))
    room = room_of(request)
    return web.json_response(request.app[AUTOMATIONS][room.id].snapshot())


async def _start(app: web.Application) -> None:
    used = [a for a in app[AUTOMATIONS].values() if a.targets]
    if not used:
        return
    app[SESSION] = aiohttp.ClientSession(headers={"User-Agent": "podium-automations"})
    for room_automations in used:
        room_automations.start(app[SESSION])


async def _stop(app: web.Application) -> None:
    for room_automations in app[AUTOMATIONS].values():
        if room_automations.targets:
            await room_automations.stop()
    if SESSION in app:
        await app[SESSION].close()


def set_up(app: web.Application, tally: Tally | None = None) -> None:
    """Every room's automations, started with the app; ``tally`` counts the outcomes."""
    app[AUTOMATIONS] = {rid: Automations(room, tally) for rid, room in app[ROOMS].items()}
    app.router.add_get("/api/automations", automations)
    app.on_startup.append(_start)
    app.on_cleanup.append(_stop)

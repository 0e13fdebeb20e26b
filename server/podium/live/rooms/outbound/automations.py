"""Automations: the programme's ``[[automations]]`` told of what happens in a room, by
webhook or OSC (``delivery.py``), without ever holding up a command; each event delivered
at least once, and once in the common case.

Per room, an observer of the room's states (``Room.state_observers``) derives the events of
each change (``core.events.happened``) and keeps one timer armed for the next ``warning``,
``danger`` or ``overtime`` of the turn on now (``core.events.due``), re-armed on every
change, so pause, resume and added time move it; nothing polls. The observer only puts
events in a queue; a background task makes each change's events (or a timed event) into
a *batch*, one part per automation that wants an event, and claims it in the store
(``Store.claim``): the batch is kept there, leased to this process for ``LEASE_MS``. With
several processes on one Redis every process sees every change; the one whose claim is
first sends the batch, the others skip it.

The holder renews its leases every ``RENEW_S`` while it works on them, notes each part
done in the store when it is delivered (or given up by the retry policy) and the batch
done when all its parts are. A lease that lapses (its holder was killed, or hangs) is
taken over by the next process to look (every process looks every ``RENEW_S``; with the
file store, the restarted process), which sends the parts not done yet: same payload,
same ``Idempotency-Key``, so a receiver can drop a repeat (a holder killed after a
receiver answered but before it noted the part done). A part whose retries would end
(``delivery.RETRY_FOR_S`` after the event) before it is taken over is given up, not sent
late. On a graceful stop the leases are let go at once. With a store no other process
shares (files), a restarted process also derives again from the log the changes of the
last ``delivery.RETRY_FOR_S`` and claims them: a run killed between a command's ack and
the claim left no batch for them (with Redis, the other processes claim those).

Each automation has its own queue and task (``targets.py``); batches in ``batches.py``.

The last deliveries (``GET /api/automations``, moderators only) are shared between
processes with ``Store.tell``, like readiness. Counters go to ``/metrics``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import aiohttp

from podium.core.config.automations import Automation
from podium.core.errors import Unavailable
from podium.core.events import Event, due, happened
from podium.core.state import State
from podium.core.wire.protocol import encode
from podium.live.rooms.outbound import delivery
from podium.live.rooms.outbound.batches import Batch, Part, changes_since
from podium.live.rooms.outbound.delivery import Delivery, Refused
from podium.live.rooms.outbound.targets import Target
from podium.live.rooms.room import Room

log = logging.getLogger("podium.live.automations")

LEASE_MS = 5_000  # a batch's lease: its holder renews it while working on it
RENEW_S = 1.0  # how often leases are renewed, and lapsed ones looked for
TAKE_AT_ONCE = 100  # lapsed batches taken over in one look
RECENT = 50  # deliveries kept for GET /api/automations
TOPIC = "automations"
# counts (room, kind, outcome), the outcome one of: delivered, failed, retried, skipped,
# resumed (a part taken over from a holder whose lease lapsed)
Tally = Callable[[str, str, str], None]
T = TypeVar("T")


class Automations:
    """One room's automations: the observer, the timer, the queues, the batches this
    process holds and the recent list."""

    def __init__(self, room: Room, process: str, tally: Tally | None = None) -> None:
        self.process = process  # this process, among those sharing the store
        self.room = room
        self.targets = [Target(self, i, a) for i, a in enumerate(room.programme.automations)]
        self._tally: Tally = tally or (lambda room, kind, outcome: None)
        self.recent: deque[Delivery] = deque(maxlen=RECENT)
        self.theirs: dict[str, dict[str, Any]] = {}  # other processes' deliveries, by id
        # batches to claim: key, events, and whether derived again at start (``_catch_up``)
        self._events: asyncio.Queue[tuple[str, list[Event], bool]] = asyncio.Queue()
        self.held: dict[str, Batch] = {}  # the batches this process sends, by key
        self._last: State | None = None
        self._fired: set[str] = set()  # timed events this process has handed on
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._telling: set[asyncio.Task[Any]] = set()
        self._shared = False  # the store is shared: tell the others
        self._session: aiohttp.ClientSession | None = None
        self._stopping = False
        self._unreachable = False  # the store could not be asked last time: said once

    # -- what happens -----------------------------------------------------------------------

    def observe(self, state: State) -> None:
        """A state the room adopted: queue what it did, re-arm the timer. Never waits."""
        before, self._last = self._last, state
        events = happened(self.room.programme, before, state) if before is not None else []
        if events:
            self._events.put_nowait((f"change:{state.version}@{state.updated_at}", events, False))
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
                self._events.put_nowait((f"event:{event.id}", [event], False))
        self._arm(state)  # the next one, or again if the loop's clock ran ahead

    # -- the store: claims, leases, parts done ------------------------------------------------

    async def _ask(self, call: Awaitable[T]) -> T:
        """A store call bounded like a command's; ``Unavailable`` when it does not answer."""
        try:
            return await asyncio.wait_for(call, self.room.store_timeout)
        except TimeoutError:
            raise Unavailable(
                f"the store did not answer within {self.room.store_timeout:g} s"
            ) from None

    def _cannot_ask(self, doing: str, exc: Unavailable) -> None:
        if not self._unreachable:
            log.warning("%s: cannot %s (%s); trying again", self.room.id, doing, exc.message)
        self._unreachable = True

    async def _dispatch(self) -> None:
        """Claim each batch (a change's events together, so one process sends them all, in
        order; a timed event alone), then hand its parts to the automations wanting them."""
        while True:
            key, events, again = await self._events.get()
            wanted = [(e, t) for e in events for t in self.targets if e.name in t.automation.on]
            parts = [Part(f"{e.id}#{t.index}", t.index, e.payload()) for e, t in wanted]
            if not parts:
                continue
            batch = Batch(key, parts)
            try:
                mine = await self._ask(
                    self.room.store.claim(self.room.id, key, batch.entry(), LEASE_MS)
                )
            except Unavailable as exc:  # better twice than never: receivers get its id
                log.warning("%s: cannot claim %s (%s); sending it anyway", self.room.id, key,
                            exc.message)  # fmt: skip
                mine, batch.sure = True, False
            if mine:
                self._hold(batch)
            elif not again:  # (one derived again was claimed by the run before: no news)
                for part in parts:
                    self.tally(self.targets[part.automation].automation.kind, "skipped")

    def _hold(self, batch: Batch, resumed: bool = False) -> None:
        self.held[batch.key] = batch
        for part in batch.parts:
            if part.automation < len(self.targets):
                target = self.targets[part.automation]
                if resumed:
                    self.tally(target.automation.kind, "resumed")
                target.offer(batch, part)
            else:  # the programme changed since: nobody wants it any more
                self.settle_soon(batch, part)

    async def settle(self, batch: Batch, part: Part) -> None:
        """A part is delivered or given up: say so in the store (within the bound), and
        that the batch is done when it was the last. What the store did not take is
        tried again by ``_keep``; meanwhile the lease is kept, so nobody sends it again."""
        if self._stopping:
            return
        batch.left.discard(part.id)
        if not batch.left:
            await self._finish_batch(batch)
            return
        try:
            await self._ask(self.room.store.done_part(self.room.id, batch.key, part.id))
        except Unavailable as exc:
            log.debug("%s: cannot note %s done: %s", self.room.id, part.id, exc.message)

    def settle_soon(self, batch: Batch, part: Part) -> None:
        self._background(self.settle(batch, part))

    async def _finish_batch(self, batch: Batch) -> None:
        try:
            await self._ask(self.room.store.done(self.room.id, batch.key))
        except Unavailable as exc:
            log.debug("%s: cannot note %s done yet: %s", self.room.id, batch.key, exc.message)
            return
        if self.held.get(batch.key) is batch:
            del self.held[batch.key]

    async def _keep(self) -> None:
        """Every ``RENEW_S``: batches done but not yet noted so, noted; the leases of the
        rest renewed (one that another process took over is lost: this one stops sending
        it); lapsed ones taken over."""
        while True:
            try:
                await self._keep_once()
                self._unreachable = False
            except Unavailable as exc:
                self._cannot_ask("renew the automations' leases", exc)
            except Exception:  # a bug of ours: say so, keep the leases going
                log.exception("%s: keeping the automations' leases failed", self.room.id)
            await asyncio.sleep(RENEW_S)

    async def _keep_once(self) -> None:
        store, room = self.room.store, self.room.id
        for batch in [b for b in self.held.values() if not b.left]:
            await self._finish_batch(batch)
        working = [key for key, batch in self.held.items() if batch.left]
        if working:
            kept = await self._ask(store.renew(room, working, LEASE_MS))
            for key in working:
                batch = self.held[key]
                if key in kept:
                    batch.sure = True
                elif batch.sure:  # its lease lapsed and another process took it over
                    log.warning("%s: %s was taken over by another process", room, key)
                    batch.lost = True
                    del self.held[key]
        for leased in await self._ask(store.lapsed(room, LEASE_MS, TAKE_AT_ONCE)):
            if leased.key in self.held:  # this process's own, late in renewing: still on it
                continue
            try:
                batch = Batch.taken_over(leased)
            except (ValueError, KeyError, TypeError):
                log.error("%s: %s in the store is not a batch of deliveries; dropped it", room,
                          leased.key)  # fmt: skip
                await self._finish_batch(Batch(leased.key, []))
                continue
            log.info("%s: took over %s (%d part(s) left) from a process that stopped", room,
                     leased.key, len(batch.left))  # fmt: skip
            if batch.left:
                self._hold(batch, resumed=True)
            else:
                await self._finish_batch(batch)

    async def send(self, automation: Automation, payload: dict[str, Any]) -> str:
        if automation.kind == "osc":
            return await delivery.send_osc(automation, payload)
        if self._session is None:
            raise Refused("the server is stopping", final=True)
        return await delivery.post(self._session, automation, payload)

    # -- what went out ----------------------------------------------------------------------

    def tally(self, kind: str, outcome: str) -> None:
        self._tally(self.room.id, kind, outcome)

    def record(self, record: Delivery) -> None:
        self.recent.append(record)
        self.share(record)

    def finish(
        self, record: Delivery, status: str, error: str | None = None, counted: bool = True
    ) -> None:
        record.status = status
        record.error = error or record.error
        record.done_at = self.room.clock()
        if counted:
            self.tally(record.kind, status)
        self.share(record)

    def _background(self, call: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(call)
        self._telling.add(task)
        task.add_done_callback(self._telling.discard)

    def share(self, record: Delivery) -> None:
        """Tell the other processes sharing the store (a passing notice; lost if it is away)."""
        if not self._shared:
            return
        self._background(self.room.store.tell(self.room.id, TOPIC, encode(record.public())))

    def heard_from(self, data: str) -> None:
        try:
            told = json.loads(data)
            known = self.theirs.get(str(told["id"]))
            if told["process"] != self.process and (known is None or _rank(told) >= _rank(known)):
                self.theirs[str(told["id"])] = told
        except (ValueError, KeyError, TypeError):
            log.warning("%s: an automations notice that is not one; ignored it", self.room.id)
            return
        while len(self.theirs) > RECENT:
            del self.theirs[min(self.theirs, key=lambda k: self.theirs[k]["at"])]

    def snapshot(self) -> dict[str, Any]:
        known: dict[str, dict[str, Any]] = {}
        for r in [*self.theirs.values(), *(r.public() for r in self.recent)]:
            if r["id"] not in known or _rank(r) >= _rank(known[r["id"]]):
                known[r["id"]] = r  # a delivery taken over: the process that got further
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
        not fired again: another process, or this one before a restart, claimed them, and
        what was claimed and not delivered is taken over when its lease lapses (``_keep``,
        which looks at once)."""
        self._session = session
        state = self.room.state
        now = self.room.clock()
        self._fired = {e.id for e in due(self.room.programme, state) if e.at <= now}
        self._last = state
        self.room.state_observers.append(self.observe)
        self._tasks = [asyncio.create_task(self._dispatch()), asyncio.create_task(self._keep())]
        for target in self.targets:
            target.task = asyncio.create_task(target.run())
            self._tasks.append(target.task)
        told = self.room.store.told(self.room.id, TOPIC)
        if told is not None:
            self._shared = True
            self._tasks.append(asyncio.create_task(self._listen(told)))
        else:  # no other process to claim what a killed run left unclaimed: this one does
            self._tasks.append(asyncio.create_task(self._catch_up()))
        self._arm(state)

    async def _catch_up(self) -> None:
        """A store no other process shares (files): a run killed between a command's ack
        and the claim of its events left no batch for them. The changes of the last
        ``delivery.RETRY_FOR_S`` are derived again from the log and claimed like new ones;
        the store refuses every batch a previous run claimed (pending: ``_keep`` takes it
        over; done: kept a day), so nothing goes twice."""
        since = self.room.clock() - round(delivery.RETRY_FOR_S * 1000)
        try:
            records = await self._ask(self.room.store.read_log(self.room.id))
        except Unavailable as exc:
            self._cannot_ask("read the log for events a killed run left unclaimed", exc)
            return
        if not records or records[-1].at < since:
            return
        changes = await asyncio.to_thread(changes_since, self.room.programme, records, since)
        for before, after in changes:
            if after.version > self.room.state.version:
                break
            events = happened(self.room.programme, before, after)
            if events:
                key = f"change:{after.version}@{after.updated_at}"
                self._events.put_nowait((key, events, True))

    async def _listen(self, told: AsyncIterator[str]) -> None:
        async for data in told:
            self.heard_from(data)

    async def stop(self) -> None:
        """Stop sending, then let the leases go: what is not delivered yet stays pending in
        the store, for another process (or this one, restarted) to take over at once."""
        self._stopping = True
        self.room.state_observers.remove(self.observe)
        if self._timer is not None:
            self._timer.cancel()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        working = [key for key, batch in self.held.items() if batch.left]
        if working:
            with contextlib.suppress(Unavailable):
                await self._ask(self.room.store.renew(self.room.id, working, 0))
        self._session = None
        for task in list(self._telling):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _rank(delivery: dict[str, Any]) -> tuple[bool, bool, int]:
    """Notices may overtake each other, and a delivery taken over has two records: the one
    that got further wins (delivered, then done, then more attempts)."""
    return (delivery["status"] == "delivered", delivery["done_at"] is not None,
            delivery["attempts"])  # fmt: skip

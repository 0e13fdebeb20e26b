"""A room: one event's live state and its one writer.

``execute`` is the only way a command changes anything: validate the version, apply it
with the engine, make it durable in the store, and only then adopt it and push it to every
client. Commands run one at a time (a lock), so two moderators who press "next" at once
advance the programme once: the second names a version that is no longer current.

Every store call is bounded by ``store_timeout``. A commit that does not answer in time
may still land (the write was sent): the command is answered ``OutcomeUnknown``, the store
is reported stalled, and the next command waits for that commit (within the bound) before
it goes ahead. A command with a ``command_id`` the store has applied before is answered
with the version it made, never applied twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from podium.core import booth, commands, engine, projection
from podium.core.commands import Command
from podium.core.config.programme import Programme
from podium.core.errors import (
    AlreadyApplied,
    Conflict,
    InvalidTransition,
    OutcomeUnknown,
    PodiumError,
    Unavailable,
    present,
)
from podium.core.state import State, initial_state
from podium.live.rooms.clock import Clock, wall_clock_ms
from podium.live.rooms.hub import Change, Hub
from podium.live.rooms.plan import RunningPlan
from podium.live.rooms.pushed import Pushed
from podium.runtime.frames import text_frame
from podium.store import LogRecord, Store
from podium.store.replay import replay

log = logging.getLogger("podium.live.room")

STORE_TIMEOUT_S = 2.0  # the longest a command waits for the store (``--store-timeout``)
CommandObserver = Callable[[str, str], None]  # (action, outcome: "ok", "repeated" or a code)
T = TypeVar("T")


@dataclass(frozen=True)
class Executed:
    """What a command did: the state it made (for a repeat, the room's current state)
    and the version it made; ``repeated`` when its ``command_id`` was applied before."""

    state: State
    version: int
    repeated: bool = False
    summary: str = ""  # what it did, for the log (the engine's words)


class Room:
    def __init__(
        self,
        programme: Programme,
        store: Store,
        clock: Clock = wall_clock_ms,
        hub: Hub | None = None,
        store_timeout: float = STORE_TIMEOUT_S,
    ) -> None:
        self.base = programme  # the programme file as this process read it
        self.programme = programme  # the running plan: the file's, with the state's sessions
        self.plan = RunningPlan(programme)
        self.store = store
        self.store_timeout = store_timeout
        self._in_flight: asyncio.Task[None] | None = None  # a commit that did not answer
        self.clock = clock
        self.hub = hub or Hub()
        self.problems: list[str] = []
        self._lock = asyncio.Lock()
        self._state: State | None = None
        self._pushed = Pushed(programme.id, programme, clock)
        self._watcher: asyncio.Task[None] | None = None
        self._unsent: list[Change] = []  # adopted changes not yet handed to the hub
        self._applying = 0  # commands in ``execute``, waiting for the lock or holding it
        self._quiet = asyncio.Event()  # set: none applying, no change waits (``quiet``)
        self._quiet.set()
        self.command_observers: list[CommandObserver] = []
        self.state_observers: list[Callable[[State], None]] = []  # told of each state adopted
        # fills in what a command names from the room's other data before it is applied to
        # the state it is given (show_question: the question's text; undo: a question no
        # longer public, left off), so the log holds it and replays stay pure
        self.prepare: Callable[[Command, State], Awaitable[Command]] | None = None

    @property
    def id(self) -> str:
        return self.programme.id

    @property
    def state(self) -> State:
        return present(self._state, f"room {self.id!r} was used before open()")

    async def quiet(self) -> None:
        """Returns when no command is being applied and no change waits for its pass: the
        room's other work (the audience's questions: their writes, acks and pushes) goes
        between changes, never ahead. One event for every waiter, not a poll each."""
        while not self._quiet.is_set():
            await self._quiet.wait()

    def _maybe_quiet(self) -> None:
        if not self._applying and not self._unsent:
            self._quiet.set()

    # -- life cycle -----------------------------------------------------------------------

    async def open(self) -> None:
        """Load the stored state, replaying any log records newer than it; or create it."""
        stored = await self.store.load(self.id)
        self.problems = stored.problems
        replayed = replay(self.base, stored.state, stored.pending)
        if replayed.problem is not None:
            self.problems.append(replayed.problem)
        state = replayed.state
        if state is None:
            now = self.clock()
            first = initial_state(self.base, now)
            created = LogRecord(  # with the plan it starts from, whatever the file says later
                version=0, at=now, actor="podium", command={}, summary="room created", state=first
            )
            state = await self.store.create(first, created)
        elif stored.pending or stored.state is None:
            await self.store.repair(state)
        self._adopt(state)
        changes = self.store.changes(self.id)
        if changes is not None:
            self._watcher = asyncio.create_task(self._follow(changes))

    async def close(self) -> None:
        """Wait for a command in flight to finish, then stop following other writers."""
        async with self._lock:
            with contextlib.suppress(Unavailable):
                await self._settle()
            if self._watcher is not None:
                self._watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._watcher

    async def _follow(self, changes: Any) -> None:
        try:
            async for state in changes:
                self.adopt_if_newer(state, soon=True)
        except Exception:
            log.exception("%s: stopped following other processes; restart this one", self.id)
            raise

    # -- reading --------------------------------------------------------------------------

    def view(self, now: int | None = None) -> dict[str, Any]:
        return projection.view(self.programme, self.state, self.clock() if now is None else now)

    def envelope(self, state: State | None = None) -> dict[str, Any]:
        """``{"version", "server_time", "state"}`` as of now, for HTTP: of the current
        state, or of ``state`` (the one a command made, which another process sharing
        the store may already have moved past)."""
        state = state or self.state
        now = self.clock()
        return {
            "room": self.id,
            "version": state.version,
            "server_time": now,
            "state": projection.view(self.programme, state, now),
        }

    @property
    def whole_snapshot(self) -> bytes:
        """The whole state as a snapshot frame (``Pushed.whole_snapshot``)."""
        return self._pushed.whole_snapshot(self.state)

    def held(self, state: State) -> str | None:
        """``state``'s lean state, as the next delta's base (``Pushed.held``)."""
        return self._pushed.held(state)

    def joining_frame(self, have: int | None, full: bool = False) -> bytes:
        """What a joining client gets first (``Pushed.joining``)."""
        return self._pushed.joining(self.state, have, full)

    # -- writing --------------------------------------------------------------------------

    async def execute(self, command: Command, actor: str) -> Executed:
        """Apply one command; raises ``Conflict``, ``InvalidTransition`` or ``Unavailable``
        and then nothing has changed, or ``OutcomeUnknown``. Observers hear of every
        outcome."""
        try:
            done = await self._execute(command, actor)
        except PodiumError as exc:
            for observe in self.command_observers:
                observe(command.action, exc.code)
            raise
        for observe in self.command_observers:
            observe(command.action, "repeated" if done.repeated else "ok")
        return done

    # -- bounded store calls ----------------------------------------------------------------

    def _stalled(self) -> None:
        self.store.stalled = (
            f"the {self.store.name} store did not answer within {self.store_timeout:g} s"
        )

    async def _bounded(self, call: Awaitable[T]) -> T:
        """A store call that changes nothing, bounded by ``store_timeout``."""
        try:
            result = await asyncio.wait_for(call, self.store_timeout)
        except TimeoutError:
            self._stalled()
            raise Unavailable(
                f"{self.store.stalled}; the change was not made. Try again in a few seconds"
                " (GET /healthz says when the store answers again)"
            ) from None
        if self._in_flight is None:
            self.store.stalled = None
        return result

    async def _settle(self) -> None:
        """Wait (within the bound) for a commit that did not answer in time; it has landed
        or failed when this returns, else ``Unavailable`` (this command was not sent)."""
        task = self._in_flight
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), self.store_timeout)
        except TimeoutError:
            raise Unavailable(
                f"{self.store.stalled}, and a change sent before is still unanswered; this"
                " one was not made. Try again in a few seconds"
            ) from None
        except Exception:  # ``_landed`` has logged it
            pass
        self._in_flight = None
        self.store.stalled = None
        if task.cancelled() or task.exception() is not None:  # it may have landed: look
            await self.refresh()

    def _landed(self, state: State, task: asyncio.Task[None]) -> None:
        """A commit that answered late: adopt what it made, or log that it failed."""
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            log.warning("%s: the store answered late; version %d was made", self.id, state.version)
            self.adopt_if_newer(state, soon=True)
        else:
            log.warning("%s: the store answered late for version %d: %s", self.id, state.version,
                        exc)  # fmt: skip

    async def _commit(self, state: State, record: LogRecord) -> None:
        # the change's frames are built while the store writes (``Pushed.prepare``)
        prepare = functools.partial(self._pushed.prepare, state)
        task = asyncio.ensure_future(self.store.commit(state, record, prepare))
        try:
            await asyncio.wait_for(asyncio.shield(task), self.store_timeout)
        except TimeoutError:
            self._in_flight = task
            task.add_done_callback(lambda done: self._landed(state, done))
            self._stalled()
            raise OutcomeUnknown(
                f"{self.store.stalled} after the change was sent: it may have been made, as"
                f" version {state.version}. Look at GET /api/state (or the next state push),"
                " or send the command again with the same command_id: it is applied at most"
                " once",
                state.version,
            ) from None
        self.store.stalled = None

    async def _repeat(self, made: int) -> Executed:
        """The answer to a command whose ``command_id`` made version ``made`` before."""
        if made > self.state.version:
            await self.refresh()
        return Executed(self.state, made, repeated=True)

    async def _execute(self, command: Command, actor: str) -> Executed:
        self._applying += 1
        self._quiet.clear()
        done: Executed | None = None
        try:
            done = await self._apply_and_store(command, actor)
            return done
        finally:
            self._applying -= 1
            # on the next turn, after the ack: the changes adopted while the command held
            # the lock (``_adopt``), or (none) the quiet that waits for them
            loop = asyncio.get_running_loop()
            loop.call_soon(self._push if self._unsent else self._maybe_quiet)
            if done is not None and not done.repeated:  # its line once the change is out
                loop.call_soon(log.info, "%s v%d %s (%s)", self.id, done.version, done.summary,
                               actor)  # fmt: skip

    async def _apply_and_store(self, given: Command, actor: str) -> Executed:
        async with self._lock:
            await self._settle()
            # with a shared store, another process may have moved on and its change notice
            # still be on its way: before refusing a command, look once at the stored state
            caught_up = self._watcher is None
            while True:
                current = self.state
                command = given
                try:
                    if self.prepare is not None:  # for the state it applies to
                        command = await self.prepare(given, current)
                    now = self.clock()
                    expected = command.expected_version
                    if expected is not None and not booth.unchanged_since(current, expected):
                        raise Conflict(
                            f"the state is at version {current.version}, not"
                            f" {command.expected_version}: someone acted first; look again",
                            current.version,
                        )
                    signed = commands.signed(command, actor)
                    applied = engine.apply(self.base, current, signed, now)
                except (Conflict, InvalidTransition):
                    # a retry whose first try was applied is refused here (or, without a
                    # version, by the store's commit): answer it with what it made
                    if command.command_id is not None:
                        made = await self._bounded(self.store.made_by(self.id, command.command_id))
                        if made is not None:
                            return await self._repeat(made)
                    if caught_up:
                        raise
                    caught_up = True
                    await self.refresh()
                    continue
                record = LogRecord(
                    version=applied.state.version,
                    at=now,
                    actor=actor,
                    command=command.model_dump(mode="json", exclude_none=True, exclude_unset=True),
                    summary=applied.summary,
                )
                try:
                    await self._commit(applied.state, record)
                except AlreadyApplied as exc:  # another process applied it meanwhile
                    return await self._repeat(exc.version)
                except Conflict:
                    # another process wrote first (shared store): catch up, then either
                    # report the conflict or, if no version was named, try again
                    await self.refresh()
                    if command.expected_version is not None or self.state is current:
                        raise
                    continue
                # the change notice of a shared store may have brought this state already
                self.adopt_if_newer(applied.state, soon=True)
                return Executed(applied.state, applied.state.version, summary=applied.summary)

    async def refresh(self) -> None:
        stored = await self._bounded(self.store.load(self.id))
        if stored.state is not None:
            self.adopt_if_newer(stored.state)

    def adopt_if_newer(self, state: State, soon: bool = False) -> None:
        """Take a state another writer stored, never going back to an older version."""
        if self._state is None or state.version > self._state.version:
            self._adopt(state, soon)

    def _adopt(self, state: State, soon: bool = False) -> None:
        """Take ``state`` as current and push it: its delta encoded once, the same frame for
        all (the whole state too, once, when a client asked for it: ``Pushed``); when the
        plan changed, the new plan first, the same frame for every client."""
        replanned = self._state is not None and self._state.plan_revision != state.plan_revision
        waiting = bool(self._unsent)  # a push is already due on the next turn
        self._state = state
        self.programme = state.programme(self.base)
        if replanned:
            self._unsent.append(Change.same(text_frame(self.plan.message(state))))
        for observe in self.state_observers:
            observe(state)
        self._unsent.append(self._pushed.change(state))
        self._quiet.clear()
        if not soon:
            self._push()
        elif not waiting and not self._lock.locked():
            # The writer's own change fans out on the next turn of the loop, so its ack
            # (sent when ``execute`` returns) leaves before 10,000 writes, not after them
            # (docs/performance.md). While a command holds the lock, its ``_execute`` pushes
            # once it has answered: a shared store's notice of the very change it commits
            # (which can come before the commit's answer) waits for the ack too. Frames
            # still go out in version order.
            asyncio.get_running_loop().call_soon(self._push)

    def _push(self) -> None:
        changes, self._unsent = self._unsent, []
        for change in changes:
            self.hub.publish(change)
        self._maybe_quiet()

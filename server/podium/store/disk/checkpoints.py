"""The file store's checkpoint rule. The log is the durability point (a command is
acknowledged once its line is fsynced), so the checkpoint (``state.json``, the state with
its undo copies) is a shortcut for a restart, written in the background, never before an
ack: once ``EVERY`` records are past it, after ``IDLE_S`` without a commit, and at a clean
stop. A restart replays the records past it (``store.replay``); a repair (a room opened
past its checkpoint) writes one at once. The figures behind the rule are in
docs/performance.md ("The checkpoint rule")."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from podium.core.state import State

log = logging.getLogger("podium.store")

# A checkpoint of the seed event with 20 undo copies: ~19 KB, 0.2-0.5 ms to write. A
# record replays in 40-70 us: 100 past the checkpoint are ~4-7 ms more at a restart.
EVERY = 100
IDLE_S = 1.0


class Checkpoints:
    """When each room's checkpoint is written, by ``write`` (blocking: run in a thread,
    one at a time per room, never an older state over a newer one)."""

    def __init__(
        self, write: Callable[[State], None], every: int = EVERY, idle_s: float = IDLE_S
    ) -> None:
        self._write = write
        self.every = every
        self.idle_s = idle_s
        self._unsaved: dict[str, State] = {}  # room -> the newest state its checkpoint lacks
        self._past: dict[str, int] = {}  # room -> records logged past its checkpoint
        self._saved: dict[str, int] = {}  # room -> the version its checkpoint is at
        self._idle: dict[str, asyncio.TimerHandle] = {}  # room -> its idle checkpoint, due
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def logged(self, state: State) -> None:
        """``state``'s record is in the log: checkpoint now if ``every`` records are past
        the checkpoint, else once the room has been idle ``idle_s``."""
        room = state.room
        self._unsaved[room] = state
        self._past[room] = self._past.get(room, 0) + 1
        idle = self._idle.pop(room, None)
        if idle is not None:
            idle.cancel()
        if self._past[room] >= self.every:
            self._start(room)
        else:
            self._idle[room] = asyncio.get_running_loop().call_later(self.idle_s, self._start, room)

    def loaded(self, room: str, version: int) -> None:
        """The checkpoint on disk is at ``version`` (-1: none)."""
        self._saved[room] = version

    def saved(self, room: str) -> int:
        """The version of the room's checkpoint (-1: none known)."""
        return self._saved.get(room, -1)

    async def now(self, state: State) -> None:
        """Write ``state``'s checkpoint at once (``OSError`` if it cannot be)."""
        async with self._lock(state.room):
            await asyncio.to_thread(self._write, state)
            self._written(state)

    async def close(self) -> None:
        """Every checkpoint current: a clean stop leaves a restart nothing to replay."""
        for idle in self._idle.values():
            idle.cancel()
        self._idle.clear()
        await asyncio.gather(*self._tasks)
        for room in list(self._unsaved):
            await self._checkpoint(room)

    def _lock(self, room: str) -> asyncio.Lock:
        return self._locks.setdefault(room, asyncio.Lock())

    def _written(self, state: State) -> None:
        self._saved[state.room] = state.version
        unsaved = self._unsaved.get(state.room)
        if unsaved is not None and unsaved.version <= state.version:
            del self._unsaved[state.room]
            self._past[state.room] = 0

    def _start(self, room: str) -> None:
        self._idle.pop(room, None)
        task = asyncio.get_running_loop().create_task(self._checkpoint(room))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _checkpoint(self, room: str) -> None:
        """The newest state the checkpoint lacks, written; a failure (a full disk) is
        logged and tried again after the next commit: the log holds that state."""
        async with self._lock(room):
            state = self._unsaved.get(room)
            if state is None or state.version <= self._saved.get(room, -1):
                return
            try:
                await asyncio.to_thread(self._write, state)
            except OSError as exc:
                log.warning("%s: checkpoint not written (%s); the log holds it", room, exc)
                return
            self._written(state)

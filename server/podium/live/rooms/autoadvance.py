"""Items that end themselves (``on_end = "next"`` in the programme): one asyncio timer per
room, armed for the moment the item on now reaches zero (``core.autoadvance``: the
timer's ``ends_at``) and re-armed on every state change, so pausing, adding time or a hold
moves or cancels it. Nothing polls.

When it fires, the room applies ``next`` (or ``end_session`` after the last speaker) as the
actor ``system``, through ``Room.execute`` like any command (stored, logged, pushed,
undoable), with ``expected_version`` the version it was armed on. With several processes on
one Redis each arms the same timer: one commit wins and moves the version by one, the
others get ``Conflict`` and do nothing.
"""

from __future__ import annotations

import asyncio
import logging

from podium.core.autoadvance import auto_advance
from podium.core.commands import SYSTEM, parse_command
from podium.core.errors import Conflict, InvalidTransition, Unavailable
from podium.core.state import State
from podium.live.rooms.room import Room

log = logging.getLogger("podium.live.autoadvance")

RETRY_S = 1.0  # after the store failed to take the advance: try again this much later


class AutoAdvancer:
    """Attaches to ``room`` (open) and keeps its one timer armed until ``stop``."""

    def __init__(self, room: Room) -> None:
        self.room = room
        self._timer: asyncio.TimerHandle | None = None
        self._advancing: asyncio.Task[None] | None = None
        room.state_observers.append(self.arm)
        self.arm(room.state)

    def arm(self, state: State) -> None:
        """(Re)arm for ``state``, the room's state now; disarm when nothing ends itself."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        due = auto_advance(self.room.programme, state.live)
        if due is not None and due.at is not None:
            self._at(due.at, state.version, due.action)

    def _at(self, moment: int, version: int, action: str) -> None:
        delay = max(moment - self.room.clock(), 0) / 1000
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(delay, self._fire, moment, version, action)

    def _fire(self, moment: int, version: int, action: str) -> None:
        self._timer = None
        if self.room.clock() < moment:  # the loop's clock and the wall clock drift apart
            self._at(moment, version, action)
        else:
            self._advancing = asyncio.create_task(self._advance(version, action))

    async def _advance(self, version: int, action: str) -> None:
        command = parse_command({"action": action, "expected_version": version})
        try:
            await self.room.execute(command, actor=SYSTEM)
        except Conflict:
            log.info("%s: version %d moved on before it advanced by itself", self.room.id, version)
        except InvalidTransition as exc:
            log.warning("%s: could not advance by itself: %s", self.room.id, exc.message)
        except Unavailable as exc:  # ``OutcomeUnknown`` too: the retry names the same version
            log.warning("%s: %s; advancing by itself again in %g s", self.room.id, exc.message,
                        RETRY_S)  # fmt: skip
            if self.room.state.version == version:
                self._at(self.room.clock() + round(RETRY_S * 1000), version, action)
        except Exception:  # a bug of ours: the log says so, the room goes on
            log.exception("%s: advancing by itself failed", self.room.id)

    async def stop(self) -> None:
        """Disarm, and let an advance under way finish."""
        self.room.state_observers.remove(self.arm)
        if self._timer is not None:
            self._timer.cancel()
        if self._advancing is not None:
            await self._advancing

"""A room's running plan beside its state: the text every page gets (the JSON
``GET /api/programme`` answers and the ``programme`` message every connection gets when
the plan changes, each encoded once per change, the same text for everyone), and the
programme file on disk (how it differs from the plan the room last took from it, and the
file's sessions a ``reload`` carries into the log)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

from podium.core import projection
from podium.core.commands import Command, Reload
from podium.core.config import diff, programme_file
from podium.core.config.programme import Programme
from podium.core.errors import InvalidTransition, ProgrammeError
from podium.core.state import State
from podium.core.wire.protocol import encode


class RunningPlan:
    def __init__(self, base: Programme, source: Path | None = None) -> None:
        self.base = base  # the programme file as this process read it at start
        self.source = source  # the file, for its changes and a reload (None: not known)
        self._made: tuple[tuple[int, dt.date], str] | None = None

    def json(self, state: State) -> str:
        """The running plan with its ``revision`` and ``marks`` (``projection.programme_view``)."""
        key = (state.plan_revision, state.day)
        if self._made is None or self._made[0] != key:
            self._made = (key, encode(projection.programme_view(self.base, state)))
        return self._made[1]

    def message(self, state: State) -> str:
        """``{"type": "programme", "revision", "programme"}``, the plan as ``json`` gives it."""
        revision = state.plan_revision
        return f'{{"type":"programme","revision":{revision},"programme":{self.json(state)}}}'

    # -- the file on disk -------------------------------------------------------------------

    async def read(self) -> Programme:
        """The programme file as it is now, checked as ``podium check`` checks it; refused
        (422, nothing changes) when it does not pass or is another event's."""
        if self.source is None:
            raise InvalidTransition("this room was not started from a programme file")
        try:
            file = await asyncio.to_thread(programme_file.load, self.source)
        except ProgrammeError as exc:
            raise InvalidTransition(
                f"the programme file does not pass podium check ({exc.message}); fix it"
                f" (podium check {self.source}) and reload again"
            ) from None
        if file.id != self.base.id:
            raise InvalidTransition(
                f"the programme file is now for event {file.id!r}, not {self.base.id!r};"
                " an event's id cannot change while it runs: restart with the new file"
            )
        return file

    async def changes(self, state: State) -> dict[str, Any]:
        """``GET /api/programme/file``: how the file differs from the plan the room last
        took from it (where it started, or its last reload)."""
        file = await self.read()
        changes = diff.differences(
            state.sessions_at(self.base, state.live.plan_file), file.sessions
        )
        return {"differs": bool(changes), "summary": diff.summary(changes), "changes": changes}

    async def prepare(self, command: Command) -> Command:
        """A ``reload`` gets the file's sessions before it is applied, so the log holds
        them and a replay needs no file."""
        if isinstance(command, Reload) and command.sessions is None:
            return command.model_copy(update={"sessions": list((await self.read()).sessions)})
        return command

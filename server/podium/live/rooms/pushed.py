"""What a room sends: each change as a delta and (for whoever asked) as the whole state,
and the first frame of a joining client; each encoded once, and only when someone needs it.

A delta client (``/ws``) holds the lean state (``core/wire/delta.py``): it joins with a
lean snapshot, then gets one ``delta`` per change. A client that asked for whole states
(``/ws?full=1``, the SSE stream) gets a ``state`` per change and a whole snapshot on
joining. The lean state does not depend on the clock, so its snapshot is encoded once per
version, when the first client joins after a change; the whole snapshot carries
``remaining_ms`` and the like, so it is derived again at most once a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from podium.core import projection
from podium.core.config.programme import Programme
from podium.core.state import State
from podium.core.wire.delta import diff, held
from podium.core.wire.protocol import delta_message, encode, state_message
from podium.live.rooms.clock import Clock
from podium.live.rooms.hub import Change
from podium.runtime.frames import text_frame

SNAPSHOT_MAX_AGE_MS = 1000


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A state's frames built ahead, with its lean state."""

    state: State
    lean: dict[str, Any]
    change: Change


class Pushed:
    """One room's frames: ``change`` for each state adopted, in version order."""

    def __init__(self, room: str, base: Programme, clock: Clock) -> None:
        self.room = room
        self.base = base  # the programme file: each state's running plan is built on it
        self.clock = clock
        self._held: dict[str, Any] = {}  # the lean state of ``_version``
        self._version = -1
        self._lean: bytes | None = None  # its snapshot, once someone joined
        self._whole = b""  # the whole snapshot of ``_whole_version``, as of ``_whole_at``
        self._whole_version = -1
        self._whole_at = 0
        self._prepared: _Prepared | None = None  # ``prepare``'s, until ``change`` takes it

    def prepare(self, state: State) -> None:
        """Build ``state``'s frames ahead, before it is adopted (the room does it while
        the store makes the state durable); ``change`` takes them for that very state,
        and any ``change`` drops them, so a state adopted meanwhile (another process's)
        makes them be built again, from the version the clients then hold."""
        self._prepared = self._build(state)

    def change(self, state: State) -> Change:
        """The frames of ``state``, the one adopted after the last one given here."""
        prepared, self._prepared = self._prepared, None
        if prepared is None or prepared.state is not state:
            prepared = self._build(state)
        self._held, self._version, self._lean = prepared.lean, state.version, None
        return prepared.change

    def _build(self, state: State) -> _Prepared:
        now = self.clock()
        programme = state.programme(self.base)
        view = projection.view(programme, state, now)
        lean = held(programme, state, view)
        room, version = self.room, state.version
        text = delta_message(room, version, self._version, now, diff(self._held, lean))

        def whole() -> bytes:
            return text_frame(state_message("state", room, version, now, view))

        return _Prepared(state, lean, Change(text_frame(text), whole))

    def joining(self, state: State, have: int | None, full: bool) -> bytes:
        """What a joining client gets first: a snapshot (lean, or whole when it asked for
        whole states), or a short ``current`` when it already holds the room's version
        (``have``: a reconnecting page, or one that painted from ``/api/first``)."""
        if have == state.version:
            current = {"type": "current", "room": self.room, "version": have}
            return text_frame(encode({**current, "server_time": self.clock()}))
        if full:
            return self.whole_snapshot(state)
        if self._lean is None:
            body = state_message("snapshot", self.room, self._version, self.clock(), self._held)
            self._lean = text_frame(body)
        return self._lean

    def held(self, state: State) -> str | None:
        """The lean state of ``state`` as the deltas after it build on (for ``/api/first``:
        a page that paints from it then follows deltas from that very state); ``None``
        before ``state`` was adopted here."""
        return encode(self._held) if state.version == self._version else None

    def whole_snapshot(self, state: State) -> bytes:
        """The whole state as a snapshot, derived again at most once a second, so the
        clock's fields are fresh for late joiners while a reconnect storm still costs one
        encoding a second, not one per client."""
        now = self.clock()
        if state.version != self._whole_version or now - self._whole_at >= SNAPSHOT_MAX_AGE_MS:
            view = projection.view(state.programme(self.base), state, now)
            self._whole = text_frame(state_message("snapshot", self.room, state.version, now, view))
            self._whole_version, self._whole_at = state.version, now
        return self._whole

"""The speakers' readiness: whose link is open, who said they are ready (and their note),
their link's round trip from the clock sync, and when the server last heard of them.

It is not part of the versioned state: never stored, never in the public fan-out. It goes
only to moderator connections (each speaker's page gets its own entry), as ``readiness``
messages, encoded once per change.

With a shared store (Redis), each process tells the others its own part at once when it
changes and every ``TELL_EVERY_S`` (``Store.tell``); a process not heard of for
``FORGET_AFTER_S`` is gone, and its part with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from podium.core.errors import Forbidden, NotFound
from podium.core.wire.client import ReadyIn
from podium.core.wire.protocol import encode
from podium.live.rooms.room import Room
from podium.runtime.frames import text_frame

log = logging.getLogger("podium.live.readiness")

TOPIC = "readiness"
TELL_EVERY_S = 2.0
FORGET_AFTER_S = 3 * TELL_EVERY_S


class Listener(Protocol):
    """A WebSocket connection as readiness sees it."""

    role: str
    speaker_id: str | None
    transport: asyncio.WriteTransport | None


@dataclass
class Part:
    """One speaker as one process knows them."""

    connections: int = 0
    ready: bool = False
    note: str | None = None
    rtt_ms: int | None = None
    last_seen: int | None = None
    said_at: int = 0  # when ``ready`` or ``note`` last changed: the latest wins
    marked: bool = False  # ready because a moderator marked them present


NOBODY = {"connected": False, "ready": False, "note": None, "rtt_ms": None, "last_seen": None}


def merged(parts: list[Part]) -> dict[str, Any]:
    """One speaker as every process together knows them."""
    if not parts:
        return dict(NOBODY)
    said = max(parts, key=lambda p: p.said_at)
    connected = [p for p in parts if p.connections > 0]
    rtts = [p.rtt_ms for p in connected if p.rtt_ms is not None]
    seen = [p.last_seen for p in parts if p.last_seen is not None]
    return {
        "connected": bool(connected),
        "ready": said.ready,
        "note": said.note,
        "rtt_ms": min(rtts) if rtts else None,
        "last_seen": max(seen) if seen else None,
    }


class Readiness:
    """One room's readiness, and the connections it goes to."""

    def __init__(self, room: Room, process: str) -> None:
        self.room = room
        self.process = process  # this process, among those sharing the store
        self.mine: dict[str, Part] = {}
        self.theirs: dict[str, tuple[float, dict[str, Part]]] = {}  # process -> (heard, parts)
        self.moderators: set[Listener] = set()
        self.speakers: set[Listener] = set()
        self._sent: dict[str, Any] = {}
        self._dirty = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    # -- what it is -----------------------------------------------------------------------

    @property
    def ids(self) -> list[str]:
        """The room's speakers, in the running plan's order (a plan change adds or drops)."""
        return [sp.id for s in self.room.programme.sessions for sp in s.speakers]

    def snapshot(self) -> dict[str, dict[str, Any]]:
        parts: dict[str, list[Part]] = {sid: [] for sid in self.ids}
        for sid, part in self.mine.items():
            if sid in parts:  # not a speaker removed from the plan since
                parts[sid].append(part)
        for _, theirs in self.theirs.values():
            for sid, part in theirs.items():
                if sid in parts:
                    parts[sid].append(part)
        return {sid: merged(found) for sid, found in parts.items()}

    def message(self, speakers: dict[str, dict[str, Any]]) -> str:
        return encode({"type": "readiness", "room": self.room.id, "speakers": speakers})

    # -- who listens ----------------------------------------------------------------------

    def joined(self, conn: Listener) -> None:
        """A connection authenticated: a moderator gets readiness from now on; a speaker
        is connected (and gets their own entry)."""
        if conn.role == "moderator":
            self.moderators.add(conn)
            self._write(conn, self.message(self._sent or self.snapshot()))
        elif conn.role == "speaker" and conn.speaker_id is not None:
            self.speakers.add(conn)
            part = self._part(conn.speaker_id)
            part.connections += 1
            part.last_seen = self.room.clock()
            self.changed()

    def left(self, conn: Listener) -> None:
        self.moderators.discard(conn)
        if conn in self.speakers and conn.speaker_id is not None:
            self.speakers.discard(conn)
            part = self._part(conn.speaker_id)
            part.connections -= 1
            part.last_seen = self.room.clock()
            if part.connections == 0 and not part.marked and part.ready:
                part.ready, part.said_at = False, self.room.clock()  # the page says it again
            self.changed()

    # -- what speakers and moderators say ---------------------------------------------------

    def said(self, conn: Listener, message: ReadyIn) -> None:
        if conn not in self.speakers or conn.speaker_id is None:
            raise Forbidden("only a speaker's own link says ready; open the link you were sent")
        part = self._part(conn.speaker_id)
        note = (message.note or "").strip() or None
        part.ready, part.note, part.marked = message.ready, note, False
        part.said_at = part.last_seen = self.room.clock()
        self.changed()

    def heard(self, conn: Listener, rtt_ms: float | None) -> None:
        """A speaker's page pinged (clock sync), with the round trip it measured."""
        if conn not in self.speakers or conn.speaker_id is None:
            return
        part = self._part(conn.speaker_id)
        part.last_seen = self.room.clock()
        if rtt_ms is not None and round(rtt_ms) != part.rtt_ms:
            part.rtt_ms = round(rtt_ms)
            self.changed()

    def mark(self, speaker_id: str, ready: bool) -> None:
        """A moderator marks a speaker present in the room (or no longer)."""
        if speaker_id not in self.ids:
            raise NotFound(f"no speaker {speaker_id!r} in {self.room.id!r}; see GET /api/programme")
        part = self._part(speaker_id)
        part.ready, part.marked = ready, ready
        part.said_at = part.last_seen = self.room.clock()
        self.changed()

    def _part(self, speaker_id: str) -> Part:
        return self.mine.setdefault(speaker_id, Part())

    # -- telling ----------------------------------------------------------------------------

    def changed(self) -> None:
        """Push to the moderators (and each speaker their own) if anything they see
        changed; tell the other processes soon."""
        self._dirty.set()
        now = self.snapshot()
        if _without_ticking(now) == _without_ticking(self._sent):
            return
        self._sent = now
        text = self.message(now)
        frame = text_frame(text)
        for conn in list(self.moderators):
            self._write(conn, frame)
        for conn in list(self.speakers):
            sid = conn.speaker_id
            if sid in now:  # not a speaker the plan has dropped since (their page says so)
                self._write(conn, self.message({sid: now[sid]}))

    @staticmethod
    def _write(conn: Listener, data: str | bytes) -> None:
        transport = conn.transport
        if transport is not None and not transport.is_closing():
            transport.write(text_frame(data) if isinstance(data, str) else data)

    def heard_from(self, data: str) -> None:
        """Another process's part."""
        try:
            told = json.loads(data)
            process = told["process"]
            parts = {sid: Part(**part) for sid, part in told["speakers"].items()}
        except (ValueError, KeyError, TypeError):
            log.warning("%s: a readiness notice that is not one; ignored it", self.room.id)
            return
        if process == self.process:
            return
        self.theirs[process] = (asyncio.get_running_loop().time(), parts)
        self.changed()

    def forget_gone(self) -> None:
        cutoff = asyncio.get_running_loop().time() - FORGET_AFTER_S
        gone = [p for p, (heard, _) in self.theirs.items() if heard < cutoff]
        for process in gone:
            del self.theirs[process]
        if gone:
            self.changed()

    async def _tell(self) -> None:
        store = self.room.store
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._dirty.wait(), TELL_EVERY_S)
            self._dirty.clear()
            mine = {sid: asdict(part) for sid, part in self.mine.items()}
            try:
                await store.tell(
                    self.room.id, TOPIC, encode({"process": self.process, "speakers": mine})
                )
            except Exception:  # a bug of ours: say so, and keep telling
                log.exception("%s: could not tell the other processes the readiness", self.room.id)
            self.forget_gone()

    async def _listen(self, told: AsyncIterator[str]) -> None:
        async for data in told:
            self.heard_from(data)

    def start(self) -> None:
        """Share with the other processes, when the store is shared."""
        told = self.room.store.told(self.room.id, TOPIC)
        if told is not None:
            self._tasks = [
                asyncio.create_task(self._tell()),
                asyncio.create_task(self._listen(told)),
            ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _without_ticking(speakers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What a moderator must be told of: ``last_seen`` of a connected speaker moves with
    every ping, and is not news."""
    return {
        sid: {**entry, "last_seen": None} if entry["connected"] else entry
        for sid, entry in speakers.items()
    }

"""The embedded default store: plain files in a data directory, no service needed.

Per room, ``DATA/ROOM/log.jsonl`` is the write-ahead log (one JSON record a line, appended
and fsynced: a command is durable, and acknowledged, once its line is) and
``DATA/ROOM/state.json`` the checkpoint (written to a temporary file and renamed over the
old one). The checkpoint is written by a measured rule, in the background, never before
an ack: every 100 records, after a second without a commit, and at a clean stop
(``disk/checkpoints.py``). So the log may be ahead
of it; ``load`` hands the records past it back for replay. A write that fails part-way
truncates the log back, so a refused command leaves no trace.

The log is the durability point: while it holds every version from 0 (or from a
checkpoint record) up to the one last written, a checkpoint lost or emptied by a power
cut is set aside and the state rebuilt from the whole log, so the checkpoint skips its
fsyncs and a command costs one fsync. When the log does not hold it all (it was set
aside as corrupt, or its replay stopped part-way), the checkpoint is the only copy of
what the log lacks and is fsynced with its directory, as before.

Beside them, ``DATA/ROOM/outbox.jsonl`` keeps the automations' batches
(``disk/outbox.py``), ``questions.jsonl`` the audience's questions
(``disk/file_questions.py``), ``captions.jsonl`` the live captions' final lines
(``disk/file_captions.py``), and ``DATA/.ping`` is rewritten by the health check every
second.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from podium.core.captions import Caption
from podium.core.errors import AlreadyApplied, Conflict, Unavailable
from podium.core.questions import Done, Question, Status
from podium.core.state import State
from podium.store.base import COMMAND_IDS_KEPT, Leased, LogRecord, Store, Stored, command_id_of
from podium.store.disk import checkpoints
from podium.store.disk.file_captions import CAPTIONS_FILE, CaptionFile
from podium.store.disk.file_questions import QuestionFile
from podium.store.disk.logfile import append_line, fsync_dir, holds_every_version, past, write_all
from podium.store.disk.outbox import OUTBOX_FILE, Outbox

log = logging.getLogger("podium.store")
T = TypeVar("T")

HANDOFF_S = 0.002  # the longest the loop waits for the writer thread to reach its fsync
PING_FILE = ".ping"  # rewritten by the health check: the data dir takes a write


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class FileStore(Store):
    name = "files"

    def __init__(
        self,
        data_dir: str | Path,
        checkpoint_every: int = checkpoints.EVERY,
        checkpoint_idle_s: float = checkpoints.IDLE_S,
    ) -> None:
        self.root = Path(data_dir)
        self._versions: dict[str, int] = {}
        self._log_ends: dict[str, int | None] = {}  # last version, while the log holds all
        self._log_last: dict[str, int] = {}  # the version of the log file's last record
        self._failing: str | None = None
        self._command_ids: dict[str, dict[str, int]] = {}  # room -> id -> version, oldest first
        self._outboxes: dict[str, Outbox] = {}
        self._questions: dict[str, QuestionFile] = {}
        self._checkpoints = checkpoints.Checkpoints(
            lambda state: self._write_sync(state, None), checkpoint_every, checkpoint_idle_s
        )
        self._captions: dict[str, CaptionFile] = {}

    def _remember_id(self, room: str, record: LogRecord) -> None:
        command_id = command_id_of(record)
        if command_id is None:
            return
        ids = self._command_ids.setdefault(room, {})
        ids[command_id] = record.version
        if len(ids) > COMMAND_IDS_KEPT:
            del ids[next(iter(ids))]

    def _dir(self, room: str) -> Path:
        return self.root / room

    def _set_aside(self, path: Path, why: str) -> str:
        aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}")
        path.replace(aside)
        message = f"{path}: {why}; moved it to {aside.name}"
        log.error(message)
        return message

    def _read_log_sync(self, room: str) -> tuple[list[LogRecord], list[str]]:
        path = self._dir(room) / "log.jsonl"
        if not path.exists():
            return [], []
        records: list[LogRecord] = []
        lines = path.read_bytes().split(b"\n")
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                records.append(LogRecord.model_validate_json(line))
            except ValidationError:
                if number == len(lines) or (number == len(lines) - 1 and not lines[-1]):
                    # a torn last line: a write the crash cut short, never acknowledged
                    keep = b"\n".join(lines[: number - 1])
                    path.write_bytes(keep + b"\n" if keep else b"")
                    log.warning(
                        "%s: dropped a torn last line %d (never acknowledged)", path, number
                    )
                    break
                problem = self._set_aside(path, f"line {number} is not a log record")
                return records, [problem]
        return records, []

    def _load_sync(self, room: str) -> Stored:
        path = self._dir(room) / "state.json"
        problems: list[str] = []
        state: State | None = None
        if path.exists():
            try:
                state = State.model_validate_json(path.read_bytes())
            except (ValidationError, UnicodeDecodeError) as exc:
                why = f"not a valid state ({exc.__class__.__name__})"
                problems.append(self._set_aside(path, why))
        records, log_problems = self._read_log_sync(room)
        problems += log_problems
        self._command_ids[room] = {}
        for record in records:
            self._remember_id(room, record)
        base = state.version if state else -1
        pending = past(records, base)
        whole = not log_problems and holds_every_version(records)
        self._log_ends[room] = (records[-1].version if records else -1) if whole else None
        # the log file's last record (none once it was set aside): a repair behind it
        # means the room's replay stopped there
        self._log_last[room] = records[-1].version if records and not log_problems else -1
        return Stored(state=state, pending=pending, problems=problems)

    async def load(self, room: str) -> Stored:
        stored = await asyncio.to_thread(self._load_sync, room)
        checkpoint = stored.state.version if stored.state is not None else -1
        self._checkpoints.loaded(room, checkpoint)
        last = max([checkpoint, *(r.version for r in stored.pending[-1:])])
        if last >= 0:  # the log's last version: the next commit follows it
            self._versions[room] = last
        return stored

    def _write_state_sync(self, state: State) -> None:
        folder = self._dir(state.room)
        tmp = folder / "state.json.tmp"
        ends = self._log_ends.get(state.room)
        durable = ends is None or ends < state.version  # the log lacks it
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            write_all(fd, state.model_dump_json().encode())
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        tmp.replace(folder / "state.json")
        if durable:
            fsync_dir(folder)
            self._log_ends[state.room] = None  # later records build on what it lacks

    def _write_sync(
        self, state: State, record: LogRecord | None, begun: threading.Event | None = None
    ) -> None:
        folder = self._dir(state.room)
        folder.mkdir(parents=True, exist_ok=True)
        if record is None:
            self._write_state_sync(state)
            return
        line = record.model_dump_json(exclude_none=True).encode() + b"\n"
        append_line(folder / "log.jsonl", line, begun)
        ends = self._log_ends.get(state.room)
        whole = ends is not None and record.version == ends + 1
        self._log_ends[state.room] = record.version if whole else None
        self._log_last[state.room] = record.version

    async def _logged(
        self, state: State, record: LogRecord, meanwhile: Callable[[], None] | None
    ) -> None:
        """The record written and fsynced in a thread, while ``meanwhile`` runs on the loop.
        The loop first waits (never longer than ``HANDOFF_S``) for the thread to reach its
        fsync, which runs without the GIL: up to there the thread needs it, and the loop
        would hold it for as long as ``meanwhile`` runs, so the two would take turns."""
        begun = threading.Event()
        loop = asyncio.get_running_loop()
        written = loop.run_in_executor(None, self._write_sync, state, record, begun)
        try:
            if meanwhile is not None:
                begun.wait(HANDOFF_S)
                meanwhile()
        finally:
            await written  # a failed write's error comes first: the change was not made

    async def _write(
        self, state: State, record: LogRecord | None, meanwhile: Callable[[], None] | None = None
    ) -> None:
        try:
            if record is None:  # a repair: its checkpoint now
                await self._checkpoints.now(state)
            else:
                await self._logged(state, record, meanwhile)
        except OSError as exc:
            self._failing = f"cannot write to {self._dir(state.room)}: {exc.strerror}"
            raise Unavailable(
                f"{self._failing}; the change was not made. Free disk space or fix the"
                " directory's permissions, then try again"
            ) from None
        self._failing = None
        if record is None:  # a checkpoint: the log may be past it
            self._versions[state.room] = max(self._versions.get(state.room, -1), state.version)
            return
        self._versions[state.room] = state.version
        self._remember_id(state.room, record)
        self._checkpoints.logged(state)

    async def close(self) -> None:
        await self._checkpoints.close()

    async def create(self, state: State, record: LogRecord) -> State:
        stored = await self.load(state.room)
        if stored.state is not None:
            return stored.state
        await self._write(state, record)
        await self._write(state, None)  # a room's first state: its checkpoint at once
        return state

    async def commit(
        self, state: State, record: LogRecord, meanwhile: Callable[[], None] | None = None
    ) -> None:
        command_id = command_id_of(record)
        made = await self.made_by(state.room, command_id) if command_id else None
        if command_id and made is not None:
            raise AlreadyApplied(command_id, made)
        current = self._versions.get(state.room, -1)
        if current != state.version - 1:
            raise Conflict(f"the room is at version {current}, not {state.version - 1}", current)
        await self._write(state, record, meanwhile)

    async def made_by(self, room: str, command_id: str) -> int | None:
        return self._command_ids.get(room, {}).get(command_id)

    # -- automations: the outbox (``disk/outbox.py``) ----------------------------------------------

    def _outbox(self, room: str) -> Outbox:
        found = self._outboxes.get(room)
        if found is None:
            found = self._outboxes[room] = Outbox(self._dir(room) / OUTBOX_FILE)
        return found

    async def _outbox_write(self, room: str, call: Callable[[], T]) -> T:
        try:
            return await asyncio.to_thread(call)
        except OSError as exc:
            raise Unavailable(
                f"cannot write the automations' outbox in {self._dir(room)}: {exc.strerror}"
            ) from None

    async def claim(self, room: str, key: str, entry: str, lease_ms: int) -> bool:
        """One server per data dir (``runtime/datalock.py``): leases live in this process,
        the batches in ``DATA/ROOM/outbox.jsonl``, so a restart finds what was pending."""
        box = self._outbox(room)
        await self._outbox_write(room, box.load_sync)
        now = _now_ms()
        claimed = lambda: box.claim_sync(key, entry, now, now + lease_ms)  # noqa: E731
        return await self._outbox_write(room, claimed)

    async def renew(self, room: str, keys: list[str], lease_ms: int) -> set[str]:
        return self._outbox(room).renew(keys, _now_ms() + lease_ms)

    async def done_part(self, room: str, key: str, part: str) -> None:
        box = self._outbox(room)
        await self._outbox_write(room, lambda: box.done_part_sync(key, part))

    async def done(self, room: str, key: str) -> None:
        box = self._outbox(room)
        await self._outbox_write(room, lambda: box.done_sync(key, _now_ms()))

    async def lapsed(self, room: str, lease_ms: int, limit: int) -> list[Leased]:
        box = self._outbox(room)
        await self._outbox_write(room, box.load_sync)
        now = _now_ms()
        return box.take_lapsed(now, now + lease_ms, limit)

    async def ping(self) -> None:
        """The data dir answers and takes a write (a small file, ``.ping``, rewritten):
        a disk that hangs, went read-only or lost its permissions fails it."""
        try:
            await asyncio.to_thread(self._ping_sync)
        except OSError as exc:
            raise Unavailable(f"cannot write to {self.root}: {exc.strerror}") from None

    def _ping_sync(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / PING_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            write_all(fd, b"ok\n")
        finally:
            os.close(fd)

    async def repair(self, state: State) -> None:
        """Checkpoint ``state`` if it is newer than the checkpoint. One behind the log's last
        record is where the room's replay stopped (a record that no longer applies): the
        room goes on from it, its checkpoint written and fsynced at once, and ``past``
        reads the versions it logs again, not the ones that did not apply."""
        room = state.room
        behind = state.version < self._log_last.get(room, -1)
        if behind:
            self._log_ends[room] = None  # the log no longer holds the room's history
            self._versions[room] = state.version
        if behind or state.version > self._checkpoints.saved(room):
            await self._write(state, None)

    async def read_log(self, room: str) -> list[LogRecord]:
        records, _ = await asyncio.to_thread(self._read_log_sync, room)
        return records

    # -- questions (``disk/file_questions.py``) --------------------------------------------------

    def _question_file(self, room: str) -> QuestionFile:
        found = self._questions.get(room)
        if found is None:
            found = self._questions[room] = QuestionFile(self._dir(room) / "questions.jsonl")
        return found

    async def _question_write(self, call: Awaitable[T], what: str = "questions") -> T:
        try:
            return await call
        except OSError as exc:
            raise Unavailable(
                f"cannot write the {what} to {self.root}: {exc.strerror}; nothing was"
                " changed. Free disk space or fix the directory's permissions, then try again"
            ) from None

    async def load_questions(self, room: str) -> list[Question]:
        return await asyncio.to_thread(self._question_file(room).load_sync)

    async def add_question(
        self, room: str, question: Question, command_id: str | None = None
    ) -> Question:
        return await self._question_write(self._question_file(room).add(question, command_id))

    async def set_question_status(
        self,
        room: str,
        question_id: str,
        was: Status,
        status: Status,
        at: int,
        command_id: str | None = None,
    ) -> Question:
        book = self._question_file(room)
        return await self._question_write(book.set_status(question_id, was, status, at, command_id))

    async def vote(
        self, room: str, question_id: str, voter: str, command_id: str | None = None
    ) -> Question | None:
        book = self._question_file(room)
        return await self._question_write(book.vote(question_id, voter, command_id))

    async def get_question(self, room: str, question_id: str) -> Question | None:
        return self._question_file(room).get(question_id)

    async def question_done(self, room: str, command_id: str) -> Done | None:
        return await self._question_file(room).repeat(command_id)

    # -- captions (``disk/file_captions.py``) ----------------------------------------------------

    def _caption_file(self, room: str) -> CaptionFile:
        found = self._captions.get(room)
        if found is None:
            found = self._captions[room] = CaptionFile(self._dir(room) / CAPTIONS_FILE)
        return found

    async def add_caption(self, room: str, caption: Caption) -> None:
        await self._question_write(self._caption_file(room).add(caption), "captions")

    async def load_captions(self, room: str) -> list[Caption]:
        return await asyncio.to_thread(self._caption_file(room).load_sync)

    def health(self) -> dict[str, object]:
        healthy = {"store": self.name, "status": "ok", "data_dir": str(self.root)}
        return self.reported(healthy, self._failing)

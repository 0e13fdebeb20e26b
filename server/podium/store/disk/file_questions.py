"""The file store's questions: ``DATA/ROOM/questions.jsonl``, one record a line (a new
question, a status change, a vote), appended and fsynced before the call returns. Calls
that arrive within ``appender.GATHER_S`` of each other share one write and one fsync (a
group commit), so a storm of votes costs one fsync per batch, not per vote: at 1,100 calls a
second, about 150 fsyncs a second instead of 900, which the room's own commits (on the
same disk, through the same journal) would otherwise queue behind. ``load`` replays the
file; a torn last line (a write a crash cut short, never acknowledged) is dropped.

A write with a ``command_id`` keeps it on its line; ``load`` rebuilds the last
``COMMAND_IDS_KEPT`` ids with what each did, and a repeat is answered with that (a repeat
that arrives while the first is being written waits for it)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from podium.core.questions import (
    Done,
    Question,
    Status,
    find,
    may_vote,
    moved,
    repeated,
)
from podium.store.disk.appender import Appender

log = logging.getLogger("podium.store")

COMMAND_IDS_KEPT = 10_000  # per room, as for commands (store/base.py)


class Entry(BaseModel):
    """One line of ``questions.jsonl``."""

    model_config = ConfigDict(extra="forbid")
    op: Literal["ask", "status", "vote"]
    question: Question | None = None  # ask
    id: str | None = None  # status, vote
    status: Status | None = None  # status
    at: int | None = None  # status
    voter: str | None = None  # vote
    command_id: str | None = None  # any: the client's name for it (a retry is answered)


class QuestionFile:
    """One room's questions file, with the questions and votes it holds in memory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.questions: dict[str, Question] = {}
        self.voters: set[tuple[str, str]] = set()
        self._file = Appender(path)
        self._moving: dict[str, Question] = {}  # status changes on their way to the disk
        self.done: dict[str, Done] = {}  # command id -> what it did, oldest first
        self._doing: dict[str, asyncio.Future[None]] = {}  # command ids being written

    # -- reading ---------------------------------------------------------------------------

    def load_sync(self) -> list[Question]:
        if not self.path.exists():
            return []
        lines = self.path.read_bytes().split(b"\n")
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                self._replay(Entry.model_validate_json(line))
            except (ValidationError, KeyError):
                if any(rest.strip() for rest in lines[number:]):
                    log.error("%s: line %d is not a question record; skipped it", self.path, number)
                    continue
                keep = b"\n".join(lines[: number - 1])
                self.path.write_bytes(keep + b"\n" if keep else b"")
                log.warning("%s: dropped a torn last line %d (never acknowledged)", self.path,
                            number)  # fmt: skip
                break
        return list(self.questions.values())

    def _replay(self, entry: Entry) -> None:
        if entry.op == "ask" and entry.question is not None:
            self.questions[entry.question.id] = entry.question
            self._remember(entry.command_id, Done(k="ask", id=entry.question.id))
        elif entry.op == "status" and entry.id and entry.status and entry.at is not None:
            question = self.questions[entry.id]
            self.questions[entry.id] = moved(question, question.status, entry.status, entry.at)
            self._remember(entry.command_id, Done(k="status", id=entry.id))
        elif entry.op == "vote" and entry.id and entry.voter:
            self._count(entry.id, entry.voter)
            self._remember(entry.command_id, Done(k="vote", id=entry.id, c=True))

    def _remember(self, command_id: str | None, done: Done) -> None:
        if command_id is None:
            return
        self.done[command_id] = done
        if len(self.done) > COMMAND_IDS_KEPT:
            del self.done[next(iter(self.done))]

    async def repeat(self, command_id: str | None) -> Done | None:
        """What the write named ``command_id`` did, if it was made (waiting for one being
        written under that id)."""
        if command_id is None:
            return None
        doing = self._doing.get(command_id)
        if doing is not None:
            await asyncio.shield(doing)
        return self.done.get(command_id)

    @contextlib.contextmanager
    def _writing(self, command_id: str | None) -> Iterator[None]:
        """While a write with ``command_id`` is on its way: a repeat waits for it."""
        if command_id is None:
            yield
            return
        doing = self._doing[command_id] = asyncio.get_running_loop().create_future()
        try:
            yield
        finally:
            del self._doing[command_id]
            doing.set_result(None)

    def get(self, question_id: str) -> Question | None:
        return self.questions.get(question_id)

    def _count(self, question_id: str, voter: str) -> Question:
        question = self.questions[question_id]
        self.voters.add((question_id, voter))
        counted = question.model_copy(update={"votes": question.votes + 1})
        self.questions[question_id] = counted
        return counted

    # -- writing: check in memory, append durably, then change memory ----------------------

    async def add(self, question: Question, command_id: str | None = None) -> Question:
        """The question stored: this one, or for a repeated ``command_id`` the first's."""
        done = await self.repeat(command_id)
        if done is not None:
            return find(self.questions, repeated(done, "ask", None).id)
        with self._writing(command_id):
            entry = Entry(op="ask", question=question, command_id=command_id)
            await self._append(entry)
            self.questions[question.id] = question
            self._remember(command_id, Done(k="ask", id=question.id))
        return question

    async def set_status(
        self, question_id: str, was: Status, status: Status, at: int, command_id: str | None = None
    ) -> Question:
        """Checked against the question's last change, written or on its way (of two that
        start from one status, one wins), then written; changes to many questions share a
        write as votes do. Votes counted meanwhile are kept. A repeated ``command_id``:
        the question as it is now."""
        done = await self.repeat(command_id)
        if done is not None:
            return find(self.questions, repeated(done, "status", question_id).id)
        last = self._moving.get(question_id) or find(self.questions, question_id)
        checked = self._moving[question_id] = moved(last, was, status, at)
        entry = Entry(op="status", id=question_id, status=status, at=at, command_id=command_id)
        try:
            with self._writing(command_id):
                await self._append(entry)
                now = self.questions[question_id]
                changed = self.questions[question_id] = moved(now, now.status, status, at)
                self._remember(command_id, Done(k="status", id=question_id))
        finally:
            if self._moving.get(question_id) is checked:
                del self._moving[question_id]
        return changed

    async def vote(
        self, question_id: str, voter: str, command_id: str | None = None
    ) -> Question | None:
        done = await self.repeat(command_id)
        if done is not None:
            return self.questions[question_id] if repeated(done, "vote", question_id).c else None
        question = find(self.questions, question_id)
        may_vote(question, voter)
        if (question_id, voter) in self.voters:
            self._remember(command_id, Done(k="vote", id=question_id, c=False))
            return None
        self.voters.add((question_id, voter))  # a second vote meanwhile is not counted
        try:
            with self._writing(command_id):
                await self._append(Entry(op="vote", id=question_id, voter=voter,
                                         command_id=command_id))  # fmt: skip
                counted = self._count(question_id, voter)
                self._remember(command_id, Done(k="vote", id=question_id, c=True))
        except BaseException:
            self.voters.discard((question_id, voter))
            raise
        return counted

    async def _append(self, entry: Entry) -> None:
        await self._file.append(entry.model_dump_json(exclude_none=True).encode() + b"\n")

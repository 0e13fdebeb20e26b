"""The file store's questions: ``DATA/ROOM/questions.jsonl``, one record a line (a new
question, a status change, a vote), appended and fsynced before the call returns. Calls
that arrive within ``GATHER_S`` of each other share one write and one fsync (a group
commit), so a storm of votes costs one fsync per batch, not per vote: at 1,100 calls a
second, about 150 fsyncs a second instead of 900, which the room's own commits (on the
same disk, through the same journal) would otherwise queue behind. ``load`` replays the
file; a torn last line (a write a crash cut short, never acknowledged) is dropped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from podium.core.questions import Question, Status, find, moved, not_votable

log = logging.getLogger("podium.store")

GATHER_S = 0.005  # a batch takes the calls that come this long after its first


class Entry(BaseModel):
    """One line of ``questions.jsonl``."""

    model_config = ConfigDict(extra="forbid")
    op: Literal["ask", "status", "vote"]
    question: Question | None = None  # ask
    id: str | None = None  # status, vote
    status: Status | None = None  # status
    at: int | None = None  # status
    voter: str | None = None  # vote


class QuestionFile:
    """One room's questions file, with the questions and votes it holds in memory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.questions: dict[str, Question] = {}
        self.voters: set[tuple[str, str]] = set()
        self._waiting: list[tuple[bytes, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._moving: dict[str, Question] = {}  # status changes on their way to the disk

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
        elif entry.op == "status" and entry.id and entry.status and entry.at is not None:
            question = self.questions[entry.id]
            self.questions[entry.id] = moved(question, question.status, entry.status, entry.at)
        elif entry.op == "vote" and entry.id and entry.voter:
            self._count(entry.id, entry.voter)

    def _count(self, question_id: str, voter: str) -> Question:
        question = self.questions[question_id]
        self.voters.add((question_id, voter))
        counted = question.model_copy(update={"votes": question.votes + 1})
        self.questions[question_id] = counted
        return counted

    # -- writing: check in memory, append durably, then change memory ----------------------

    async def add(self, question: Question) -> None:
        await self._append(Entry(op="ask", question=question))
        self.questions[question.id] = question

    async def set_status(self, question_id: str, was: Status, status: Status, at: int) -> Question:
        """Checked against the question's last change, written or on its way (of two that
        start from one status, one wins), then written; changes to many questions share a
        write as votes do. Votes counted meanwhile are kept."""
        last = self._moving.get(question_id) or find(self.questions, question_id)
        checked = self._moving[question_id] = moved(last, was, status, at)
        try:
            await self._append(Entry(op="status", id=question_id, status=status, at=at))
        finally:
            if self._moving.get(question_id) is checked:
                del self._moving[question_id]
        now = self.questions[question_id]
        changed = self.questions[question_id] = moved(now, now.status, status, at)
        return changed

    async def vote(self, question_id: str, voter: str) -> Question | None:
        question = find(self.questions, question_id)
        if question.status != "approved":
            raise not_votable(question)
        if (question_id, voter) in self.voters:
            return None
        self.voters.add((question_id, voter))  # a second vote meanwhile is not counted
        try:
            await self._append(Entry(op="vote", id=question_id, voter=voter))
        except BaseException:
            self.voters.discard((question_id, voter))
            raise
        return self._count(question_id, voter)

    async def _append(self, entry: Entry) -> None:
        line = entry.model_dump_json(exclude_none=True).encode() + b"\n"
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((line, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        await done

    async def _drain(self) -> None:
        while self._waiting:
            await asyncio.sleep(GATHER_S)
            batch, self._waiting = self._waiting, []
            try:
                await asyncio.to_thread(self._write_sync, b"".join(line for line, _ in batch))
            except OSError as exc:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for _, done in batch:
                if not done.done():
                    done.set_result(None)

    def _write_sync(self, data: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            start = os.lseek(fd, 0, os.SEEK_END)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            except OSError:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, start)
                raise
        finally:
            os.close(fd)

"""One JSON-lines file appended durably: each ``append`` returns once its line is written
and fsynced. Lines that arrive within ``GATHER_S`` of each other share one write and one
fsync (a group commit), so a storm of small records costs one fsync per batch, not per
record. A write that fails is cut back to where it began, so no torn line is left behind
an error the caller saw. The questions (``file_questions.py``) and the captions
(``file_captions.py``) keep their files with it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from podium.store.disk.logfile import append_line

GATHER_S = 0.005  # a batch takes the lines that come this long after its first


class Appender:
    """Group-committed, fsynced appends to one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._waiting: list[tuple[bytes, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def append(self, line: bytes) -> None:
        """``line`` (ending in a newline) written and fsynced; ``OSError`` when not."""
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
        append_line(self.path, data)

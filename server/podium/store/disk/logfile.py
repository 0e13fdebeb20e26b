"""The file store's write-ahead log (``DATA/ROOM/log.jsonl``) as bytes on disk: an
unbuffered write, a line appended durably (the other JSON-lines files too), a folder
fsynced after a rename into it, and what the records read back say: those past a
checkpoint, and whether they hold every version."""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from pathlib import Path

from podium.store.base import LogRecord


def write_all(fd: int, data: bytes) -> None:
    """Unbuffered, so a failed write leaves nothing behind to be flushed later."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def append_line(path: Path, data: bytes, begun: threading.Event | None = None) -> None:
    """``data`` (whole lines) appended to ``path`` and fsynced; ``OSError`` when not, and
    then the file is cut back to where it was, so no torn line is left behind an error the
    caller saw. ``begun`` is set once the data is written and only its fsync is left."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        start = os.lseek(fd, 0, os.SEEK_END)
        try:
            write_all(fd, data)
            if begun is not None:
                begun.set()
            os.fsync(fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, start)
                os.fsync(fd)
            raise
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def past(records: list[LogRecord], base: int) -> list[LogRecord]:
    """The records past the checkpoint at ``base``: the log's last run that follows it
    (after a replay that stopped, the room went on from the checkpoint and logged those
    versions again, after the ones that did not apply), else every record past it."""
    run: list[LogRecord] = []
    for record in reversed(records):
        if record.version <= base or (run and record.version != run[-1].version - 1):
            break
        run.append(record)
    if not run or run[-1].version == base + 1:
        return run[::-1]  # nothing past it, or the run that follows it
    return [r for r in records if r.version > base]  # a gap: the replay says where


def holds_every_version(records: list[LogRecord]) -> bool:
    """The records run from version 0 (or from a checkpoint record) with no gap."""
    if records and records[0].version != 0 and records[0].state is None:
        return False
    return all(b.version == a.version + 1 for a, b in itertools.pairwise(records))

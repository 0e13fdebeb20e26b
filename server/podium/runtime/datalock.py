"""One server per data dir: an OS lock on ``DATA/server.lock`` for as long as it runs.

Two servers writing the same action log would interleave it. ``podium serve`` with the file
store takes an exclusive ``flock`` on the lock file and keeps it open until it exits; the
kernel drops the lock when the process ends in any way (even ``kill -9``), so a stale file
never blocks a restart. The holder writes its pid and command line into the file, so the
refusal can name the process. The tools that only read the data dir (``podium report``,
``podium ctl``) and ``podium token rotate`` (an atomic replace the server adopts) take no lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from podium.core.errors import PodiumError

LOCK_FILE = "server.lock"


class DataDirInUse(PodiumError):
    code = "data_dir_in_use"


def _holder(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 4096).decode("utf-8", "replace").strip()
    pid, _, command = text.partition("\n")
    if not pid:
        return "another process (it has not written its pid yet)"
    return f"process {pid} ({command})" if command else f"process {pid}"


@contextlib.contextmanager
def locked(data_dir: Path) -> Iterator[Path]:
    """Hold the data dir's lock while the block runs; ``DataDirInUse`` names the holder."""
    path = data_dir / LOCK_FILE
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        # held read-only: an open file for writing would keep the disk from being remounted
        # read-only, which the store survives (docs/security.md)
        fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DataDirInUse(f"cannot use the data dir {data_dir}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DataDirInUse(
                f"the data dir {data_dir} is in use by {_holder(fd)}, another podium server;"
                " stop that one, or give this one its own --data-dir"
            ) from None
        with contextlib.suppress(OSError):  # the pid is for the message; the lock is the lock
            path.write_text(f"{os.getpid()}\n{' '.join(['podium', *sys.argv[1:]])}\n")
        yield path
    finally:
        os.close(fd)  # releases the lock

"""What the process holds right now (for ``/healthz`` and the soak test): asyncio tasks,
open file descriptors and resident memory. Linux figures; elsewhere they are ``None``."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path


def _rss_kib() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _fds() -> int | None:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return None


def process_stats() -> dict[str, int | None]:
    return {"tasks": len(asyncio.all_tasks()), "fds": _fds(), "rss_kib": _rss_kib()}

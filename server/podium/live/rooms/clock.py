"""The server's clock: Unix milliseconds, the time every stored and pushed timestamp is in.
The pure core never reads it; rooms take it as ``clock`` (tests pass their own)."""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], int]


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000

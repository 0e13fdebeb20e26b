"""Times for people: moments as local times of day, durations as m:ss."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo


def clock(ms: int | None, zone: ZoneInfo) -> str:
    """An epoch-ms moment as ``HH:MM:SS`` in ``zone``; ``-`` for none."""
    if ms is None:
        return "-"
    return datetime.fromtimestamp(ms / 1000, zone).strftime("%H:%M:%S")


def stamp(ms: int, zone: ZoneInfo) -> str:
    """An epoch-ms moment as ``YYYY-MM-DD HH:MM`` in ``zone``."""
    return datetime.fromtimestamp(ms / 1000, zone).strftime("%Y-%m-%d %H:%M")


def _mss(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def length(ms: int | None, signed: bool = False) -> str:
    """``500000`` -> ``8:20``; ``3723000`` -> ``1:02:03``; signed: ``+0:30`` / ``-1:05``."""
    if ms is None:
        return "-"
    sign = ("+" if ms > 0 else "-" if ms < 0 else "±") if signed else ("-" if ms < 0 else "")
    return sign + _mss(round(abs(ms) / 1000))


def countdown(ms: int) -> str:
    """What a countdown shows: whole seconds rounded up, ``-`` once past zero (``-0:42``)."""
    return ("-" if ms < 0 else "") + _mss(math.ceil(abs(ms) / 1000))

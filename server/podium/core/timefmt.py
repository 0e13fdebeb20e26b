"""Times for people: moments as local times of day, durations as m:ss, and the countdown
as the venue screen shows it (the rule in docs/integrations.md, "The countdown")."""

from __future__ import annotations

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


def countdown_seconds(ms: int) -> int:
    """The whole seconds a countdown stands for: rounded up, so negative only from a whole
    second past zero (``-1500`` -> ``-1``)."""
    return -(-ms // 1000)


def countdown(ms: int) -> str:
    """What the venue screen shows for ``ms`` left: ``04:59`` (``05:00`` for a full five
    minutes), ``00:00`` for the first second at zero, then ``+00:01``; ``h:mm:ss`` from an
    hour. The cases: tests/data/countdown-cases.json, which the pages' ``countdown`` is
    held to too."""
    seconds = countdown_seconds(ms)
    h, rest = divmod(abs(seconds), 3600)
    m, s = divmod(rest, 60)
    digits = f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"
    return ("+" if seconds < 0 else "") + digits

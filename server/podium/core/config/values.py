"""What a value in a programme file may be, and how it is read and written: durations
("8m20s", "50m", seconds), times of day ("09:30"), ids, ``on_end`` and the colour
thresholds (``warning``, ``danger``)."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
_DURATION = re.compile(r"^(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?\s*(?:(\d+)s)?$")


ON_END = ("next", "stay")  # what a speaker's running timer reaching zero does


def parse_on_end(value: object) -> str:
    """``next``: the server advances by itself when the time is up; ``stay``: it does not."""
    if value not in ON_END:
        raise ValueError(
            f"{value!r} is not an on_end; use 'next' (the item advances by itself when its"
            " time is up, e.g. a recorded speech) or 'stay' (the default)"
        )
    return str(value)


def parse_duration_ms(value: object) -> int:
    """Seconds as a number, or text such as ``50m``, ``8m20s``, ``1h30m``, ``90s``."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or text like '8m20s'")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (m := _DURATION.match(value.strip())) and any(m.groups()):
        h, mi, s = (int(g or 0) for g in m.groups())
        seconds = h * 3600 + mi * 60 + s
    else:
        raise ValueError(f"{value!r} is not a duration; write seconds or text like '50m', '8m20s'")
    if not 0 < seconds <= 24 * 3600:
        raise ValueError("a duration must be more than 0 and at most 24 hours")
    return round(seconds * 1000)


def parse_clock(value: object) -> time:
    """A time of day as ``HH:MM`` or ``HH:MM:SS``."""
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a time of day; write it as HH:MM, e.g. '09:30'")


def format_duration(ms: int) -> str:
    """``500000`` → ``8m20s``; the inverse of ``parse_duration_ms`` for whole seconds."""
    seconds = round(ms / 1000)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    parts = [f"{h}h" if h else "", f"{m}m" if m else "", f"{s}s" if s else ""]
    return "".join(parts) or "0s"


DurationMs = Annotated[
    int,
    BeforeValidator(parse_duration_ms, json_schema_input_type=int | str),
    Field(description="seconds, or text such as '50m', '8m20s', '1h30m'"),
]
Clock = Annotated[
    time,
    BeforeValidator(parse_clock, json_schema_input_type=str),
    Field(description="time of day, HH:MM"),
]
Id = Annotated[str, Field(pattern=ID_PATTERN)]
OnEnd = Annotated[
    str | None,
    BeforeValidator(parse_on_end, json_schema_input_type=Literal["next", "stay"]),
    Field(
        description="'next': when the running timer reaches zero the server applies next (or"
        " end_session after the last speaker) by itself; 'stay' (default): it does not."
        " On a session: for each of its speakers without their own"
    ),
]
Threshold = Annotated[
    DurationMs | None,
    Field(
        description="the countdown turns amber (warning) or red (danger) at or under this;"
        " set on the event, a session or a speaker, the nearest one counts"
    ),
]

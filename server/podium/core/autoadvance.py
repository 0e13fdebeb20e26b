"""Items that end themselves (``on_end = "next"`` in the programme): what the one on now
will do by itself at its end, and when. Pure: the server's timer (``podium.live.rooms.autoadvance``)
and the state's ``auto_advance`` (``projection.view``) both ask ``auto_advance``."""

from __future__ import annotations

from dataclasses import dataclass

from podium.core.config.programme import Programme
from podium.core.state import Live, Phase, TimerStatus


@dataclass(frozen=True)
class AutoAdvance:
    """``action`` (``next``, or ``end_session`` after the last speaker) at ``at``, the
    timer's ``ends_at``; ``at`` is ``None`` while the timer is paused or ``held``."""

    action: str
    at: int | None
    held: bool


def auto_advance(programme: Programme, live: Live) -> AutoAdvance | None:
    """``None`` unless the speaker on now has ``on_end`` in the programme."""
    session = programme.session(live.session_id) if live.session_id else None
    if live.phase is not Phase.LIVE or session is None or live.speaker_index is None:
        return None
    if session.speakers[live.speaker_index].on_end is None:
        return None
    last = live.speaker_index == len(session.speakers) - 1
    timer = live.timer
    running = timer.status is TimerStatus.RUNNING and not timer.held
    return AutoAdvance(
        "end_session" if last else "next", timer.ends_at if running else None, timer.held
    )

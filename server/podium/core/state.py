"""A room's live state: frozen models of what is on now, and of what has run.

Times are integers: epoch milliseconds for moments, milliseconds for durations. A running
timer stores when it ends, a paused one how much was left: nothing here counts ticks.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from podium.core.config.programme import Programme
from podium.core.errors import present


class Phase(StrEnum):
    IDLE = "idle"  # no session live: before the event or between sessions
    LIVE = "live"  # a session is live
    FINISHED = "finished"  # the last session has run (any left before it were skipped)


class TimerStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


NO_ENDS_AT = "a running timer has no ends_at"  # invariants of a Timer
NO_LEFT_MS = "a paused timer has no left_ms"
# the one rule for "overran", the report's and the console's: at least a second past zero
OVERRAN_FROM_MS = 1_000


class Timer(_Frozen):
    status: TimerStatus = TimerStatus.STOPPED
    allocation_ms: int = 0
    added_ms: int = 0
    ends_at: int | None = None  # while running
    left_ms: int | None = None  # while paused
    held: bool = False  # kept on past its end: an item with on_end does not advance itself

    @property
    def duration_ms(self) -> int:
        return self.allocation_ms + self.added_ms

    def remaining_ms(self, now: int) -> int:
        if self.status is TimerStatus.RUNNING:
            return present(self.ends_at, NO_ENDS_AT) - now
        if self.status is TimerStatus.PAUSED:
            return present(self.left_ms, NO_LEFT_MS)
        return self.duration_ms

    def overtime_ms(self, now: int) -> int:
        """How far past zero the countdown is at ``now``, if the turn overran: by at least
        ``OVERRAN_FROM_MS``. Less is a turn ended on its zero (an item that ended itself,
        a press as the clock struck), not an overrun."""
        past = -self.remaining_ms(now)
        return past if past >= OVERRAN_FROM_MS else 0


class Run(_Frozen):
    """When a session or a speaker actually started and ended (last time round);
    ``earlier_ms``: how long they were on in earlier turns; ``overtime_ms``: how far past
    the countdown's zero a speaker's last turn ended (``Timer.overtime_ms``)."""

    started_at: int
    ended_at: int | None = None
    earlier_ms: int = 0
    overtime_ms: int = 0

    def on_ms(self, now: int) -> int:
        end = now if self.ended_at is None else self.ended_at
        return self.earlier_ms + end - self.started_at


Target = Literal["screen", "viewers", "all"]


class Message(_Frozen):
    text: str
    target: Target
    at: int
    pinned: bool = False  # a stage message that stays when the speaker changes


class Messages(_Frozen):
    """The stage's message and the viewers' message: each its own."""

    screen: Message | None = None
    viewers: Message | None = None


CueKind = Literal["wrap_up", "stop"]


class Cue(_Frozen):
    """The moderator's sign to the speaker on stage; it goes when the speaker changes."""

    kind: CueKind
    at: int
    speaker_id: str | None  # None in a session without speakers


SignalKind = Literal["slow_down", "louder", "no_sound"]


class BoothSignal(_Frozen):
    """The interpreters' sign to the speaker on stage ("slow down"), shown for a while
    (``core.booth``): to whom it went and when, and the versions it does not conflict
    with (``since``: the last change other than a booth signal; ``version``: its own)."""

    signal: SignalKind
    at: int
    session_id: str | None
    speaker_id: str | None
    version: int
    since: int


class ShownQuestion(_Frozen):
    """The audience's question on the screens (``show_question``)."""

    id: str
    text: str
    name: str = ""


class Change(_Frozen):
    """One applied command, as the consoles are told of it: ``summary``, one English line
    for logs and older clients, and what it did as fields a page says in its language.
    ``session_id`` and ``speaker_id``: who is on after it (for ``end_session``, who was on
    as it ended); the rest as the command gave them (or, for ``clear_cue`` and
    ``clear_question``, what was cleared); ``undone``: for an ``undo``, what it undid."""

    summary: str
    action: str
    actor: str | None
    at: int
    session_id: str | None = None
    speaker_id: str | None = None
    ended_session_id: str | None = None  # a jump (``end_live``): the session it ended
    seconds: int | None = None  # add_time
    target: Target | None = None  # show_message, clear_message
    on: bool | None = None  # blackout, hold
    kind: CueKind | None = None  # cue, clear_cue
    question_id: str | None = None  # show_question, clear_question
    date: str | None = None  # set_plan_date
    undone: Change | None = None  # undo: the change it undid


class Live(_Frozen):
    """What is on now. ``undo`` restores a previous ``Live`` whole; ``change`` is the
    command that made it, which is what undo would undo."""

    phase: Phase = Phase.IDLE
    session_id: str | None = None
    speaker_index: int | None = None
    timer: Timer = Timer()
    messages: Messages = Messages()
    blackout: bool = False
    cue: Cue | None = None
    question: ShownQuestion | None = None
    sessions: dict[str, Run] = {}
    speakers: dict[str, Run] = {}
    plan_date: dt.date | None = None  # set with set_plan_date; else State.plan_date
    change: Change | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_message_before(cls, data: Any) -> Any:
        """States stored before stage and viewers had a message each had one ``message``."""
        if isinstance(data, dict) and "message" in data:
            data = dict(data)
            old = data.pop("message")
            target = old.get("target") if isinstance(old, dict) else None
            data["messages"] = {
                "screen": old if target in ("screen", "all") else None,
                "viewers": old if target in ("viewers", "all") else None,
            }
        return data


class State(_Frozen):
    room: str
    plan_date: dt.date  # the programme's date, else the event-zone day the room was made
    version: int = 0
    updated_at: int
    live: Live = Live()
    undo: tuple[Live, ...] = ()
    last_change: Change | None = None
    booth_signal: BoothSignal | None = None  # apart from ``live``: undo leaves it alone

    @property
    def day(self) -> dt.date:
        """The day the plan runs on: as set with set_plan_date, else ``plan_date``."""
        return self.live.plan_date or self.plan_date


def initial_state(programme: Programme, now: int) -> State:
    return State(room=programme.id, plan_date=programme.plan_date_for(now), updated_at=now)

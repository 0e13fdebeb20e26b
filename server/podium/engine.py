"""The timing engine: pure state and ``apply``. No I/O, no asyncio, no clock of its own.

Rule 1: every change to a room's live state happens here, through ``apply``, and only
through the transitions listed in ``TRANSITIONS``. Everything a page shows (time left,
overtime, drift, projected times) is derived by ``view`` from stored timestamps: when a
timer ends, or how much was left when it was paused. Nothing counts ticks, so a state
written to disk and read back an hour later is still exactly right.

Times are integers: epoch milliseconds for moments, milliseconds for durations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from podium.errors import InvalidTransition, present, validate_tagged
from podium.programme import Programme, Session, Speaker

UNDO_DEPTH = 20  # each entry is a whole Live state, written with every checkpoint
MESSAGE_MAX = 500


class Phase(StrEnum):
    IDLE = "idle"  # no session live: before the event or between sessions
    LIVE = "live"  # a session is live
    FINISHED = "finished"  # every session has run


class TimerStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


NO_ENDS_AT = "a running timer has no ends_at"  # invariants of a Timer
NO_LEFT_MS = "a paused timer has no left_ms"


class Timer(_Frozen):
    status: TimerStatus = TimerStatus.STOPPED
    allocation_ms: int = 0
    added_ms: int = 0
    ends_at: int | None = None  # while running
    left_ms: int | None = None  # while paused

    @property
    def duration_ms(self) -> int:
        return self.allocation_ms + self.added_ms

    def remaining_ms(self, now: int) -> int:
        if self.status is TimerStatus.RUNNING:
            return present(self.ends_at, NO_ENDS_AT) - now
        if self.status is TimerStatus.PAUSED:
            return present(self.left_ms, NO_LEFT_MS)
        return self.duration_ms


class Run(_Frozen):
    """When a session or a speaker actually started and ended (last time round)."""

    started_at: int
    ended_at: int | None = None


Target = Literal["screen", "viewers", "all"]


class Message(_Frozen):
    text: str
    target: Target
    at: int


class Live(_Frozen):
    """What is on now. ``undo`` restores a previous ``Live`` whole."""

    phase: Phase = Phase.IDLE
    session_id: str | None = None
    speaker_index: int | None = None
    timer: Timer = Timer()
    message: Message | None = None
    blackout: bool = False
    sessions: dict[str, Run] = {}
    speakers: dict[str, Run] = {}


class State(_Frozen):
    room: str
    plan_date: dt.date
    version: int = 0
    updated_at: int
    live: Live = Live()
    undo: tuple[Live, ...] = ()


def initial_state(programme: Programme, now: int) -> State:
    return State(room=programme.id, plan_date=programme.plan_date_for(now), updated_at=now)


# -- commands ----------------------------------------------------------------------------

COMMAND_ID_MAX = 64


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    expected_version: int | None = Field(default=None, ge=0, le=2**53)
    # the client's name for this command: a retry with the same id is answered with the
    # first one's result instead of being applied again (docs/protocol.md)
    command_id: str | None = Field(
        default=None, min_length=1, max_length=COMMAND_ID_MAX, pattern=r"^[A-Za-z0-9._:-]+$"
    )


class StartSession(_Command):
    action: Literal["start_session"]
    session_id: str = Field(max_length=64)


class Next(_Command):
    action: Literal["next"]


class Previous(_Command):
    action: Literal["previous"]


class Goto(_Command):
    action: Literal["goto"]
    speaker_id: str = Field(max_length=64)


class Pause(_Command):
    action: Literal["pause"]


class Resume(_Command):
    action: Literal["resume"]


class AddTime(_Command):
    action: Literal["add_time"]
    seconds: int = Field(ge=-86_400, le=86_400)

    @field_validator("seconds")
    @classmethod
    def _not_zero(cls, v: int) -> int:
        if v == 0:
            raise ValueError("seconds must not be 0; add or remove at least one second")
        return v


class EndSession(_Command):
    action: Literal["end_session"]


class ShowMessage(_Command):
    action: Literal["show_message"]
    text: str = Field(max_length=MESSAGE_MAX)
    target: Target = "all"

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("text is empty; write the message to show")
        return v


class ClearMessage(_Command):
    action: Literal["clear_message"]


class Blackout(_Command):
    action: Literal["blackout"]
    on: bool


class Undo(_Command):
    action: Literal["undo"]


Command = Annotated[
    StartSession
    | Next
    | Previous
    | Goto
    | Pause
    | Resume
    | AddTime
    | EndSession
    | ShowMessage
    | ClearMessage
    | Blackout
    | Undo,
    Field(discriminator="action"),
]
_COMMAND = TypeAdapter(Command)
ACTIONS = (
    "start_session", "next", "previous", "goto", "pause", "resume", "add_time",
    "end_session", "show_message", "clear_message", "blackout", "undo",
)  # fmt: skip


def command_schema() -> dict[str, Any]:
    return _COMMAND.json_schema()


def parse_command(data: object) -> Command:
    """Validate a command mapping; a clear ``InvalidInput`` for anything malformed."""
    command: Command = validate_tagged(_COMMAND, data, "action", ACTIONS, "command")
    return command


# -- transitions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    state: State
    summary: str  # one line for the action log, e.g. "next: Hequan WU -> Bilel Jamoussi"


def _refuse(reason: str) -> InvalidTransition:
    return InvalidTransition(reason)


def _live_session(p: Programme, live: Live) -> Session:
    if live.phase is not Phase.LIVE or live.session_id is None:
        raise _refuse("no session is live; start one with start_session")
    lacking = (
        f"the live session {live.session_id!r} is not in programme {p.id!r}"
        " (was the programme file edited while it ran?)"
    )
    return present(p.session(live.session_id), lacking)


def _current_speaker(p: Programme, live: Live) -> Speaker | None:
    if live.session_id is None or live.speaker_index is None:
        return None
    session = p.session(live.session_id)
    return session.speakers[live.speaker_index] if session else None


def _close_speaker(p: Programme, live: Live, now: int) -> dict[str, Run]:
    speaker = _current_speaker(p, live)
    runs = dict(live.speakers)
    if speaker is not None and speaker.id in runs:
        runs[speaker.id] = runs[speaker.id].model_copy(update={"ended_at": now})
    return runs


def _put_on(p: Programme, live: Live, session: Session, index: int | None, now: int) -> Live:
    """Make ``session`` live with speaker ``index`` on and their timer running."""
    speakers = _close_speaker(p, live, now)
    sessions = dict(live.sessions)
    if live.session_id != session.id or live.phase is not Phase.LIVE:
        sessions[session.id] = Run(started_at=now)
    if index is None:  # a session without speakers: its slot is the timer
        allocation = session.duration_ms
    else:
        speaker = session.speakers[index]
        speakers[speaker.id] = Run(started_at=now)
        allocation = speaker.allocation_ms
    timer = Timer(status=TimerStatus.RUNNING, allocation_ms=allocation, ends_at=now + allocation)
    return live.model_copy(
        update={
            "phase": Phase.LIVE,
            "session_id": session.id,
            "speaker_index": index,
            "timer": timer,
            "sessions": sessions,
            "speakers": speakers,
        }
    )


def _name(speaker: Speaker | None) -> str:
    return speaker.display_name if speaker else "nobody"


def _start_session(p: Programme, live: Live, cmd: StartSession, now: int) -> tuple[Live, str]:
    session = p.session(cmd.session_id)
    if session is None:
        raise _refuse(f"no session with id {cmd.session_id!r}; see GET /api/programme")
    if live.phase is Phase.LIVE:
        raise _refuse(f"session {live.session_id!r} is live; end it with end_session first")
    first = 0 if session.speakers else None
    return _put_on(p, live, session, first, now), f"start_session: {session.title}"


def _step(p: Programme, live: Live, now: int, delta: int) -> tuple[Live, str]:
    session = _live_session(p, live)
    if live.speaker_index is None:
        raise _refuse(f"{session.title!r} has no speakers; end it with end_session")
    target = live.speaker_index + delta
    current = session.speakers[live.speaker_index]
    if target >= len(session.speakers):
        raise _refuse(f"there is no speaker after {current.display_name}; end the session instead")
    if target < 0:
        raise _refuse(f"there is no speaker before {current.display_name}")
    new = _put_on(p, live, session, target, now)
    return new, f"{current.display_name} -> {session.speakers[target].display_name}"


def _next(p: Programme, live: Live, cmd: Next, now: int) -> tuple[Live, str]:
    new, summary = _step(p, live, now, +1)
    return new, f"next: {summary}"


def _previous(p: Programme, live: Live, cmd: Previous, now: int) -> tuple[Live, str]:
    new, summary = _step(p, live, now, -1)
    return new, f"previous: {summary}"


def _goto(p: Programme, live: Live, cmd: Goto, now: int) -> tuple[Live, str]:
    found = p.find_speaker(cmd.speaker_id)
    if found is None:
        raise _refuse(f"no speaker with id {cmd.speaker_id!r}; see GET /api/programme")
    session, index = found
    if live.phase is Phase.LIVE and live.session_id != session.id:
        raise _refuse(
            f"{cmd.speaker_id!r} speaks in {session.id!r} but {live.session_id!r} is live;"
            " end it with end_session first"
        )
    if live.phase is Phase.LIVE and live.speaker_index == index:
        raise _refuse(f"that speaker is already on: {session.speakers[index].display_name}")
    new = _put_on(p, live, session, index, now)
    return new, f"goto: {session.speakers[index].display_name}"


def _pause(p: Programme, live: Live, cmd: Pause, now: int) -> tuple[Live, str]:
    _live_session(p, live)
    timer = live.timer
    if timer.status is not TimerStatus.RUNNING:
        raise _refuse("the timer is already paused; resume it instead")
    paused = timer.model_copy(
        update={"status": TimerStatus.PAUSED, "left_ms": timer.remaining_ms(now), "ends_at": None}
    )
    return live.model_copy(update={"timer": paused}), f"pause: {_name(_current_speaker(p, live))}"


def _resume(p: Programme, live: Live, cmd: Resume, now: int) -> tuple[Live, str]:
    _live_session(p, live)
    timer = live.timer
    if timer.status is not TimerStatus.PAUSED:
        raise _refuse("the timer is not paused; there is nothing to resume")
    running = timer.model_copy(
        update={
            "status": TimerStatus.RUNNING,
            "ends_at": now + timer.remaining_ms(now),
            "left_ms": None,
        }
    )
    return live.model_copy(update={"timer": running}), f"resume: {_name(_current_speaker(p, live))}"


def _add_time(p: Programme, live: Live, cmd: AddTime, now: int) -> tuple[Live, str]:
    _live_session(p, live)
    timer = live.timer
    delta = cmd.seconds * 1000
    update: dict[str, Any] = {"added_ms": timer.added_ms + delta}
    if timer.status is TimerStatus.RUNNING:
        update["ends_at"] = present(timer.ends_at, NO_ENDS_AT) + delta
    else:
        update["left_ms"] = present(timer.left_ms, NO_LEFT_MS) + delta
    new = live.model_copy(update={"timer": timer.model_copy(update=update)})
    return new, f"add_time: {cmd.seconds:+d}s for {_name(_current_speaker(p, live))}"


def _end_session(p: Programme, live: Live, cmd: EndSession, now: int) -> tuple[Live, str]:
    session = _live_session(p, live)
    speakers = _close_speaker(p, live, now)
    sessions = dict(live.sessions)
    sessions[session.id] = sessions[session.id].model_copy(update={"ended_at": now})
    everything_ran = all(
        s.id in sessions and sessions[s.id].ended_at is not None for s in p.sessions
    )
    new = live.model_copy(
        update={
            "phase": Phase.FINISHED if everything_ran else Phase.IDLE,
            "session_id": None,
            "speaker_index": None,
            "timer": Timer(),
            "sessions": sessions,
            "speakers": speakers,
        }
    )
    return new, f"end_session: {session.title}"


def _show_message(p: Programme, live: Live, cmd: ShowMessage, now: int) -> tuple[Live, str]:
    message = Message(text=cmd.text, target=cmd.target, at=now)
    return live.model_copy(update={"message": message}), f"show_message to {cmd.target}"


def _clear_message(p: Programme, live: Live, cmd: ClearMessage, now: int) -> tuple[Live, str]:
    if live.message is None:
        raise _refuse("no message is shown; there is nothing to clear")
    return live.model_copy(update={"message": None}), "clear_message"


def _blackout(p: Programme, live: Live, cmd: Blackout, now: int) -> tuple[Live, str]:
    if live.blackout == cmd.on:
        raise _refuse(f"the screen is {'already' if cmd.on else 'not'} blacked out")
    return live.model_copy(update={"blackout": cmd.on}), f"blackout: {'on' if cmd.on else 'off'}"


Transition = Callable[[Programme, Live, Any, int], tuple[Live, str]]

TRANSITIONS: dict[str, Transition] = {
    "start_session": _start_session,
    "next": _next,
    "previous": _previous,
    "goto": _goto,
    "pause": _pause,
    "resume": _resume,
    "add_time": _add_time,
    "end_session": _end_session,
    "show_message": _show_message,
    "clear_message": _clear_message,
    "blackout": _blackout,
}


def apply(programme: Programme, state: State, command: Command, now: int) -> Applied:
    """The one way a state changes. Raises ``InvalidTransition`` and changes nothing
    when the action makes no sense now. ``expected_version`` is checked by the caller,
    which owns the notion of "current" (see ``room.py``)."""
    if isinstance(command, Undo):
        if not state.undo:
            raise _refuse("there is nothing to undo")
        live, undo, summary = state.undo[-1], state.undo[:-1], "undo"
    else:
        live, summary = TRANSITIONS[command.action](programme, state.live, command, now)
        undo = (*state.undo, state.live)[-UNDO_DEPTH:]
    new = state.model_copy(
        update={"version": state.version + 1, "updated_at": now, "live": live, "undo": undo}
    )
    return Applied(new, summary)


# -- what everyone sees ----------------------------------------------------------------------


def _person(speaker: Speaker, index: int, count: int) -> dict[str, Any]:
    return {
        "id": speaker.id,
        "name": speaker.name,
        "honorific": speaker.honorific,
        "display_name": speaker.display_name,
        "affiliation": speaker.affiliation,
        "name_zh": speaker.name_zh,
        "honorific_zh": speaker.honorific_zh,
        "display_name_zh": speaker.display_name_zh,
        "affiliation_zh": speaker.affiliation_zh,
        "presence": speaker.presence.value,
        "allocation_ms": speaker.allocation_ms,
        "index": index,
        "count": count,
    }


def _projected_live_end(session: Session, live: Live, now: int) -> int:
    left = max(live.timer.remaining_ms(now), 0)
    if live.speaker_index is not None:
        left += sum(s.allocation_ms for s in session.speakers[live.speaker_index + 1 :])
    return now + left


def _schedule(p: Programme, state: State, now: int) -> tuple[list[dict[str, Any]], int]:
    """Every session's planned, actual and projected times, and the day's drift.

    Sessions not run yet are projected back to back from the live session's projected end
    (or from now), never before their planned start. One not run while a later one has
    run is "skipped" (it can still be started). Drift: how late the live session will
    end; with none live, how late the next one starts; at the end, how late the day ended.
    """
    live = state.live
    runs = live.sessions
    reached = max((i for i, s in enumerate(p.sessions) if s.id in runs), default=-1)
    cursor = now
    live_session = p.session(live.session_id) if live.session_id else None
    if live_session is not None:
        cursor = _projected_live_end(live_session, live, now)
    rows: list[dict[str, Any]] = []
    drift: int | None = None
    last_end_drift = 0
    next_seen = False
    for i, session in enumerate(p.sessions):
        planned_start = p.planned_start_ms(session, state.plan_date)
        planned_end = planned_start + session.duration_ms
        run = runs.get(session.id)
        row: dict[str, Any] = {
            "id": session.id,
            "planned_start": planned_start,
            "planned_end": planned_end,
            "actual_start": run.started_at if run else None,
            "actual_end": run.ended_at if run else None,
            "projected_start": None,
            "projected_end": None,
        }
        if live_session is not None and session.id == live_session.id:
            run = present(run, f"the live session {session.id!r} has no start time")
            row |= {"status": "live", "projected_start": run.started_at, "projected_end": cursor}
            drift = cursor - planned_end
        elif run is not None and run.ended_at is not None:
            row |= {"status": "done", "projected_start": run.started_at}
            row |= {"projected_end": run.ended_at}
            last_end_drift = run.ended_at - planned_end
        elif i < reached:
            row["status"] = "skipped"
        else:
            start = max(planned_start, cursor)
            cursor = start + session.duration_ms
            row |= {"projected_start": start, "projected_end": cursor}
            row["status"] = "upcoming" if next_seen else "next"
            next_seen = True
            if drift is None:
                drift = start - planned_start
        rows.append(row)
    return rows, drift if drift is not None else last_end_drift


def view(programme: Programme, state: State, now: int) -> dict[str, Any]:
    """The state as every client sees it, derived from timestamps as of ``now``."""
    live = state.live
    session = programme.session(live.session_id) if live.session_id else None
    session_view = speaker_view = next_view = None
    if session is not None:
        run = live.sessions[session.id]
        ends_at = run.started_at + session.duration_ms
        session_view = {
            "id": session.id,
            "title": session.title,
            "group_title": session.group_title,
            "moderators": [m.display_name for m in session.moderators],
            "title_zh": session.title_zh,
            "group_title_zh": session.group_title_zh,
            "moderators_zh": [m.display_name_zh for m in session.moderators],
            "started_at": run.started_at,
            "ends_at": ends_at,
            "duration_ms": session.duration_ms,
            "remaining_ms": ends_at - now,
        }
        count = len(session.speakers)
        if live.speaker_index is not None:
            i = live.speaker_index
            speaker_view = _person(session.speakers[i], i, count)
            if i + 1 < count:
                next_view = _person(session.speakers[i + 1], i + 1, count)
    timer = live.timer
    schedule, drift = _schedule(programme, state, now)
    return {
        "phase": live.phase.value,
        "session": session_view,
        "speaker": speaker_view,
        "next_speaker": next_view,
        "timer": {
            "status": timer.status.value,
            "duration_ms": timer.duration_ms,
            "allocation_ms": timer.allocation_ms,
            "added_ms": timer.added_ms,
            "remaining_ms": timer.remaining_ms(now),
            "ends_at": timer.ends_at,
        },
        "message": live.message.model_dump() if live.message else None,
        "blackout": live.blackout,
        "drift_ms": drift,
        "schedule": schedule,
        "speakers_run": {k: v.model_dump() for k, v in live.speakers.items()},
        "can_undo": bool(state.undo),
        "plan_date": state.plan_date.isoformat(),
    }

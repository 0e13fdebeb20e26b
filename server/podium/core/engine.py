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

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from podium.core.errors import InvalidTransition, present, validate_tagged
from podium.core.programme import Programme, Session, Speaker

UNDO_DEPTH = 20  # each entry is a whole Live state, written with every checkpoint
MESSAGE_MAX = 500
# A speaker put on and moved past in less than this, all turns together, was skipped (a
# quick "next" over them), not heard: the rundown and the report say "skipped".
SKIPPED_UNDER_MS = 5_000


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
    """When a session or a speaker actually started and ended (last time round);
    ``earlier_ms``: how long they were on in earlier turns."""

    started_at: int
    ended_at: int | None = None
    earlier_ms: int = 0

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


class Change(_Frozen):
    """One applied command, as the consoles are told of it."""

    summary: str
    action: str
    actor: str | None
    at: int


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

    @property
    def day(self) -> dt.date:
        """The day the plan runs on: as set with set_plan_date, else ``plan_date``."""
        return self.live.plan_date or self.plan_date


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
    actor: str | None = Field(
        default=None,
        max_length=64,
        description="who sends it (a console's id); the server fills in the connection",
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
    pinned: bool = False

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("text is empty; write the message to show")
        return v


class ClearMessage(_Command):
    action: Literal["clear_message"]
    target: Target = "all"


class SetPlanDate(_Command):
    action: Literal["set_plan_date"]
    date: str = Field(description="YYYY-MM-DD: the day the programme's times are for")

    @field_validator("date")
    @classmethod
    def _a_day(cls, v: str) -> str:
        try:
            return dt.date.fromisoformat(v).isoformat() if len(v) == 10 else cls._bad(v)
        except ValueError:
            return cls._bad(v)

    @staticmethod
    def _bad(v: str) -> str:
        raise ValueError(f"{v!r} is not a day; write it as YYYY-MM-DD")


class Blackout(_Command):
    action: Literal["blackout"]
    on: bool


class Undo(_Command):
    action: Literal["undo"]


class CueSpeaker(_Command):
    action: Literal["cue"]
    kind: CueKind


class ClearCue(_Command):
    action: Literal["clear_cue"]


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
    | SetPlanDate
    | Undo
    | CueSpeaker
    | ClearCue,
    Field(discriminator="action"),
]
_COMMAND = TypeAdapter(Command)
ACTIONS = (
    "start_session", "next", "previous", "goto", "pause", "resume", "add_time",
    "end_session", "show_message", "clear_message", "blackout", "set_plan_date", "undo",
    "cue", "clear_cue",
)  # fmt: skip


def command_schema() -> dict[str, Any]:
    return _COMMAND.json_schema()


def parse_command(data: object) -> Command:
    """Validate a command mapping; a clear ``InvalidInput`` for anything malformed."""
    command: Command = validate_tagged(_COMMAND, data, "action", ACTIONS, "command")
    return command


def signed(command: Command, actor: str) -> Command:
    """``command`` with ``actor`` as its sender if it names none: the connection it came
    by, as the action log records it (so a replay gives the same state)."""
    return command if command.actor else command.model_copy(update={"actor": actor})


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


def _stage_cleared(live: Live) -> Messages:
    """The messages once the speaker changes: the stage's goes unless it was pinned."""
    screen = live.messages.screen
    if screen is None or screen.pinned:
        return live.messages
    return live.messages.model_copy(update={"screen": None})


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
        before = speakers.get(speaker.id)
        earlier = before.on_ms(now) if before is not None else 0
        speakers[speaker.id] = Run(started_at=now, earlier_ms=earlier)
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
            "messages": _stage_cleared(live),
            "cue": None,
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
    # the day is over once its last session has run: any left unrun before it were skipped
    last = sessions.get(p.sessions[-1].id)
    new = live.model_copy(
        update={
            "phase": Phase.FINISHED if last and last.ended_at is not None else Phase.IDLE,
            "session_id": None,
            "speaker_index": None,
            "timer": Timer(),
            "sessions": sessions,
            "speakers": speakers,
            "messages": _stage_cleared(live),
            "cue": None,
        }
    )
    return new, f"end_session: {session.title}"


def _slots(target: Target) -> tuple[str, ...]:
    return ("screen", "viewers") if target == "all" else (target,)


def _show_message(p: Programme, live: Live, cmd: ShowMessage, now: int) -> tuple[Live, str]:
    update: dict[str, Message] = {}
    for slot in _slots(cmd.target):
        pinned = cmd.pinned and slot == "screen"
        update[slot] = Message(text=cmd.text, target=cmd.target, at=now, pinned=pinned)
    messages = live.messages.model_copy(update=update)
    pinned = " (pinned)" if cmd.pinned and "screen" in update else ""
    return live.model_copy(update={"messages": messages}), f"show_message to {cmd.target}{pinned}"


def _clear_message(p: Programme, live: Live, cmd: ClearMessage, now: int) -> tuple[Live, str]:
    shown = [slot for slot in _slots(cmd.target) if getattr(live.messages, slot) is not None]
    if not shown:
        where = "" if cmd.target == "all" else f" to {cmd.target}"
        raise _refuse(f"no message{where} is shown; there is nothing to clear")
    messages = live.messages.model_copy(update=dict.fromkeys(shown))
    return live.model_copy(update={"messages": messages}), f"clear_message: {cmd.target}"


def _blackout(p: Programme, live: Live, cmd: Blackout, now: int) -> tuple[Live, str]:
    if live.blackout == cmd.on:
        raise _refuse(f"the screen is {'already' if cmd.on else 'not'} blacked out")
    return live.model_copy(update={"blackout": cmd.on}), f"blackout: {'on' if cmd.on else 'off'}"


def _set_plan_date(p: Programme, live: Live, cmd: SetPlanDate, now: int) -> tuple[Live, str]:
    day = dt.date.fromisoformat(cmd.date)
    if live.plan_date == day:
        raise _refuse(f"the plan is already for {cmd.date}")
    return live.model_copy(update={"plan_date": day}), f"set_plan_date: {cmd.date}"


def _cue(p: Programme, live: Live, cmd: CueSpeaker, now: int) -> tuple[Live, str]:
    _live_session(p, live)
    if live.cue is not None and live.cue.kind == cmd.kind:
        raise _refuse(f"the {cmd.kind} cue is already shown; clear it with clear_cue")
    speaker = _current_speaker(p, live)
    cue = Cue(kind=cmd.kind, at=now, speaker_id=speaker.id if speaker else None)
    return live.model_copy(update={"cue": cue}), f"cue {cmd.kind}: {_name(speaker)}"


def _clear_cue(p: Programme, live: Live, cmd: ClearCue, now: int) -> tuple[Live, str]:
    if live.cue is None:
        raise _refuse("no cue is shown; there is nothing to clear")
    return live.model_copy(update={"cue": None}), f"clear_cue: {live.cue.kind}"


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
    "set_plan_date": _set_plan_date,
    "cue": _cue,
    "clear_cue": _clear_cue,
}


def apply(programme: Programme, state: State, command: Command, now: int) -> Applied:
    """The one way a state changes. Raises ``InvalidTransition`` and changes nothing
    when the action makes no sense now. ``expected_version`` is checked by the caller,
    which owns the notion of "current" (see ``room.py``)."""
    if isinstance(command, Undo):
        if not state.undo:
            raise _refuse("there is nothing to undo")
        undone = state.live.change
        live, undo = state.undo[-1], state.undo[:-1]
        summary = f"undo: {undone.summary}" if undone else "undo"
    else:
        live, summary = TRANSITIONS[command.action](programme, state.live, command, now)
        undo = (*state.undo, state.live)[-UNDO_DEPTH:]
    change = Change(summary=summary, action=command.action, actor=command.actor, at=now)
    if not isinstance(command, Undo):
        live = live.model_copy(update={"change": change})
    update = {"version": state.version + 1, "updated_at": now, "live": live, "undo": undo}
    new = state.model_copy(update=update | {"last_change": change})
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
        "warning_ms": speaker.warning_ms,
        "danger_ms": speaker.danger_ms,
        "index": index,
        "count": count,
    }


def _projected_live_end(session: Session, live: Live, now: int) -> int:
    left = max(live.timer.remaining_ms(now), 0)
    if live.speaker_index is not None:
        left += sum(s.allocation_ms for s in session.speakers[live.speaker_index + 1 :])
    return now + left


def _speaker_statuses(session: Session, live: Live, passed: bool, now: int) -> dict[str, str]:
    """Each speaker's place in the day: "live", "done", "skipped" or "upcoming".

    Skipped: on for less than ``SKIPPED_UNDER_MS`` in all (a quick "next" over them), or
    never on while the day went past them (a later speaker of theirs was on, or their
    session ended or was passed over). Anyone skipped can still be put on with goto.
    """
    run = live.sessions.get(session.id)
    past = (passed and run is None) or (run is not None and run.ended_at is not None)
    on_now = live.speaker_index if live.session_id == session.id else None
    statuses: dict[str, str] = {}
    later_on = past
    for index in range(len(session.speakers) - 1, -1, -1):
        speaker = session.speakers[index]
        turn = live.speakers.get(speaker.id)
        if index == on_now:
            status = "live"
        elif turn is not None:
            status = "done" if turn.on_ms(now) >= SKIPPED_UNDER_MS else "skipped"
        else:
            status = "skipped" if later_on else "upcoming"
        later_on = later_on or turn is not None
        statuses[speaker.id] = status
    return dict(reversed(statuses.items()))


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
        planned_start = p.planned_start_ms(session, state.day)
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
            "speakers": _speaker_statuses(session, live, i < reached, now),
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
            **_thresholds(programme, session, live),
        },
        "cue": live.cue.model_dump() if live.cue else None,
        "message": _latest_message(live.messages),
        "messages": live.messages.model_dump(),
        "blackout": live.blackout,
        "drift_ms": drift,
        "schedule": schedule,
        "speakers_run": {k: v.model_dump() for k, v in live.speakers.items()},
        "can_undo": bool(state.undo),
        "undo": state.live.change.model_dump() if state.undo and state.live.change else None,
        "last_change": state.last_change.model_dump() if state.last_change else None,
        "plan_date": state.day.isoformat(),
        "plan_date_from": "console"
        if state.live.plan_date
        else "programme"
        if programme.event.date
        else "clock",
    }


def _thresholds(programme: Programme, session: Session | None, live: Live) -> dict[str, int]:
    """The colours of whoever holds the timer: the speaker's, the session's, the event's."""
    holder = _current_speaker(programme, live) or session or programme.event
    return {"warning_ms": holder.warning_ms, "danger_ms": holder.danger_ms}


def _latest_message(messages: Messages) -> dict[str, Any] | None:
    """The newest message shown anywhere: the one field clients read before stage and
    viewers had a message each."""
    shown = [m for m in (messages.screen, messages.viewers) if m is not None]
    return max(shown, key=lambda m: m.at).model_dump() if shown else None

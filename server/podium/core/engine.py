"""The timing engine: the transitions and ``apply``. No I/O, no asyncio, no clock of its own.

Rule 1: every change to a room's live state happens here, through ``apply``, and only
through the transitions listed in ``TRANSITIONS``. Everything a page shows (time left,
overtime, drift, projected times) is derived by ``projection.view`` from stored
timestamps: when a timer ends, or how much was left when it was paused. Nothing counts
ticks, so a state written to disk and read back an hour later is still exactly right.
Times are integers: epoch milliseconds for moments, milliseconds for durations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from podium.core import booth, commands, shown
from podium.core.commands import (
    SYSTEM,
    AddTime,
    ClearCue,
    Command,
    CueSpeaker,
    EndSession,
    Goto,
    Hold,
    Next,
    Pause,
    Previous,
    Resume,
    SetPlanDate,
    StartSession,
    Undo,
)
from podium.core.config.programme import Programme, Session, Speaker
from podium.core.errors import InvalidTransition, present
from podium.core.state import (
    NO_ENDS_AT,
    NO_LEFT_MS,
    Change,
    Cue,
    Live,
    Messages,
    Phase,
    Run,
    State,
    Timer,
    TimerStatus,
)

UNDO_DEPTH = 20  # each entry is a whole Live state, written with every checkpoint
ADVANCES = frozenset({"next", "end_session"})  # what the server applies when an item ends


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
        over = live.timer.overtime_ms(now)
        runs[speaker.id] = runs[speaker.id].model_copy(
            update={"ended_at": now, "overtime_ms": over}
        )
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
    if live.phase is Phase.LIVE and live.session_id == session.id:
        raise _refuse(f"session {session.id!r} is already live")
    live, ended = _jumped(p, live, session, cmd.end_live, now)
    if live.phase is Phase.LIVE:
        raise _refuse(
            f"session {live.session_id!r} is live; end it with end_session first, or send"
            " end_live: true to end it and start this one in one action"
        )
    first = 0 if session.speakers else None
    return _put_on(p, live, session, first, now), f"start_session: {session.title}{ended}"


def _jumped(
    p: Programme, live: Live, session: Session, end_live: bool, now: int
) -> tuple[Live, str]:
    """A jump (``end_live``): the live session, if another than ``session``, ended first,
    in the same action, so one undo brings it back as it was."""
    if not end_live or live.phase is not Phase.LIVE or live.session_id == session.id:
        return live, ""
    ended, old = _ended(p, live, now)
    return ended, f" (ended {old.title})"


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
    live, ended = _jumped(p, live, session, cmd.end_live, now)
    if live.phase is Phase.LIVE and live.session_id != session.id:
        raise _refuse(
            f"{cmd.speaker_id!r} speaks in {session.id!r} but {live.session_id!r} is live;"
            " end it with end_session first, or send end_live: true to jump in one action"
        )
    if live.phase is Phase.LIVE and live.speaker_index == index:
        raise _refuse(f"that speaker is already on: {session.speakers[index].display_name}")
    new = _put_on(p, live, session, index, now)
    return new, f"goto: {session.speakers[index].display_name}{ended}"


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
    new, session = _ended(p, live, now)
    return new, f"end_session: {session.title}"


def _ended(p: Programme, live: Live, now: int) -> tuple[Live, Session]:
    """The live session ended, and what it showed with it: the stage's message (pinned
    too), the question and the cue; at the day's end the viewers' message too."""
    session = _live_session(p, live)
    speakers = _close_speaker(p, live, now)
    sessions = dict(live.sessions)
    sessions[session.id] = sessions[session.id].model_copy(update={"ended_at": now})
    # the day is over once its last session has run: any left unrun before it were skipped
    last = sessions.get(p.sessions[-1].id)
    over = last is not None and last.ended_at is not None
    gone = {"screen": None, "viewers": None} if over else {"screen": None}
    new = live.model_copy(
        update={
            "phase": Phase.FINISHED if over else Phase.IDLE,
            "session_id": None,
            "speaker_index": None,
            "timer": Timer(),
            "sessions": sessions,
            "speakers": speakers,
            "messages": live.messages.model_copy(update=gone),
            "cue": None,
            "question": None,
        }
    )
    return new, session


def _set_plan_date(p: Programme, live: Live, cmd: SetPlanDate, now: int) -> tuple[Live, str]:
    day = dt.date.fromisoformat(cmd.date)
    if live.plan_date == day:
        raise _refuse(f"the plan is already for {cmd.date}")
    return live.model_copy(update={"plan_date": day}), f"set_plan_date: {cmd.date}"


def _hold(p: Programme, live: Live, cmd: Hold, now: int) -> tuple[Live, str]:
    _live_session(p, live)
    speaker = _current_speaker(p, live)
    name = _name(speaker)
    if speaker is None or speaker.on_end is None:
        raise _refuse(
            f"the one on now ({name}) does not advance by itself (no on_end in the"
            " programme); there is nothing to hold"
        )
    if live.timer.held == cmd.on:
        state, fix = ("already held", "false") if cmd.on else ("not held", "true")
        raise _refuse(f"the one on now ({name}) is {state}; send hold with on {fix} to change it")
    return _held(live, cmd.on), f"hold: {name} {'stays on' if cmd.on else 'advances by itself'}"


def _held(live: Live, on: bool) -> Live:
    return live.model_copy(update={"timer": live.timer.model_copy(update={"held": on})})


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
    "show_message": shown.show_message,
    "clear_message": shown.clear_message,
    "blackout": shown.blackout,
    "set_plan_date": _set_plan_date,
    "hold": _hold,
    "cue": _cue,
    "clear_cue": _clear_cue,
    "show_question": shown.show_question,
    "clear_question": shown.clear_question,
}


# what a command names, as the change's fields (``Change``): copied from the command
SUBJECT_FIELDS = ("seconds", "target", "on", "kind", "question_id", "date")


def _subject(p: Programme, before: Live, after: Live, command: Command) -> dict[str, Any]:
    """What a change did, as ``Change`` fields: who is on after it (for ``end_session``,
    who was on as it ended), the session a jump ended, what the command named or what
    it cleared, and for an ``undo`` the change it undid."""
    on_now = after if after.phase is Phase.LIVE else before
    speaker = _current_speaker(p, on_now)
    fields: dict[str, Any] = {
        "session_id": on_now.session_id if on_now.phase is Phase.LIVE else None,
        "speaker_id": speaker.id if speaker and on_now.phase is Phase.LIVE else None,
    }
    for name in SUBJECT_FIELDS:
        fields[name] = getattr(command, name, None)
    if isinstance(command, Undo):
        fields["undone"] = before.change
    elif isinstance(command, ClearCue) and before.cue is not None:
        fields["kind"] = before.cue.kind
    elif command.action == "clear_question" and before.question is not None:
        fields["question_id"] = before.question.id
    jumped = before.phase is Phase.LIVE and after.phase is Phase.LIVE
    if jumped and not isinstance(command, Undo) and before.session_id != after.session_id:
        fields["ended_session_id"] = before.session_id
    return fields


def apply(programme: Programme, state: State, command: Command, now: int) -> Applied:
    """The one way a state changes. Raises ``InvalidTransition`` and changes nothing
    when the action makes no sense now. ``expected_version`` is checked by the caller,
    which owns the notion of "current" (see ``room.py``)."""
    if isinstance(command, commands.SendBoothSignal):  # the booth's: no undo entry
        return Applied(*booth.signalled(programme, state, command, now))
    if isinstance(command, Undo):
        if not state.undo:
            raise _refuse("there is nothing to undo")
        undone = state.live.change
        live, undo = state.undo[-1], state.undo[:-1]
        summary = f"undo: {undone.summary}" if undone else "undo"
        if undone is not None and undone.actor == SYSTEM and undone.action in ADVANCES:
            live = _held(live, True)  # an item that ended itself comes back held, or it
            # would end itself again at once
        hidden = command.hide_question
        if hidden is not None and live.question is not None and live.question.id == hidden:
            # a question dismissed since never comes back on screen (the server names it)
            live = live.model_copy(update={"question": None})
            summary += f" (question {hidden} left off: it is no longer public)"
    else:
        live, summary = TRANSITIONS[command.action](programme, state.live, command, now)
        undo = (*state.undo, state.live)[-UNDO_DEPTH:]
    change = Change(
        summary=summary,
        action=command.action,
        actor=command.actor,
        at=now,
        **_subject(programme, state.live, live, command),
    )
    if not isinstance(command, Undo):
        live = live.model_copy(update={"change": change})
    update = {"version": state.version + 1, "updated_at": now, "live": live, "undo": undo}
    new = state.model_copy(update=update | {"last_change": change})
    return Applied(new, summary)

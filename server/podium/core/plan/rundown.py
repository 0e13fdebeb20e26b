"""The plan's commands as transitions of the running plan (``engine.apply`` calls ``edit``).

Each takes the running programme and the live state and gives the new sessions, or
refuses with the field at fault named: an unknown session or speaker, a duplicate id, a
``before`` in another session, the live speaker or anyone who has spoken removed, the
live session or one that has run removed. After an edit the live speaker keeps their
place by id (``speaker_index`` follows them), and a new ``allocation`` for the live
speaker (a new ``duration`` for a live session without speakers) moves the timer's end
as ``add_time`` would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from podium.core.commands import (
    AddSession,
    AddSpeaker,
    Command,
    MoveSpeaker,
    Reload,
    RemoveSession,
    RemoveSpeaker,
    SetPlanDate,
    UpdateSession,
    UpdateSpeaker,
)
from podium.core.config import diff
from podium.core.config.plan import (
    Plan,
    fresh_id,
    ids_in,
    new_session,
    new_speaker,
    updated_session,
    updated_speaker,
)
from podium.core.config.programme import Programme, Session, Speaker
from podium.core.errors import InvalidTransition, present
from podium.core.state import NO_ENDS_AT, NO_LEFT_MS, Live, Phase, State, TimerStatus

Sessions = tuple[Session, ...]


def _refuse(field: str, reason: str) -> InvalidTransition:
    return InvalidTransition(f"{field}: {reason}")


def _session(p: Programme, session_id: str, field: str = "session_id") -> Session:
    found = p.session(session_id)
    if found is None:
        raise _refuse(field, f"no session with id {session_id!r}; see GET /api/programme")
    return found


def _speaker(p: Programme, speaker_id: str) -> tuple[Session, Speaker]:
    found = p.find_speaker(speaker_id)
    if found is None:
        raise _refuse("speaker_id", f"no speaker with id {speaker_id!r}; see GET /api/programme")
    return found[0], found[0].speakers[found[1]]


def current_speaker(p: Programme, live: Live) -> Speaker | None:
    """The speaker on now (``None`` between sessions, or in one without speakers)."""
    if live.session_id is None or live.speaker_index is None:
        return None
    session = p.session(live.session_id)
    return session.speakers[live.speaker_index] if session else None


def _floor(p: Programme, language: str | None, field: str) -> str:
    """A speaker's floor language as an edit gives it: one of the event's, else its first."""
    languages = p.event.languages
    if language is not None and language not in languages:
        raise _refuse(field, f"{language!r} is not one of the meeting's languages"
                      f" ({', '.join(languages)}); use one of them")  # fmt: skip
    return language or languages[0]


def _index(session: Session, before: str | None, field: str = "before") -> int:
    """Where an item goes in ``session``: before ``before``, else at the end."""
    if before is None:
        return len(session.speakers)
    index = session.speaker_index(before)
    if index is None:
        raise _refuse(field, f"{before!r} is not a speaker of {session.id!r}; name one of its own")
    return index


def _replaced(p: Programme, session: Session) -> Sessions:
    return tuple(session if s.id == session.id else s for s in p.sessions)


def _with_speakers(session: Session, speakers: list[Speaker]) -> Session:
    moved = [sp if sp.session_id == session.id else sp.model_copy(
        update={"session_id": session.id}) for sp in speakers]  # fmt: skip
    return session.model_copy(update={"speakers": tuple(moved)})


def _add_speaker(p: Programme, live: Live, cmd: AddSpeaker) -> tuple[Sessions, str]:
    session = _session(p, cmd.session_id)
    at = _index(session, cmd.before)
    taken = ids_in(p.sessions)
    if cmd.speaker.id is not None and cmd.speaker.id in taken:
        raise _refuse("speaker.id", f"{cmd.speaker.id!r} is already used; give another id")
    ident = cmd.speaker.id or fresh_id(cmd.speaker.name, "speaker", taken)
    speaker = new_speaker(
        cmd.speaker, ident, session, _floor(p, cmd.speaker.language, "speaker.language")
    )
    speakers = [*session.speakers[:at], speaker, *session.speakers[at:]]
    return _replaced(p, _with_speakers(session, speakers)), (
        f"add_speaker: {speaker.display_name} to {session.title}"
    )


def _update_speaker(p: Programme, live: Live, cmd: UpdateSpeaker) -> tuple[Sessions, str]:
    session, speaker = _speaker(p, cmd.speaker_id)
    fields = cmd.fields
    if "language" in fields.given():
        language = _floor(p, fields.language, "fields.language")
        fields = fields.model_copy(update={"language": language})
    changed = updated_speaker(speaker, fields)
    speakers = [changed if sp.id == speaker.id else sp for sp in session.speakers]
    return _replaced(p, _with_speakers(session, speakers)), (
        f"update_speaker: {changed.display_name} ({', '.join(cmd.fields.given()) or 'nothing'})"
    )


def _remove_speaker(p: Programme, live: Live, cmd: RemoveSpeaker) -> tuple[Sessions, str]:
    session, speaker = _speaker(p, cmd.speaker_id)
    on_now = current_speaker(p, live)
    if on_now is not None and on_now.id == speaker.id:
        raise _refuse("speaker_id", f"{speaker.display_name} is on now; move on to another first")
    if speaker.id in live.speakers:
        raise _refuse(
            "speaker_id",
            f"{speaker.display_name} has already spoken; the report keeps what happened",
        )
    speakers = [sp for sp in session.speakers if sp.id != speaker.id]
    return _replaced(p, _with_speakers(session, speakers)), (
        f"remove_speaker: {speaker.display_name} from {session.title}"
    )


def _move_speaker(p: Programme, live: Live, cmd: MoveSpeaker) -> tuple[Sessions, str]:
    origin, speaker = _speaker(p, cmd.speaker_id)
    target = _session(p, cmd.session_id) if cmd.session_id is not None else origin
    if target.id != origin.id:
        on_now = current_speaker(p, live)
        if (on_now is not None and on_now.id == speaker.id) or speaker.id in live.speakers:
            raise _refuse(
                "session_id",
                f"{speaker.display_name} has spoken in {origin.id!r}; they stay in that session",
            )
        if target.id in live.sessions:
            raise _refuse("session_id", f"{target.id!r} has already run; move them to one to come")
    if cmd.before == speaker.id:
        raise _refuse("before", "a speaker cannot go before themselves; name another speaker")
    rest = [sp for sp in target.speakers if sp.id != speaker.id]
    at = _index(target.model_copy(update={"speakers": tuple(rest)}), cmd.before)
    moved = _with_speakers(target, [*rest[:at], speaker, *rest[at:]])
    sessions = _replaced(p, moved)
    if target.id != origin.id:
        left = [sp for sp in origin.speakers if sp.id != speaker.id]
        sessions = tuple(_with_speakers(s, left) if s.id == origin.id else s for s in sessions)
    where = f"before {rest[at].display_name}" if cmd.before else "to the end"
    return sessions, f"move_speaker: {speaker.display_name} {where} of {target.title}"


def _update_session(p: Programme, live: Live, cmd: UpdateSession) -> tuple[Sessions, str]:
    session = _session(p, cmd.session_id)
    changed = updated_session(session, cmd.fields)
    return _replaced(p, changed), (
        f"update_session: {changed.title} ({', '.join(cmd.fields.given()) or 'nothing'})"
    )


def _add_session(p: Programme, live: Live, cmd: AddSession) -> tuple[Sessions, str]:
    at = len(p.sessions)
    if cmd.before is not None:
        at = p.sessions.index(_session(p, cmd.before, "before"))
    taken = ids_in(p.sessions)
    entry = cmd.session
    if entry.id is not None and entry.id in taken:
        raise _refuse("session.id", f"{entry.id!r} is already used; give another id")
    ident = entry.id or fresh_id(entry.title, "session", taken)
    start = entry.start
    if start is None:
        if at == 0:
            raise _refuse("session.start", "a session added first needs a start time, e.g. '09:00'")
        previous = p.sessions[at - 1]
        begun = dt.datetime.combine(dt.date(2000, 1, 1), previous.start)
        start = (begun + dt.timedelta(milliseconds=previous.duration_ms)).time()
    session = new_session(entry, ident, start, p.sessions[min(at, len(p.sessions) - 1)])
    speakers: list[Speaker] = []
    for i, sp in enumerate(entry.speakers):
        if sp.id is not None and sp.id in taken | {ident}:
            raise _refuse(f"session.speakers[{i}].id", f"{sp.id!r} is already used; give another")
        sp_id = sp.id or fresh_id(sp.name, "speaker", taken | {ident})
        taken.add(sp_id)
        grown = session.model_copy(update={"speakers": tuple(speakers)})
        language = _floor(p, sp.language, f"session.speakers[{i}].language")
        speakers.append(new_speaker(sp, sp_id, grown, language))
    session = session.model_copy(update={"speakers": tuple(speakers)})
    return (*p.sessions[:at], session, *p.sessions[at:]), f"add_session: {session.title}"


def _remove_session(p: Programme, live: Live, cmd: RemoveSession) -> tuple[Sessions, str]:
    session = _session(p, cmd.session_id)
    if live.phase is Phase.LIVE and live.session_id == session.id:
        raise _refuse("session_id", f"{session.title!r} is live; end it first")
    if session.id in live.sessions:
        raise _refuse("session_id", f"{session.title!r} has run; the report keeps what happened")
    if len(p.sessions) == 1:
        raise _refuse("session_id", "it is the programme's only session; add another first")
    return tuple(s for s in p.sessions if s.id != session.id), f"remove_session: {session.title}"


EDITS: dict[str, Callable[[Programme, Live, Any], tuple[Sessions, str]]] = {
    "add_speaker": _add_speaker,
    "update_speaker": _update_speaker,
    "remove_speaker": _remove_speaker,
    "move_speaker": _move_speaker,
    "update_session": _update_session,
    "add_session": _add_session,
    "remove_session": _remove_session,
}


def set_plan_date(p: Programme, live: Live, cmd: SetPlanDate, now: int) -> tuple[Live, str]:
    day = dt.date.fromisoformat(cmd.date)
    if live.plan_date == day:
        raise InvalidTransition(f"the plan is already for {cmd.date}")
    return live.model_copy(update={"plan_date": day}), f"set_plan_date: {cmd.date}"


# -- the file's differences applied (``reload``) -----------------------------------------


def _next_present(order: list[str], ident: str, present_ids: set[str]) -> str | None:
    """The first id after ``ident`` in ``order`` that ``present_ids`` holds."""
    after = order[order.index(ident) + 1 :]
    return next((i for i in after if i in present_ids), None)


def _file_fields(was: Session | Speaker, now: Session | Speaker, fields: list[str]) -> Any:
    return was.model_copy(update={k: getattr(now, k) for k in fields})


def _session_change(p: Programme, live: Live, change: dict[str, Any], file: Programme) -> Sessions:
    ident, kind = change["id"], change["kind"]
    if kind == "removed":
        return _remove_session(p, live, RemoveSession(action="remove_session", session_id=ident))[0]
    if kind in ("renamed", "changed"):
        now = present(file.session(ident), ident)
        return _replaced(p, _file_fields(_session(p, ident), now, change["fields"]))
    session = _session(file if kind == "added" else p, ident)
    if kind == "added":  # its speakers from elsewhere in the plan come by their moves
        elsewhere = ids_in(p.sessions)
        session = _with_speakers(session, [sp for sp in session.speakers if sp.id not in elsewhere])
    rest = [s for s in p.sessions if s.id != ident]
    before = _next_present([s.id for s in file.sessions], ident, {s.id for s in rest})
    at = next((i for i, s in enumerate(rest) if s.id == before), len(rest))
    return (*rest[:at], session, *rest[at:])


def _speaker_change(p: Programme, live: Live, change: dict[str, Any], file: Programme) -> Sessions:
    ident, kind, session_id = change["id"], change["kind"], change["session_id"]
    if kind == "removed":
        return _remove_speaker(p, live, RemoveSpeaker(action="remove_speaker", speaker_id=ident))[0]
    found = present(file.find_speaker(ident), ident)
    now = found[0].speakers[found[1]]
    if kind in ("renamed", "changed"):
        session, speaker = _speaker(p, ident)
        changed = _file_fields(speaker, now, change["fields"])
        return _replaced(p, _with_speakers(session, [changed if sp.id == ident else sp
                                                     for sp in session.speakers]))  # fmt: skip
    target = _session(p, session_id)
    order = [sp.id for sp in found[0].speakers]
    before = _next_present(order, ident, {sp.id for sp in target.speakers} - {ident})
    if kind == "moved":
        move = MoveSpeaker(action="move_speaker", speaker_id=ident, session_id=session_id,
                           before=before)  # fmt: skip
        return _move_speaker(p, live, move)[0]
    at = _index(target, before)
    return _replaced(p, _with_speakers(target, [*target.speakers[:at], now,
                                                *target.speakers[at:]]))  # fmt: skip


def _settled(p: Programme, change: dict[str, Any]) -> bool:
    """The running plan has this change already, or lacks what it is about (an edit made
    live since): a reload leaves it as the moderator made it."""
    ident, kind = change["id"], change["kind"]
    if change["item"] == "session":
        return (p.session(ident) is not None) == (kind == "added")
    if kind == "moved" and p.session(change["session_id"]) is None:
        return True
    return (ident in ids_in(p.sessions)) == (kind == "added")


def _reload(p: Programme, live: Live, cmd: Reload, filed: Sessions) -> tuple[Sessions, str]:
    """The file's differences from the plan it last gave (``filed``) applied to the
    running plan, each as the matching command would (and refused as it would be): the
    sessions added, changed and moved, then the speakers, then the sessions removed (so a
    speaker moved out of one goes first). A change the plan has already, or about what the
    plan no longer has, is left as the moderator made it."""
    if cmd.sessions is None:
        raise _refuse("sessions", "the file's sessions are missing; POST /api/programme/reload")
    file = p.model_copy(update={"sessions": tuple(cmd.sessions)})
    changes = diff.differences(filed, file.sessions)
    if not changes:
        raise _refuse(
            "sessions", "the programme file is as the room last took it; nothing to reload"
        )
    whole = {
        c["id"] for c in changes if c["item"] == "session" and c["kind"] in ("added", "removed")
    }
    last = sorted(changes, key=lambda c: c["item"] == "session" and c["kind"] == "removed")
    q = p
    for change in last:
        with_session = change["item"] == "speaker" and change["kind"] in ("added", "removed")
        if (with_session and change["session_id"] in whole) or _settled(q, change):
            continue  # it came or goes with its session; or the plan has it already
        apply = _session_change if change["item"] == "session" else _speaker_change
        q = q.model_copy(update={"sessions": apply(q, live, change, file)})
    return q.sessions, f"reload: {diff.summary(changes)}"


# -- the plan's bookkeeping --------------------------------------------------------------


def _retimed(live: Live, old_ms: int, new_ms: int) -> Live:
    """The live timer for a new allocation: its end moved as ``add_time`` would."""
    timer, delta = live.timer, new_ms - old_ms
    if delta == 0 or timer.status is TimerStatus.STOPPED:
        return live
    update: dict[str, Any] = {"allocation_ms": timer.allocation_ms + delta}
    if timer.status is TimerStatus.RUNNING:
        update["ends_at"] = present(timer.ends_at, NO_ENDS_AT) + delta
    else:
        update["left_ms"] = present(timer.left_ms, NO_LEFT_MS) + delta
    return live.model_copy(update={"timer": timer.model_copy(update=update)})


def _followed(p: Programme, live: Live, sessions: Sessions) -> Live:
    """The live state on the new plan: the live speaker found again by id, their timer
    (or a speakerless session's) moved by a change of allocation (duration); with none
    live, idle or finished as the new plan's last session has run or not."""
    if live.phase is not Phase.LIVE or live.session_id is None:
        # the day is over once the plan's last session has run: an edit may end it (the
        # last one not run removed) or open it again (a session added after)
        last = live.sessions.get(sessions[-1].id)
        over = last is not None and last.ended_at is not None
        return live.model_copy(update={"phase": Phase.FINISHED if over else Phase.IDLE})
    old = _session(p, live.session_id)
    new = present(next((s for s in sessions if s.id == old.id), None), "the live session went")
    speaker = current_speaker(p, live)
    if speaker is None:
        return _retimed(live, old.duration_ms, new.duration_ms)
    index = present(new.speaker_index(speaker.id), "the live speaker went")
    moved = live.model_copy(update={"speaker_index": index})
    return _retimed(moved, speaker.allocation_ms, new.speakers[index].allocation_ms)


def kept(plans: tuple[Plan, ...], live: Live, undo: tuple[Live, ...]) -> tuple[Plan, ...]:
    """The plans still referred to: by the live state, its undo stack, or the start."""
    keys = {0} | {k for one in (live, *undo) for k in (one.plan, one.plan_file)}
    return tuple(p for p in plans if p.key in keys)


def edit(
    base: Programme, state: State, cmd: Command, now: int
) -> tuple[Live, tuple[Plan, ...], str]:
    """A plan command applied: the new live state (on a new plan, keyed by the version it
    makes), the plans with the new one, and the summary line."""
    live, key = state.live, state.version + 1
    p = state.programme(base)
    plans = state.plans or (Plan.of(base),)
    update = {"plan": key}
    if isinstance(cmd, Reload):
        sessions, summary = _reload(p, live, cmd, state.sessions_at(base, live.plan_file))
        plans = (*plans, Plan(key=-key, sessions=tuple(cmd.sessions or ())))
        update["plan_file"] = -key
    else:
        sessions, summary = EDITS[cmd.action](p, live, cmd)
    moved = _followed(p, live, sessions).model_copy(update=update)
    return moved, (*plans, Plan(key=key, sessions=sessions)), summary

"""What everyone sees: ``view`` derives it from a state's timestamps as of ``now``.

The schedule projection lives here: each session's planned, actual and projected start
and end, the day's drift, and each session's and speaker's status (live, done, skipped,
next, upcoming). The pages extrapolate it between pushes with ``scheduleAt`` in
``web/js/schedule.js``; ``tests/data/projection-cases.json`` holds both to the same cases.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from podium.core import booth
from podium.core.autoadvance import auto_advance
from podium.core.config.programme import Programme, Session, Speaker
from podium.core.errors import present
from podium.core.state import Change, Live, Messages, State

# A speaker put on and moved past in less than this, all turns together, was skipped (a
# quick "next" over them), not heard: the rundown and the report say "skipped".
SKIPPED_UNDER_MS = 5_000


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
        "language": speaker.language,
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
            **thresholds(programme, session, live),
        },
        "auto_advance": asdict(due) if (due := auto_advance(programme, live)) else None,
        "cue": live.cue.model_dump() if live.cue else None,
        "booth_signal": booth.shown(programme, state, now),
        "question": live.question.model_dump() if live.question else None,
        "message": _latest_message(live.messages),
        "messages": live.messages.model_dump(),
        "blackout": live.blackout,
        "drift_ms": drift,
        "schedule": schedule,
        "speakers_run": {k: v.model_dump() for k, v in live.speakers.items()},
        "can_undo": bool(state.undo),
        "undo": _change(state.live.change) if state.undo else None,
        "last_change": _change(state.last_change),
        "plan_date": state.day.isoformat(),
        "plan_date_from": "console"
        if state.live.plan_date
        else "programme"
        if programme.event.date
        else "clock",
    }


def thresholds(programme: Programme, session: Session | None, live: Live) -> dict[str, int]:
    """The colours of whoever holds the timer: the speaker's, the session's, the event's."""
    speaker = (
        session.speakers[live.speaker_index] if session and live.speaker_index is not None else None
    )
    holder = speaker or session or programme.event
    return {"warning_ms": holder.warning_ms, "danger_ms": holder.danger_ms}


def _latest_message(messages: Messages) -> dict[str, Any] | None:
    """The newest message shown anywhere: the one field clients read before stage and
    viewers had a message each."""
    shown = [m for m in (messages.screen, messages.viewers) if m is not None]
    return max(shown, key=lambda m: m.at).model_dump() if shown else None


def _change(change: Change | None) -> dict[str, Any] | None:
    """A change as the pages get it: the fields it has (``ChangeView``), ``actor`` always."""
    if change is None:
        return None
    fields = change.model_dump(mode="json", exclude_none=True, exclude={"undone"})
    undone = {"undone": _change(change.undone)} if change.undone else {}
    return {"actor": change.actor, **fields, **undone}

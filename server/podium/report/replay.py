"""The post-event report: how the day went against the plan, rebuilt from the action log.

The log holds every applied command with the moment it was applied, so replaying it
(``store.replay``, the room's own replay) gives every state the room went through, exactly.
Between two records the state did not change, so each stretch of time belongs to one
state: who was on, whether the timer ran. From those stretches come, per session and per
speaker, the actual start, end and duration against the plan, the time paused, the time
added and the overtime (how far past zero the countdown went when the speaker left), and
the day's drift at every change. A command later undone never happened, as far as the
report goes: the time from it to its undo belongs to the state before it (the one the
undo brought back). Whether a speaker spoke or was skipped, and a session ran or was
skipped, is the engine's word on the last state (``projection.SKIPPED_UNDER_MS``).
Pure: no I/O here; ``store.read_log`` gives the records, ``formats`` and ``html`` render
the ``model``.
"""

from __future__ import annotations

from collections.abc import Sequence

from podium.core import projection
from podium.core.captions import Caption
from podium.core.commands import SYSTEM
from podium.core.config.programme import Programme
from podium.core.errors import NotFound
from podium.core.questions import Question
from podium.core.state import Phase, State, TimerStatus
from podium.report.captions import captions_report
from podium.report.model import Report, SessionReport, SpeakerReport, Turn
from podium.report.questions import questions_report
from podium.store.base import LogRecord
from podium.store.replay import Step
from podium.store.replay import replay as store_replay


def replay(programme: Programme, records: Sequence[LogRecord]) -> list[tuple[int, State]]:
    """Every state the room went through, with the moment it began."""
    return [(step.record.at, step.state) for step in _replayed(programme, records)]


def _replayed(programme: Programme, records: Sequence[LogRecord]) -> list[Step]:
    """The log replayed as the room replays it; ``NotFound`` where it stops short."""
    replayed = store_replay(programme, None, records)
    if replayed.problem is not None:
        raise NotFound(f"the action log cannot be replayed to its end: {replayed.problem}")
    return replayed.steps


def _undone(steps: Sequence[Step]) -> list[int]:
    """For each step, the step whose state stands for it: its own, or, for a command later
    undone (and anything until that undo), the state before that command (the one the
    undo brought back)."""
    stands = list(range(len(steps)))
    for i, step in enumerate(steps):
        if step.restores is not None:
            back = step.restores
            stands[back + 1 : i] = [stands[back]] * (i - back - 1)
    return stands


def _skeleton(programme: Programme, state: State) -> list[SessionReport]:
    sessions = []
    for session in programme.sessions:
        start = programme.planned_start_ms(session, state.day)
        speakers, cursor = [], start
        for sp in session.speakers:
            speakers.append(
                SpeakerReport(
                    id=sp.id,
                    name=sp.display_name,
                    affiliation=sp.affiliation,
                    presence=sp.presence.value,
                    planned_start=cursor,
                    planned_end=cursor + sp.allocation_ms,
                    allocation_ms=sp.allocation_ms,
                )
            )
            cursor += sp.allocation_ms
        sessions.append(
            SessionReport(
                id=session.id,
                title=session.title,
                planned_start=start,
                planned_ms=session.duration_ms,
                speakers=speakers,
            )
        )
    return sessions


def _on(state: State) -> tuple[str, int | None] | None:
    live = state.live
    if live.phase is not Phase.LIVE or live.session_id is None:
        return None
    return live.session_id, live.speaker_index


def build(
    programme: Programme,
    records: Sequence[LogRecord],
    now: int,
    questions: Sequence[Question] = (),
    captions: Sequence[Caption] = (),
) -> Report:
    """The report as of ``now`` (the end of anything still live), with the audience's
    ``questions`` and the live ``captions`` (from the store) in their sections."""
    steps = _replayed(programme, records)
    if not steps:
        raise NotFound(f"room {programme.id!r} has no action log yet; serve it first")
    stands = _undone(steps)
    timeline = [(step.record.at, steps[j].state) for step, j in zip(steps, stands, strict=True)]
    last_at, last = timeline[-1]
    sessions = _skeleton(programme, last)
    final = projection.view(programme, last, max(now, last_at))
    for session, row in zip(sessions, final["schedule"], strict=True):
        session.skipped = row["status"] == "skipped"
        for speaker in session.speakers:
            speaker.skipped = row["speakers"][speaker.id] == "skipped"
    by_id = {s.id: s for s in sessions}
    commands: dict[str, int] = {}
    drift: list[tuple[int, int]] = []
    turn: Turn | None = None
    turn_key: tuple[str, int | None] | None = None
    for i, (at, state) in enumerate(timeline):
        until = timeline[i + 1][0] if i + 1 < len(timeline) else max(now, at)
        if i and "action" in records[i].command:
            action = str(records[i].command["action"])
            commands[action] = commands.get(action, 0) + 1
        drift.append((at, projection.view(programme, state, at)["drift_ms"]))
        key = _on(state)
        timer = state.live.timer
        if key != turn_key:
            turn = None
            if key is not None:
                turn = Turn(start=at, end=at, added_ms=-timer.added_ms)
                report = by_id[key[0]]
                owner = report.slot if key[1] is None else report.speakers[key[1]].turns
                owner.append(turn)
            turn_key = key
        if key is None or turn is None:
            continue
        report = by_id[key[0]]
        spans = report.live_spans
        if spans and spans[-1][1] == at:
            spans[-1] = (spans[-1][0], until)
        else:
            spans.append((at, until))
        turn.end = until
        if timer.status is TimerStatus.PAUSED:
            turn.paused_ms += until - at
        nxt = timeline[i + 1][1] if i + 1 < len(timeline) else None
        if nxt is None or _on(nxt) != key:  # the turn ends with this state
            turn.added_ms += timer.added_ms
            turn.overtime_ms = timer.overtime_ms(until)  # the one rule: state.OVERRAN_FROM_MS
            turn.ended_by_itself = nxt is not None and records[i + 1].actor == SYSTEM
            if nxt is None:
                report.live = True
                if key[1] is not None:
                    report.speakers[key[1]].live = True
    if _on(last) is not None and now > last_at:  # the live session's projection as of now
        drift.append((now, projection.view(programme, last, now)["drift_ms"]))
    return Report(
        programme=programme,
        plan_date=last.day.isoformat(),
        made_at=now,
        sessions=sessions,
        drift=drift,
        commands=commands,
        questions=questions_report(programme, questions, records),
        captions=captions_report(programme, captions, last),
    )

"""The post-event report: how the day went against the plan, rebuilt from the action log.

The log holds every applied command with the moment it was applied, so replaying it through
``engine.apply`` gives every state the room went through, exactly. Between two records the
state did not change, so each stretch of time belongs to one state: who was on, whether the
timer ran. From those stretches come, per session and per speaker, the actual start, end and
duration against the plan, the time paused, the time added and the overtime (how far past
zero the countdown went when the speaker left), and the day's drift at every change.
A command later undone never happened, as far as the report goes: the time from it to its
undo belongs to the state before it. Whether a speaker spoke or was skipped, and a session
ran or was skipped, is the engine's word on the last state (``projection.SKIPPED_UNDER_MS``).
Pure: no I/O here; ``store.read_log`` gives the records, ``formats`` and ``html`` render
the ``model``.
"""

from __future__ import annotations

from collections.abc import Sequence

from podium.core import engine, projection
from podium.core.commands import SYSTEM, parse_command, signed
from podium.core.config.programme import Programme
from podium.core.errors import NotFound
from podium.core.questions import Question
from podium.core.state import Phase, State, TimerStatus, initial_state
from podium.report.model import Report, SessionReport, SpeakerReport, Turn
from podium.report.questions import questions_report
from podium.store.base import LogRecord


def replay(programme: Programme, records: Sequence[LogRecord]) -> list[tuple[int, State]]:
    """Every state the room went through, with the moment it began."""
    timeline: list[tuple[int, State]] = []
    state: State | None = None
    for record in records:
        if record.state is not None:  # a checkpoint after a gap in the log
            state = record.state
        elif record.version == 0:
            state = initial_state(programme, record.at)
        elif state is None or record.version != state.version + 1:
            raise NotFound(
                f"the action log breaks at record {record.version}; it cannot be"
                " replayed past there"
            )
        else:
            command = signed(parse_command(record.command), record.actor)
            state = engine.apply(programme, state, command, record.at).state
        timeline.append((record.at, state))
    return timeline


def _undone(records: Sequence[LogRecord]) -> list[int]:
    """For each record, the record whose state stands for it: its own, or, for a command
    later undone (and anything until that undo), the state before that command."""
    stands = list(range(len(records)))
    done: list[int] = []  # records undo would undo, newest last (as the engine's stack)
    for i, record in enumerate(records):
        action = record.command.get("action")
        if record.state is not None or record.version == 0:
            done = []
        elif action == "undo":
            if done:
                first = done.pop()
                stands[first:i] = [stands[first - 1]] * (i - first)
        elif action is not None:
            done = [*done, i][-engine.UNDO_DEPTH :]
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
) -> Report:
    """The report as of ``now`` (the end of anything still live), with the audience's
    ``questions`` (from the store) in its questions section."""
    replayed = replay(programme, records)
    if not replayed:
        raise NotFound(f"room {programme.id!r} has no action log yet; serve it first")
    timeline = [(at, replayed[j][1]) for (at, _), j in zip(replayed, _undone(records), strict=True)]
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
    )

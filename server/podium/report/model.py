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
Pure: no I/O here; ``store.read_log`` gives the records, ``report_format`` renders them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from podium.core import engine, projection
from podium.core.commands import parse_command, signed
from podium.core.errors import NotFound
from podium.core.programme import Programme
from podium.core.state import Phase, State, TimerStatus, initial_state
from podium.core.timefmt import clock, length
from podium.store.base import LogRecord


@dataclass
class Turn:
    """One stretch during which a speaker (or a speaker-less session's slot) was on."""

    start: int
    end: int
    paused_ms: int = 0
    added_ms: int = 0
    overtime_ms: int = 0  # past the countdown's zero when the turn ended


@dataclass
class SpeakerReport:
    id: str
    name: str
    affiliation: str
    presence: str
    planned_start: int
    planned_end: int
    allocation_ms: int
    turns: list[Turn] = field(default_factory=list)
    live: bool = False  # still on when the report was made
    skipped: bool = False  # jumped over, or on for less than projection.SKIPPED_UNDER_MS

    @property
    def spoke(self) -> bool:
        return bool(self.turns) and not self.skipped

    @property
    def actual_start(self) -> int | None:
        return self.turns[0].start if self.turns else None

    @property
    def actual_end(self) -> int | None:
        return self.turns[-1].end if self.turns and not self.live else None

    @property
    def on_ms(self) -> int:
        return sum(t.end - t.start for t in self.turns)

    @property
    def paused_ms(self) -> int:
        return sum(t.paused_ms for t in self.turns)

    @property
    def speaking_ms(self) -> int:
        return self.on_ms - self.paused_ms

    @property
    def added_ms(self) -> int:
        return sum(t.added_ms for t in self.turns)

    @property
    def overtime_ms(self) -> int:
        return sum(t.overtime_ms for t in self.turns)

    @property
    def over_plan_ms(self) -> int | None:
        return self.speaking_ms - self.allocation_ms if self.turns else None

    @property
    def status(self) -> str:
        if self.live:
            return "live"
        return "done" if self.spoke else "skipped" if self.skipped else "did not speak"

    def row(self) -> dict[str, int | None]:
        start = self.actual_start
        return {
            "planned_start": self.planned_start,
            "actual_start": start,
            "start_delay_ms": None if start is None else start - self.planned_start,
            "actual_end": self.actual_end,
            "planned_ms": self.allocation_ms,
            "actual_ms": self.speaking_ms if self.spoke else None,
            "over_plan_ms": self.over_plan_ms,
            "paused_ms": self.paused_ms,
            "added_ms": self.added_ms,
            "overtime_ms": self.overtime_ms,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "affiliation": self.affiliation,
            "presence": self.presence,
            "status": self.status,
            **self.row(),
            "planned_end": self.planned_end,
            "allocation_ms": self.allocation_ms,
            "on_ms": self.on_ms,
            "speaking_ms": self.speaking_ms,
            "turns": len(self.turns),
        }


@dataclass
class SessionReport:
    id: str
    title: str
    planned_start: int
    planned_ms: int
    speakers: list[SpeakerReport]
    live_spans: list[tuple[int, int]] = field(default_factory=list)
    slot: list[Turn] = field(default_factory=list)  # the slot timer of a speaker-less session
    live: bool = False
    skipped: bool = False  # never run while a later session ran

    @property
    def planned_end(self) -> int:
        return self.planned_start + self.planned_ms

    @property
    def ran(self) -> bool:
        return bool(self.live_spans)

    @property
    def actual_start(self) -> int | None:
        return self.live_spans[0][0] if self.live_spans else None

    @property
    def actual_end(self) -> int | None:
        return self.live_spans[-1][1] if self.live_spans and not self.live else None

    @property
    def actual_ms(self) -> int | None:
        return sum(b - a for a, b in self.live_spans) if self.live_spans else None

    def _turns(self) -> list[Turn]:
        return self.slot + [t for s in self.speakers for t in s.turns]

    @property
    def paused_ms(self) -> int:
        return sum(t.paused_ms for t in self._turns())

    @property
    def added_ms(self) -> int:
        return sum(t.added_ms for t in self._turns())

    @property
    def over_plan_ms(self) -> int | None:
        actual = self.actual_ms
        return None if actual is None else actual - self.planned_ms

    @property
    def overtime_ms(self) -> int:
        return max(self.over_plan_ms or 0, 0)

    @property
    def status(self) -> str:
        if self.live:
            return "live"
        return "done" if self.ran else "skipped" if self.skipped else "not run"

    def row(self) -> dict[str, int | None]:
        start, end = self.actual_start, self.actual_end
        return {
            "planned_start": self.planned_start,
            "actual_start": start,
            "start_delay_ms": None if start is None else start - self.planned_start,
            "actual_end": end,
            "planned_ms": self.planned_ms,
            "actual_ms": self.actual_ms,
            "over_plan_ms": self.over_plan_ms,
            "paused_ms": self.paused_ms,
            "added_ms": self.added_ms,
            "overtime_ms": self.overtime_ms,
        }

    @property
    def end_drift_ms(self) -> int | None:
        end = self.actual_end
        return None if end is None else end - self.planned_end

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            **self.row(),
            "planned_end": self.planned_end,
            "end_drift_ms": self.end_drift_ms,
            "speakers": [s.as_dict() for s in self.speakers],
        }


# The figures of a row, as every format shows them: (field, heading, how to show it)
COLUMNS = (
    ("planned_start", "planned", "moment"),
    ("actual_start", "actual", "moment"),
    ("start_delay_ms", "start Δ", "signed"),
    ("actual_end", "end", "moment"),
    ("planned_ms", "plan", "length"),
    ("actual_ms", "actual", "length"),
    ("over_plan_ms", "vs plan", "signed"),
    ("paused_ms", "paused", "length"),
    ("added_ms", "added", "length"),
    ("overtime_ms", "overtime", "length"),
)


def cells(row: dict[str, int | None], zone: ZoneInfo) -> list[str]:
    """A row's figures as people read them: local times, m:ss, signed differences."""
    shown = {
        "moment": lambda v: clock(v, zone),
        "signed": lambda v: length(v, signed=True),
        "length": length,
    }
    return [shown[kind](row[name]) for name, _, kind in COLUMNS]


@dataclass
class Report:
    programme: Programme
    plan_date: str
    made_at: int
    sessions: list[SessionReport]
    drift: list[tuple[int, int]]  # (moment, the day's drift then) at every change
    commands: dict[str, int]  # how often each action was applied

    def speakers(self) -> list[SpeakerReport]:
        return [sp for s in self.sessions for sp in s.speakers]

    def totals(self) -> dict[str, Any]:
        spoke = [s for s in self.speakers() if s.spoke]
        overran = [s for s in spoke if s.overtime_ms > 0]
        worst = max(overran, key=lambda s: s.overtime_ms, default=None)
        ran = [s for s in self.sessions if s.ran]
        longest = max(ran, key=lambda s: s.actual_ms or 0, default=None)
        most_over = max(ran, key=lambda s: s.over_plan_ms or 0, default=None)
        first = min(ran, key=lambda s: s.actual_start or 0, default=None)  # the day's start
        last = max(  # the session that ended last
            (s for s in ran if s.actual_end is not None),
            key=lambda s: s.actual_end or 0,
            default=None,
        )
        return {
            "sessions_planned": len(self.sessions),
            "sessions_run": len(ran),
            "speakers_planned": len(self.speakers()),
            "speakers_spoke": len(spoke),
            "speakers_overran": len(overran),
            "overtime_ms": sum(s.overtime_ms for s in spoke),
            "most_overtime": {"id": worst.id, "name": worst.name, "overtime_ms": worst.overtime_ms}
            if worst
            else None,
            "longest_session": {
                "id": longest.id,
                "title": longest.title,
                "actual_ms": longest.actual_ms,
            }
            if longest
            else None,
            "most_over_plan_session": {
                "id": most_over.id,
                "title": most_over.title,
                "over_plan_ms": most_over.over_plan_ms,
            }
            if most_over and (most_over.over_plan_ms or 0) > 0
            else None,
            "paused_ms": sum(s.paused_ms for s in ran),
            "added_ms": sum(s.added_ms for s in ran),
            "start_delay_ms": first.row()["start_delay_ms"] if first else None,
            "end_drift_ms": last.end_drift_ms if last else None,
            "max_drift_ms": max((d for _, d in self.drift), default=0),
            "commands": sum(self.commands.values()),
        }

    def as_dict(self) -> dict[str, Any]:
        event = self.programme.event
        return {
            "event": {"id": event.id, "title": event.title, "timezone": event.timezone},
            "plan_date": self.plan_date,
            "made_at": self.made_at,
            "totals": self.totals(),
            "sessions": [s.as_dict() for s in self.sessions],
            "drift": [{"at": at, "drift_ms": d} for at, d in self.drift],
            "commands": self.commands,
        }


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


def build(programme: Programme, records: Sequence[LogRecord], now: int) -> Report:
    """The report as of ``now`` (the end of anything still live)."""
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
            turn.overtime_ms = max(-timer.remaining_ms(until), 0)
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
    )

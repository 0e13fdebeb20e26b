"""The report's model: per turn, speaker and session, the actual against the plan (the figures
derived from the turns), the day's totals, and a row's cells as every format shows them.
``replay`` builds it from the action log. Pure: no I/O here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from podium.core.config.programme import Programme
from podium.core.timefmt import clock, length
from podium.report import captions
from podium.report.captions import SessionCaptions
from podium.report.questions import QuestionsReport


@dataclass
class Turn:
    """One stretch during which a speaker (or a speaker-less session's slot) was on."""

    start: int
    end: int
    paused_ms: int = 0
    added_ms: int = 0
    overtime_ms: int = 0  # past the countdown's zero when the turn ended
    ended_by_itself: bool = False  # the server advanced when its time was up (on_end)


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
    def ended_by_itself(self) -> bool:
        return bool(self.turns) and not self.live and self.turns[-1].ended_by_itself

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
            "ended_by_itself": self.ended_by_itself,
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
    questions: QuestionsReport = field(default_factory=lambda: QuestionsReport([], set()))
    captions: list[SessionCaptions] = field(default_factory=list)

    def speakers(self) -> list[SpeakerReport]:
        return [sp for s in self.sessions for sp in s.speakers]

    def day_title(self, session: SessionReport) -> str:
        """ "Day 2 · Thursday 27 April" when the programme runs over several days, else ""."""
        planned = self.programme.session(session.id)
        day = dt.date.fromisoformat(self.plan_date)
        return self.programme.day_title(planned, day) if planned is not None else ""

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
            "ended_by_itself": sum(s.ended_by_itself for s in self.speakers()),
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
            "questions": self.questions.as_dict(),
            "captions": captions.as_list(self.programme.id, self.captions),
        }

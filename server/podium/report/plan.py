"""The plan's story for the report: the plan as first published (the room's plan 0), as
revised (the plan it ended on) and who changed what and when (each plan command that
stands: one later undone never happened, as for the rest of the report), with the items
added, removed, renamed, changed and moved between the first and the last. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from podium.core.commands import PLAN_ACTIONS
from podium.core.config import diff
from podium.core.config.programme import Programme, Session
from podium.core.state import State
from podium.core.timefmt import clock
from podium.store.replay import Step


@dataclass
class PlanChange:
    at: int
    actor: str | None
    summary: str
    edits: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at, "actor": self.actor, "summary": self.summary, "edits": self.edits}


def _outline(sessions: Sequence[Session]) -> list[dict[str, Any]]:
    return [
        {"id": s.id, "title": s.title,
         "speakers": [{"id": sp.id, "name": sp.display_name} for sp in s.speakers]}
        for s in sessions
    ]  # fmt: skip


@dataclass
class PlanStory:
    first: list[dict[str, Any]] = field(default_factory=list)  # as first published
    revised: list[dict[str, Any]] = field(default_factory=list)  # as it ended
    changes: list[PlanChange] = field(default_factory=list)  # who changed what, when
    differences: list[dict[str, Any]] = field(default_factory=list)  # first -> revised
    marks: dict[str, list[str]] = field(default_factory=dict)  # by item id

    @property
    def revised_at_all(self) -> bool:
        return bool(self.differences)

    def as_dict(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "revised": self.revised,
            "summary": diff.summary(self.differences),
            "differences": self.differences,
            "changes": [c.as_dict() for c in self.changes],
        }

    def to_text(self, zone: ZoneInfo) -> list[str]:
        if not self.changes and not self.differences:
            return ["the plan: as first published, never changed"]
        out = [f"the plan on the day: {diff.summary(self.differences)} against the first"]
        out += [f"  {clock(c.at, zone)}  {c.actor or '-'}  {c.summary}" for c in self.changes]
        out += [
            f"  removed: {d['label']} ({d.get('session_id') or d['item']})"
            for d in self.differences
            if d["kind"] == "removed"
        ]
        return out

    def to_html(self, zone: ZoneInfo) -> str:
        if not self.changes and not self.differences:
            return "<p>As first published, never changed.</p>"
        rows = "".join(
            f"<tr><td>{clock(c.at, zone)}</td><td>{escape(c.actor or '-')}</td>"
            f"<td>{escape(c.summary)}</td></tr>"
            for c in self.changes
        )
        removed = "".join(
            f"<li>{escape(d['label'])} <small>({escape(d.get('session_id') or d['item'])})"
            "</small></li>"
            for d in self.differences
            if d["kind"] == "removed"
        )
        first = "".join(
            f"<li>{escape(s['title'])}: "
            + escape(", ".join(sp["name"] for sp in s["speakers"]) or "no speakers")
            + "</li>"
            for s in self.first
        )
        return (
            f"<p>{escape(diff.summary(self.differences))} against the plan as first published"
            " (marked in the tables above).</p>"
            f'<table class="plan"><tr><th>when</th><th>who</th><th>what</th></tr>{rows}</table>'
            + (f"<h3>Removed</h3><ul>{removed}</ul>" if removed else "")
            + f"<details><summary>The plan as first published</summary><ul>{first}</ul></details>"
        )


def plan_story(programme: Programme, steps: Sequence[Step], stands: Sequence[int]) -> PlanStory:
    """From the replayed log: the first state's plan 0, the last state's plan, and the
    plan commands that stand."""
    first_state: State = steps[0].state
    last: State = steps[stands[-1]].state
    first = first_state.sessions_at(programme, 0)
    final = last.programme(programme).sessions
    changes = []
    for i, step in enumerate(steps):
        action = step.record.command.get("action")
        change = step.state.last_change
        if stands[i] == i and action in PLAN_ACTIONS and change is not None:
            changes.append(PlanChange(step.record.at, change.actor, change.summary,
                                      list(change.edits or ())))  # fmt: skip
    differences = diff.differences(first, final)
    return PlanStory(
        first=_outline(first),
        revised=_outline(final),
        changes=changes,
        differences=differences,
        marks=diff.marks(first, final),
    )

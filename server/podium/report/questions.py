"""The report's questions section: per session how many were asked, approved (approved or
answered now) and answered, which were put on screen (``show_question`` in the log), and
the most voted; and every question as CSV (``format=questions.csv``). Pure: the route or
the CLI reads the questions from the store."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from podium.core.config.programme import Programme
from podium.core.questions import Question, ranked
from podium.core.timefmt import clock
from podium.store.base import LogRecord

TOP = 5  # the most voted questions listed per session


@dataclass
class SessionQuestions:
    id: str | None
    title: str
    questions: list[Question] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        statuses = [q.status for q in self.questions]
        return {
            "asked": len(statuses),
            "approved": sum(s in ("approved", "answered") for s in statuses),
            "answered": statuses.count("answered"),
            "dismissed": statuses.count("dismissed"),
            "room": sum(q.origin == "room" for q in self.questions),
            "remote": sum(q.origin == "remote" for q in self.questions),
        }

    def top(self) -> list[Question]:
        return ranked([q for q in self.questions if q.public])[:TOP]


@dataclass
class QuestionsReport:
    sessions: list[SessionQuestions]
    shown: set[str]  # ids put on screen at some point
    asked: list[Question] = field(default_factory=list)  # every one, oldest first

    def as_dict(self) -> dict[str, Any]:
        return {
            "room": sum(q.origin == "room" for q in self.asked),
            "remote": sum(q.origin == "remote" for q in self.asked),
            "sessions": [
                {
                    "session_id": s.id,
                    "title": s.title,
                    **s.counts(),
                    "top": [{**q.wire(), "shown": q.id in self.shown} for q in s.top()],
                }
                for s in self.sessions
            ],
        }


def questions_report(
    programme: Programme, questions: Sequence[Question], records: Sequence[LogRecord]
) -> QuestionsReport:
    sessions = [SessionQuestions(s.id, s.title) for s in programme.sessions]
    by_id = {s.id: s for s in sessions}
    other = SessionQuestions(None, "(no session)")
    for question in questions:
        by_id.get(question.session_id or "", other).questions.append(question)
    if other.questions:
        sessions.append(other)
    shown = {
        str(r.command["question_id"])
        for r in records
        if r.command.get("action") == "show_question" and "question_id" in r.command
    }
    asked = sorted(questions, key=lambda q: q.asked_at)
    return QuestionsReport([s for s in sessions if s.questions], shown, asked)


def to_text(report: QuestionsReport) -> list[str]:
    if not report.sessions:
        return ["questions", "  none asked"]
    out = ["questions (asked / approved / answered, room · remote; the most voted)"]
    for s in report.sessions:
        c = s.counts()
        out.append(
            f"  {s.title[:56]}  {c['asked']} / {c['approved']} / {c['answered']},"
            f" room {c['room']} · remote {c['remote']}"
        )
        for q in s.top():
            on = " [on screen]" if q.id in report.shown else ""
            who = f" - {q.name}" if q.name else ""
            out.append(f"    {q.votes:>4}  {q.text[:90]}{who}{on}")
    return out


def to_html(report: QuestionsReport) -> str:
    if not report.sessions:
        return "<p>No questions were asked.</p>"
    head = (
        "<tr><th></th><th>asked</th><th>approved</th><th>answered</th><th>votes</th>"
        "<th>room</th><th>remote</th></tr>"
    )
    rows = [head]
    for s in report.sessions:
        c = s.counts()
        rows.append(
            f'<tr class="session"><td>{escape(s.title)}</td><td>{c["asked"]}</td>'
            f"<td>{c['approved']}</td><td>{c['answered']}</td><td></td>"
            f"<td>{c['room']}</td><td>{c['remote']}</td></tr>"
        )
        for q in s.top():
            on = " <small>(on screen)</small>" if q.id in report.shown else ""
            who = f" <small>— {escape(q.name)}</small>" if q.name else ""
            rows.append(
                f"<tr><td>{escape(q.text)}{who}{on}</td><td></td><td></td>"
                f"<td>{'yes' if q.status == 'answered' else ''}</td><td>{q.votes}</td>"
                f"<td>{'yes' if q.origin == 'room' else ''}</td><td></td></tr>"
            )
    return "<table>" + "".join(rows) + "</table>"


CSV_COLUMNS = (
    "id", "session_id", "asked_at", "status", "votes", "shown", "name", "text", "origin"
)  # fmt: skip


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet reads as a formula


def _cell(text: str) -> str:
    """Text a spreadsheet would take for a formula gets a leading apostrophe. Every cell
    that is not Podium's own figure goes through it: a question's id too (a random
    ``token_urlsafe`` may start with ``-``), and the session's id."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def to_csv(programme: Programme, report: QuestionsReport) -> str:
    """Every question, oldest first; ``asked_at`` as the event's local time of day."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for q in report.asked:
        writer.writerow(
            [
                _cell(q.id),
                _cell(q.session_id or ""),
                clock(q.asked_at, programme.zone),
                q.status,
                q.votes,
                "yes" if q.id in report.shown else "",
                _cell(q.name),
                _cell(q.text),
                q.origin,
            ]
        )
    return out.getvalue()

"""The report as text (for a terminal), CSV (for a spreadsheet) and JSON (for programs).
Moments show as the event's local time of day; durations as m:ss, signed where they are
a difference from the plan (+ late or over, - early or under)."""

from __future__ import annotations

import csv
import io
import json

from podium.core.timefmt import clock, length, stamp
from podium.report import captions, questions
from podium.report.html import to_html
from podium.report.model import COLUMNS, Report, cells

FORMATS = ("text", "csv", "json", "html", "questions.csv")


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows if r) for i in range(len(rows[0]))]
    return [
        "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        if r
        else ""
        for r in rows
    ]


def to_text(report: Report) -> str:
    zone = report.programme.zone
    t = report.totals()
    event = report.programme.event
    out = [
        f"{event.title} - report for {report.plan_date} ({event.timezone})",
        f"made {stamp(report.made_at, zone)}; {t['commands']} commands applied",
        "",
    ]
    rows: list[list[str]] = [["", "", *(heading for _, heading, _ in COLUMNS)]]
    day = ""
    for s in report.sessions:
        if (title := report.day_title(s)) != day:
            day = title
            rows += [[], [day.upper(), "", *("" for _ in COLUMNS)]]
        rows += [[], [s.title[:56], s.status, *cells(s.row(), zone)]]
        for sp in s.speakers:
            status = {"done": "", "did not speak": "-"}.get(sp.status, sp.status)
            status = "auto" if sp.ended_by_itself else status
            rows.append([f"  {sp.name}"[:56], status, *cells(sp.row(), zone)])
    out += [*_table(rows), ""]
    out.append("totals")
    worst = t["most_overtime"]
    longest = t["longest_session"]
    out += [
        f"  sessions run        {t['sessions_run']} of {t['sessions_planned']}",
        f"  speakers spoke      {t['speakers_spoke']} of {t['speakers_planned']}",
        f"  speakers overran    {t['speakers_overran']}, by {length(t['overtime_ms'])} in all",
        f"  most overtime       {worst['name']} ({length(worst['overtime_ms'])})"
        if worst
        else "  most overtime       nobody",
        f"  longest session     {longest['title']} ({length(longest['actual_ms'])})"
        if longest
        else "  longest session     -",
        f"  day started         {length(t['start_delay_ms'], True)} against the plan",
        f"  day ended           {length(t['end_drift_ms'], True)} against the plan",
        f"  largest drift       {length(t['max_drift_ms'], True)}",
        f"  paused / added      {length(t['paused_ms'])} / {length(t['added_ms'])}",
        f"  ended by itself     {t['ended_by_itself']} (auto: the server advanced, on_end)",
        "",
        *questions.to_text(report.questions),
        "",
        *captions.to_text(report.programme.id, report.captions),
    ]
    return "\n".join(out) + "\n"


def to_csv(report: Report) -> str:
    """One row per session and per speaker; times local, lengths in whole seconds."""
    zone = report.programme.zone
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    names = [f.replace("_ms", "_s") for f, _, _ in COLUMNS]  # lengths in seconds here
    writer.writerow(["kind", "session_id", "id", "name", "status", *names])

    def shown(row: dict[str, int | None]) -> list[str]:
        return [
            clock(v, zone) if kind == "moment" else "" if v is None else str(round(v / 1000))
            for (name, _, kind), v in zip(COLUMNS, row.values(), strict=True)
        ]

    for s in report.sessions:
        writer.writerow(["session", s.id, s.id, s.title, s.status, *shown(s.row())])
        for sp in s.speakers:
            writer.writerow(["speaker", s.id, sp.id, sp.name, sp.status, *shown(sp.row())])
    return out.getvalue()


def to_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"


def render(report: Report, fmt: str) -> tuple[str, str]:
    """The report in ``fmt``, with its media type."""
    if fmt == "html":
        return to_html(report), "text/html"
    if fmt == "csv":
        return to_csv(report), "text/csv"
    if fmt == "json":
        return to_json(report), "application/json"
    if fmt == "questions.csv":
        return questions.to_csv(report.programme, report.questions), "text/csv"
    return to_text(report), "text/plain"

"""The report as text (for a terminal), CSV (for a spreadsheet) and JSON (for programs).
Moments show as the event's local time of day; durations as m:ss, signed where they are
a difference from the plan (+ late or over, - early or under)."""

from __future__ import annotations

import csv
import io
import json

from podium.report import Report
from podium.report_html import to_html
from podium.timefmt import clock, length

FORMATS = ("text", "csv", "json", "html")


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in rows
    ]


def to_text(report: Report) -> str:
    zone = report.programme.zone
    t = report.totals()
    event = report.programme.event
    out = [
        f"{event.title} - report for {report.plan_date} ({event.timezone})",
        f"made {clock(report.made_at, zone)}; {t['commands']} commands applied",
        "",
    ]
    head = [
        "",
        "",
        "plan",
        "actual",
        "start Δ",
        "length",
        "actual",
        "vs plan",
        "paused",
        "added",
        "overtime",
    ]
    for s in report.sessions:
        d = s.as_dict()
        rows = [
            head,
            [
                s.title[:48],
                d["status"],
                clock(s.planned_start, zone),
                clock(s.actual_start, zone),
                length(d["start_delay_ms"], True),
                length(s.planned_ms),
                length(s.actual_ms),
                length(s.over_plan_ms, True),
                length(s.paused_ms),
                length(s.added_ms),
                length(s.overtime_ms),
            ],
        ]
        for sp in s.speakers:
            start_delta = None if sp.actual_start is None else sp.actual_start - sp.planned_start
            rows.append(
                [
                    f"  {sp.name}"[:48],
                    "live" if sp.live else ("" if sp.spoke else "-"),
                    clock(sp.planned_start, zone),
                    clock(sp.actual_start, zone),
                    length(start_delta, True),
                    length(sp.allocation_ms),
                    length(sp.speaking_ms if sp.spoke else None),
                    length(sp.over_plan_ms, True),
                    length(sp.paused_ms),
                    length(sp.added_ms),
                    length(sp.overtime_ms),
                ]
            )
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
    ]
    return "\n".join(out) + "\n"


CSV_COLUMNS = (
    "kind",
    "session_id",
    "id",
    "name",
    "status",
    "planned_start",
    "planned_end",
    "planned",
    "actual_start",
    "actual_end",
    "actual",
    "vs_plan",
    "paused",
    "added",
    "overtime",
)


def to_csv(report: Report) -> str:
    """One row per session and per speaker; times local, durations in whole seconds."""
    zone = report.programme.zone
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)

    def seconds(ms: int | None) -> str:
        return "" if ms is None else str(round(ms / 1000))

    for s in report.sessions:
        d = s.as_dict()
        writer.writerow(
            [
                "session",
                s.id,
                s.id,
                s.title,
                d["status"],
                clock(s.planned_start, zone),
                clock(s.planned_end, zone),
                seconds(s.planned_ms),
                clock(s.actual_start, zone),
                clock(s.actual_end, zone),
                seconds(s.actual_ms),
                seconds(s.over_plan_ms),
                seconds(s.paused_ms),
                seconds(s.added_ms),
                seconds(s.overtime_ms),
            ]
        )
        for sp in s.speakers:
            writer.writerow(
                [
                    "speaker",
                    s.id,
                    sp.id,
                    sp.name,
                    sp.as_dict()["status"],
                    clock(sp.planned_start, zone),
                    clock(sp.planned_end, zone),
                    seconds(sp.allocation_ms),
                    clock(sp.actual_start, zone),
                    clock(sp.actual_end, zone),
                    seconds(sp.speaking_ms if sp.spoke else None),
                    seconds(sp.over_plan_ms),
                    seconds(sp.paused_ms),
                    seconds(sp.added_ms),
                    seconds(sp.overtime_ms),
                ]
            )
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
    return to_text(report), "text/plain"

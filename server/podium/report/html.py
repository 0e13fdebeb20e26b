"""The report as one self-contained HTML page: totals, an SVG timeline of planned against
actual per speaker, the day's drift, and the figures per session. No script, no external
file; one inline stylesheet (served with a CSP that allows exactly that), laid out to print
on A4 landscape."""

from __future__ import annotations

import base64
import hashlib
import itertools
from html import escape
from zoneinfo import ZoneInfo

from podium.core.config.programme import Programme
from podium.core.timefmt import clock, length, stamp
from podium.report.captions import to_html as captions_html
from podium.report.model import COLUMNS, Report, SessionReport, SpeakerReport, Turn, cells
from podium.report.questions import to_html as questions_html

WIDTH, LABEL, ROW, HEAD = 1100, 270, 20, 24
STEPS_MIN = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360)
STYLE = """
body{font:14px/1.4 system-ui,sans-serif;color:#1d2433;margin:24px;max-width:1150px}
h1{font-size:22px;margin:0;color:var(--primary,#1d2433)}
header{display:flex;align-items:center;gap:16px}header img{height:48px;width:auto}
h2{font-size:17px;margin:28px 0 8px}.sub{color:#5b6476}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0}
.card{border:1px solid #d5dae3;border-radius:6px;padding:8px 12px;min-width:150px}
.card b{display:block;font-size:18px}
table{border-collapse:collapse;width:100%;margin-bottom:14px;font-size:12.5px}
th,td{padding:3px 6px;border-bottom:1px solid #e3e6ec;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left;white-space:normal}
th{background:#f2f4f8}.session td{font-weight:600;background:#fafbfc}
.late{color:#b42318}.early{color:#1a7f37}svg{width:100%;height:auto}
svg text{font:11px system-ui,sans-serif;fill:#1d2433}
@page{size:A4 landscape;margin:10mm}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr,svg{break-inside:avoid}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def style_hash(css: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"


# The one inline stylesheet, allowed by its hash: by the report's own CSP, and by the app's
# (a report opened from the console as a blob: URL inherits the console's policy)
STYLE_HASH = style_hash(STYLE)


def brand_style(programme: Programme) -> str:
    """The event's colours (``[event.branding]``), a second stylesheet of one rule; ""
    without branding."""
    look = programme.event.branding
    return f":root{{--primary:{look.primary};--accent:{look.accent}}}" if look else ""


def style_hashes(programme: Programme) -> list[str]:
    """The hashes of the report's stylesheets for this programme, for a ``style-src``."""
    brand = brand_style(programme)
    return [STYLE_HASH, style_hash(brand)] if brand else [STYLE_HASH]


def csp(programme: Programme) -> str:
    return (
        f"default-src 'none'; style-src {' '.join(style_hashes(programme))}; img-src data:;"
        " base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def _logo(programme: Programme) -> str:
    """The event's logo inline as a data: URL, so the page stays one self-contained file
    (an SVG in an <img> runs no script)."""
    look = programme.event.branding
    if look is None:
        return ""
    try:
        data = base64.b64encode(look.logo_path.read_bytes()).decode()
    except OSError:  # moved since the programme was loaded: the report goes without it
        return ""
    return f'<img src="data:{look.logo_type};base64,{data}" alt="">'


class _Axis:
    def __init__(self, start: int, end: int) -> None:
        self.start, self.end = start, max(end, start + 60_000)

    def x(self, ms: int) -> float:
        return round(LABEL + (ms - self.start) / (self.end - self.start) * (WIDTH - LABEL - 10), 1)


def _rect(x1: float, x2: float, y: float, h: float, cls: str, title: str) -> str:
    w = max(x2 - x1, 1.5)
    return (
        f'<rect x="{x1}" y="{y}" width="{round(w, 1)}" height="{h}" {cls}>'
        f"<title>{escape(title)}</title></rect>"
    )


PLANNED = 'fill="#dfe4ec" stroke="#8a94a6" stroke-width="0.6"'
ACTUAL = 'fill="#2f6fde"'
OVER = 'fill="#d92d20"'


def _actual(axis: _Axis, turns: list[Turn], y: float, name: str, zone: ZoneInfo) -> list[str]:
    out = []
    for t in turns:
        zero = t.end - t.overtime_ms
        label = f"{name}: actual {clock(t.start, zone)}-{clock(t.end, zone)}"
        out.append(_rect(axis.x(t.start), axis.x(zero), y, 7, ACTUAL, label))
        if t.overtime_ms:
            over = f"{name}: overtime {length(t.overtime_ms)}"
            out.append(_rect(axis.x(zero), axis.x(t.end), y, 7, OVER, over))
    return out


def _row(
    axis: _Axis,
    y: float,
    label: str,
    planned: tuple[int, int],
    turns: list[Turn],
    zone: ZoneInfo,
    bold: bool = False,
) -> list[str]:
    style = ' x="4" font-weight="600"' if bold else ' x="16"'
    text = escape(label if len(label) <= 44 else label[:43] + "…")
    plan = f"{label}: planned {clock(planned[0], zone)}-{clock(planned[1], zone)}"
    return [
        f'<text y="{y + 12}"{style}>{text}</text>',
        _rect(axis.x(planned[0]), axis.x(planned[1]), y + 2, 6, PLANNED, plan),
        *_actual(axis, turns, y + 9, label, zone),
    ]


def _grid(axis: _Axis, height: float, zone: ZoneInfo) -> list[str]:
    out = []
    span = axis.end - axis.start
    step = next((m * 60_000 for m in STEPS_MIN if span / (m * 60_000) <= 14), 720 * 60_000)
    tick = -(-axis.start // step) * step
    while tick < axis.end:
        x = axis.x(tick)
        out.append(f'<line x1="{x}" y1="14" x2="{x}" y2="{height}" stroke="#e3e6ec"/>')
        out.append(f'<text x="{x}" y="11" text-anchor="middle">{clock(tick, zone)[:5]}</text>')
        tick += step
    return out


def timeline(report: Report) -> str:
    """Planned (grey) against actual (blue, red past zero) for every speaker and slot."""
    zone = report.programme.zone
    moments = [m for s in report.sessions for m in (s.planned_start, s.planned_end)]
    moments += [t for s in report.sessions for a, b in s.live_spans for t in (a, b)]
    axis = _Axis(min(moments), max(moments))
    body: list[str] = []
    y = float(HEAD)
    for s in report.sessions:
        body += _row(axis, y, s.title, (s.planned_start, s.planned_end), _spans(s), zone, True)
        y += ROW
        for sp in s.speakers:
            body += _row(axis, y, sp.name, (sp.planned_start, sp.planned_end), sp.turns, zone)
            y += ROW
    height = y + 24
    legend = [
        f'<rect x="{LABEL}" y="{y + 8}" width="14" height="7" {PLANNED}/>',
        f'<text x="{LABEL + 18}" y="{y + 15}">planned</text>',
        f'<rect x="{LABEL + 80}" y="{y + 8}" width="14" height="7" {ACTUAL}/>',
        f'<text x="{LABEL + 98}" y="{y + 15}">actual</text>',
        f'<rect x="{LABEL + 150}" y="{y + 8}" width="14" height="7" {OVER}/>',
        f'<text x="{LABEL + 168}" y="{y + 15}">past zero (overtime)</text>',
    ]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}"'
        ' role="img" aria-label="planned against actual, per speaker">'
        + "".join(_grid(axis, y, zone) + body + legend)
        + "</svg>"
    )


def _spans(s: SessionReport) -> list[Turn]:
    """A session's live spans as bars; a speaker-less slot shows its overtime too."""
    if s.slot:
        return s.slot
    return [Turn(start=a, end=b) for a, b in s.live_spans]


def drift_chart(report: Report) -> str:
    """The day's drift (how late the plan runs) after every change, as a step line."""
    points = report.drift
    if len(points) < 2:
        return "<p>No changes yet.</p>"
    zone = report.programme.zone
    axis = _Axis(points[0][0], points[-1][0])
    top = max(60_000, *(abs(d) for _, d in points))
    height, mid = 170, 85

    def y(d: int) -> float:
        return round(mid - d / top * (mid - 16), 1)

    path = f"M{axis.x(points[0][0])},{y(points[0][1])}"
    for (_, d0), (t1, d1) in itertools.pairwise(points):
        path += f" H{axis.x(t1)} V{y(d1)}" if d1 != d0 else f" H{axis.x(t1)}"
    path += f" H{axis.x(axis.end)}"  # the drift holds after the last change
    labels = [
        f'<text x="{LABEL - 8}" y="{y(top) + 4}" text-anchor="end">{length(top, True)} late</text>',
        f'<text x="{LABEL - 8}" y="{mid + 4}" text-anchor="end">on plan</text>',
        f'<text x="{LABEL - 8}" y="{y(-top) + 4}" text-anchor="end">{length(-top, True)}'
        " early</text>",
    ]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}"'
        ' role="img" aria-label="drift over the day">'
        + "".join(_grid(axis, height - 8, zone))
        + f'<line x1="{LABEL}" y1="{mid}" x2="{WIDTH - 10}" y2="{mid}" stroke="#8a94a6"/>'
        + "".join(labels)
        + f'<path d="{path}" fill="none" stroke="#b42318" stroke-width="2"/></svg>'
    )


def _row_cells(row: dict[str, int | None], zone: ZoneInfo) -> str:
    out = []
    for (name, _, kind), text in zip(COLUMNS, cells(row, zone), strict=True):
        value = row[name]
        cls = ""
        if kind == "signed" and value:
            cls = ' class="late"' if value > 0 else ' class="early"'
        out.append(f"<td{cls}>{text}</td>")
    return "".join(out)


def _tables(report: Report) -> str:
    zone = report.programme.zone
    head = "<tr><th></th>" + "".join(f"<th>{h}</th>" for _, h, _ in COLUMNS) + "</tr>"
    out, day = [], ""
    for s in report.sessions:
        if (title := report.day_title(s)) != day:  # "Day 2 · Thursday 27 April"
            day = title
            out.append(f"<h3>{escape(day)}</h3>")
        rows = [
            head,
            f'<tr class="session"><td>{escape(s.title)} <small>({s.status})</small></td>'
            f"{_row_cells(s.row(), zone)}</tr>",
        ]
        rows += [
            f"<tr><td>{escape(sp.name)}{_speaker_note(sp)}</td>{_row_cells(sp.row(), zone)}</tr>"
            for sp in s.speakers
        ]
        out.append("<table>" + "".join(rows) + "</table>")
    return "".join(out)


def _speaker_note(sp: SpeakerReport) -> str:
    if sp.ended_by_itself:
        return " <small>(ended by itself)</small>"
    return f" <small>({sp.status})</small>" if sp.status in ("skipped", "live") else ""


def to_html(report: Report) -> str:
    t = report.totals()
    event = report.programme.event
    zone = report.programme.zone
    worst = t["most_overtime"]
    longest = t["longest_session"]
    cards = [
        ("sessions run", f"{t['sessions_run']} / {t['sessions_planned']}"),
        ("speakers spoke", f"{t['speakers_spoke']} / {t['speakers_planned']}"),
        ("speakers overran", f"{t['speakers_overran']} · {length(t['overtime_ms'])}"),
        ("most overtime", f"{worst['name']} · {length(worst['overtime_ms'])}" if worst else "-"),
        (
            "longest session",
            f"{longest['title'].split(':')[0][:28]} · {length(longest['actual_ms'])}"
            if longest
            else "-",
        ),
        ("day started", length(t["start_delay_ms"], True)),
        ("day ended", length(t["end_drift_ms"], True)),
        ("paused / added", f"{length(t['paused_ms'])} / {length(t['added_ms'])}"),
    ]
    card_html = "".join(f'<div class="card">{escape(k)}<b>{escape(v)}</b></div>' for k, v in cards)
    css = brand_style(report.programme)
    brand = f"<style>{css}</style>" if css else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Report · {escape(event.title)}</title><style>{STYLE}</style>{brand}</head>
<body><header>{_logo(report.programme)}<h1>{escape(event.title)}</h1></header>
<p class="sub">Planned against actual, {report.plan_date} ({escape(event.timezone)}), made
{stamp(report.made_at, zone)}; {t["commands"]} commands applied. Start Δ and vs plan: + is
late or over, - early or under. Overtime: past the countdown's zero.</p>
<div class="cards">{card_html}</div>
<h2>Timeline</h2>{timeline(report)}
<h2>Drift over the day</h2>{drift_chart(report)}
<h2>Sessions and speakers</h2>{_tables(report)}
<h2>Questions from the audience</h2>{questions_html(report.questions)}
<h2>Live captions</h2>{captions_html(report.programme.id, report.captions)}
</body></html>
"""

"""The report's live captions: per session that was run and captioned, how many final
lines were kept and the session's WebVTT file (timed from its start, as
``GET /api/captions?session_id=ID&format=vtt`` answers it). The JSON report names that
endpoint per session; the HTML report carries each file as a download link of its own,
so it works from the tab the console opens and from a saved copy. Pure: the route or the
CLI reads the lines from the store."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import quote

from podium.core.captions import Caption, webvtt
from podium.core.config.programme import Programme
from podium.core.state import State


@dataclass(frozen=True)
class SessionCaptions:
    id: str
    title: str
    lines: int  # final lines kept while it ran
    vtt: str  # the WebVTT file


def captions_report(
    programme: Programme, captions: Sequence[Caption], last: State
) -> list[SessionCaptions]:
    """The captioned sessions, in programme order, timed from their start in ``last``
    (the report's final state)."""
    found = []
    for session in programme.sessions:
        run = last.live.sessions.get(session.id)
        lines = [c for c in captions if c.final and c.session_id == session.id]
        if run is None or not lines:
            continue
        vtt = webvtt(lines, run.started_at, session.title)
        found.append(SessionCaptions(session.id, session.title, len(lines), vtt))
    return found


def endpoint(room: str, session_id: str) -> str:
    return f"/api/captions?room={quote(room)}&session_id={quote(session_id)}&format=vtt"


def as_list(room: str, sessions: list[SessionCaptions]) -> list[dict[str, Any]]:
    return [
        {"session_id": s.id, "title": s.title, "lines": s.lines, "vtt": endpoint(room, s.id)}
        for s in sessions
    ]


def to_text(room: str, sessions: list[SessionCaptions]) -> list[str]:
    if not sessions:
        return ["live captions", "  none kept"]
    out = ["live captions (final lines; WebVTT, moderator token)"]
    out += [f"  {s.title[:56]}  {s.lines} lines  GET {endpoint(room, s.id)}" for s in sessions]
    return out


def to_html(room: str, sessions: list[SessionCaptions]) -> str:
    if not sessions:
        return "<p>No live captions were kept.</p>"
    rows = ["<tr><th></th><th>lines</th><th>WebVTT</th></tr>"]
    for s in sessions:
        data = base64.b64encode(s.vtt.encode()).decode()
        name = escape(f"{room}-{s.id}.vtt")
        link = f'<a download="{name}" href="data:text/vtt;charset=utf-8;base64,{data}">{name}</a>'
        rows.append(f"<tr><td>{escape(s.title)}</td><td>{s.lines}</td><td>{link}</td></tr>")
    return "<table>" + "".join(rows) + "</table>"

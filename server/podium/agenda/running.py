"""The running plan written back as a programme file (``podium export --data-dir``), so
tomorrow's rehearsal starts from today's changes.

The file's own mapping keeps everything but its sessions (the event, its look, groups,
automations, questions settings, as written); the sessions are the plan's, each time and
length written out: a session's ``start`` where it is later than the end of the one
before (else it follows back to back), its ``duration`` at least its speakers'
allocations together, each speaker's ``allocation``; thresholds and moderators only where
they differ from what the session or its group gives. So ``podium check`` accepts it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from podium.core.config.programme import Person, Programme, Session, Speaker
from podium.core.config.values import format_duration

_PERSON = ("honorific", "affiliation", "name_zh", "honorific_zh", "affiliation_zh")
_SESSION_TEXTS = ("description", "title_zh", "description_zh")


def _person(p: Person) -> dict[str, Any]:
    return {"name": p.name, **{k: getattr(p, k) for k in _PERSON if getattr(p, k)}}


def _thresholds(item: Speaker | Session, outer: tuple[int, int]) -> dict[str, Any]:
    out = {}
    for key, inherited in zip(("warning", "danger"), outer, strict=True):
        own = getattr(item, f"{key}_ms")
        if own != inherited:
            out[key] = format_duration(own)
    return out


def _speaker(sp: Speaker, session: Session, written: dict[str, Any], floor: str) -> dict[str, Any]:
    """A speaker's ``[[sessions.speakers]]`` entry; ``written``: the file's own (its
    ``script`` path, as the file writes it), ``floor``: the event's default language."""
    entry: dict[str, Any] = {"id": sp.id, **_person(sp)}
    if sp.presence.value != "in_room":
        entry["presence"] = sp.presence.value
    entry["allocation"] = format_duration(sp.allocation_ms)
    if sp.on_end:
        entry["on_end"] = sp.on_end
    if sp.language != floor:
        entry["language"] = sp.language
    if sp.materials:
        entry["materials"] = [m.model_dump() for m in sp.materials]
    if sp.script_path is not None and "script" in written:
        entry["script"] = written["script"]
    return entry | _thresholds(sp, (session.warning_ms, session.danger_ms))


def _moment(t: dt.time) -> dt.datetime:
    return dt.datetime.combine(dt.date(2000, 1, 1), t)


def sessions(
    programme: Programme, groups: dict[str, list[Person]], written: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The plan's sessions as a file's ``[[sessions]]`` (``groups``: each group's
    moderators, as the file gives them; ``written``: the file's speakers by id)."""
    event = programme.event
    out: list[dict[str, Any]] = []
    previous_end: dt.datetime | None = None
    for s in programme.sessions:
        entry: dict[str, Any] = {"id": s.id, "title": s.title}
        entry |= {k: getattr(s, k) for k in _SESSION_TEXTS if getattr(s, k)}
        if s.kind != "session":
            entry["kind"] = s.kind
        if s.date is not None:
            entry["date"] = s.date.isoformat()
        if s.group is not None and s.group in groups:
            entry["group"] = s.group
        start = _moment(s.start)
        if previous_end is None or start > previous_end:
            entry["start"] = f"{s.start:%H:%M}"
        else:
            start = previous_end
        length = max(s.duration_ms, sum(sp.allocation_ms for sp in s.speakers))
        entry["duration"] = format_duration(length)
        if list(s.moderators) != groups.get(s.group or "", []):
            entry["moderators"] = [_person(m) for m in s.moderators]
        entry |= _thresholds(s, (event.warning_ms, event.danger_ms))
        floor = event.languages[0]
        entry["speakers"] = [_speaker(sp, s, written.get(sp.id, {}), floor) for sp in s.speakers]
        out.append(entry)
        previous_end = start + dt.timedelta(milliseconds=length)
    return out


def running_file(written: dict[str, Any], programme: Programme) -> dict[str, Any]:
    """The programme file's mapping (``written``, as read) with the plan's sessions."""
    groups = {g["id"]: [Person(**m) for m in g.get("moderators", [])]
              for g in written.get("groups", [])}  # fmt: skip
    speakers = {sp["id"]: sp for s in written.get("sessions", []) for sp in s.get("speakers", [])
                if "id" in sp}  # fmt: skip
    return {**written, "sessions": sessions(programme, groups, speakers)}

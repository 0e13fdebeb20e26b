"""Programme files (TOML): their checks, and loading them into a ``Programme`` (the file
as written is ``programme_entries``).

A programme file is written by people, so it may leave things out: a session's start
(planned back to back after the one before), a speaker's allocation (the slot shared
evenly among the speakers who have none), a session's moderators (its group's). ``load``
reads a file, reports every problem at once with its field path and a fix, and returns
a ``Programme`` in which all of that is resolved. Nothing here does I/O beyond reading
the file.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from podium.core.config.branding import resolve as resolve_branding
from podium.core.config.languages import floor_language, script_file
from podium.core.config.programme import (
    DANGER_MS,
    WARNING_MS,
    Event,
    Presence,
    Programme,
    Session,
    Speaker,
)
from podium.core.config.programme_entries import ProgrammeFile, Thresholds
from podium.core.config.values import format_duration
from podium.core.errors import ProgrammeError

# -- loading and checking ---------------------------------------------------------------


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-before[parse_duration_ms(), int]",):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "(file)"


def _explain(error: dict[str, Any]) -> str:
    loc = tuple(p for p in error["loc"] if not str(p).startswith("function-"))
    path = _path(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{path}: unknown field; remove it or check its spelling"
    if kind == "missing":
        return f"{path}: required field is missing; add it"
    if kind == "enum":
        allowed = ", ".join(p.value for p in Presence)
        return f"{path}: {error['input']!r} is not one of {allowed}; use one of them"
    if kind == "string_pattern_mismatch":
        return (
            f"{path}: {error['input']!r} is not a valid id; use lowercase letters, digits,"
            " '-' and '_' (at most 64), starting with a letter or digit"
        )
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{path}: {message[0].lower()}{message[1:]}"


def _resolve(raw: ProgrammeFile, base: Path) -> tuple[Programme | None, list[str]]:
    problems: list[str] = []
    look = resolve_branding(raw.event.branding, base, problems) if raw.event.branding else None

    groups = {g.id: g for g in raw.groups}
    if len(groups) != len(raw.groups):
        problems.append("groups: two groups share an id; give each group its own id")

    seen: dict[str, str] = {}

    def claim(identifier: str, where: str) -> None:
        if identifier in seen:
            problems.append(
                f"{where}.id: {identifier!r} is already used by {seen[identifier]};"
                " ids must be unique across sessions and speakers"
            )
        else:
            seen[identifier] = where

    event_warning, event_danger = _thresholds("event", raw.event, (WARNING_MS, DANGER_MS), problems)
    sessions: list[Session] = []
    previous_end: datetime | None = None
    previous_id = ""
    day = raw.event.date
    for si, entry in enumerate(raw.sessions):
        where = f"sessions[{si}]"
        claim(entry.id, where)
        group = groups.get(entry.group) if entry.group else None
        if entry.group and group is None:
            problems.append(
                f"{where}.group: no group with id {entry.group!r}; add it under [[groups]]"
            )

        if entry.date is not None and day is None and sessions:
            problems.append(
                f"{where}.date: {entry.id} names a day but the sessions before it do not;"
                " give event.date or the first session's date"
            )
        day = entry.date or day
        start = entry.start
        if start is None:
            if previous_end is None:
                problems.append(
                    f"{where}.start: the first session needs a start time, e.g. '09:00'"
                )
                start = time(0, 0)
            else:
                start = previous_end.time()
                if entry.date is not None and entry.date != previous_end.date():
                    problems.append(
                        f"{where}.start: {entry.id} opens {entry.date} but has no start time;"
                        " give the day's first session a start, e.g. '09:00'"
                    )
        start_dt = datetime.combine(day or date(2000, 1, 1), start)
        if previous_end is not None and start_dt < previous_end:
            when = "%H:%M" if start_dt.date() == previous_end.date() else "%Y-%m-%d %H:%M"
            problems.append(
                f"{where}.start: {entry.id} starts at {start_dt.strftime(when)}, before"
                f" {previous_id} ends at {previous_end.strftime(when)}; move its start or"
                f" shorten {previous_id}"
                + ("" if when == "%H:%M" else " (the days must come in order)")
            )

        duration_ms = entry.duration
        if entry.end is not None:
            end_ms = int((datetime.combine(start_dt.date(), entry.end) - start_dt).total_seconds())
            if duration_ms is not None and duration_ms != end_ms * 1000:
                problems.append(
                    f"{where}: end {entry.end:%H:%M} and duration disagree; give only one of them"
                )
            elif end_ms <= 0:
                problems.append(
                    f"{where}.end: {entry.end:%H:%M} is not after the start {start:%H:%M}"
                )
            else:
                duration_ms = end_ms * 1000
        if duration_ms is None:
            problems.append(f"{where}: give the session a duration (e.g. '50m') or an end time")
            duration_ms = 60_000

        explicit = sum(sp.allocation for sp in entry.speakers if sp.allocation is not None)
        open_count = sum(1 for sp in entry.speakers if sp.allocation is None)
        if explicit > duration_ms or (open_count and explicit >= duration_ms):
            problems.append(
                f"{where}.speakers: allocations ({format_duration(explicit)}) leave no time in the"
                f" {format_duration(duration_ms)} slot for the rest; shorten them or lengthen"
                " the slot"
            )
        share = (duration_ms - explicit) // open_count if open_count else 0
        if entry.on_end is not None and not entry.speakers:
            problems.append(
                f"{where}.on_end: {entry.id} has no speakers, so nothing in it can advance by"
                " itself; remove on_end (end the session from the console) or add speakers"
            )
        warning_ms, danger_ms = _thresholds(where, entry, (event_warning, event_danger), problems)
        speakers: list[Speaker] = []
        for pi, sp in enumerate(entry.speakers):
            claim(sp.id, f"{where}.speakers[{pi}]")
            at = f"{where}.speakers[{pi}]"
            own = _thresholds(at, sp, (warning_ms, danger_ms), problems)
            speakers.append(
                Speaker(
                    id=sp.id,
                    session_id=entry.id,
                    name=sp.name,
                    honorific=sp.honorific,
                    affiliation=sp.affiliation,
                    name_zh=sp.name_zh,
                    honorific_zh=sp.honorific_zh,
                    affiliation_zh=sp.affiliation_zh,
                    presence=sp.presence,
                    allocation_ms=sp.allocation if sp.allocation is not None else max(share, 1),
                    on_end=_on_end(sp.on_end or entry.on_end),
                    warning_ms=own[0],
                    danger_ms=own[1],
                    language=floor_language(sp.language, raw.event.languages, at, problems),
                    materials=tuple(sp.materials),
                    script_path=script_file(base, sp.script, at, problems) if sp.script else None,
                )
            )
        moderators = (
            entry.moderators
            if entry.moderators is not None
            else (group.moderators if group else [])
        )
        sessions.append(
            Session(
                id=entry.id,
                title=entry.title,
                description=entry.description,
                group=entry.group,
                group_title=group.title if group else None,
                kind=entry.kind,
                date=day,
                title_zh=entry.title_zh,
                description_zh=entry.description_zh,
                group_title_zh=group.title_zh if group else "",
                start=start,
                duration_ms=duration_ms,
                moderators=tuple(moderators),
                speakers=tuple(speakers),
                warning_ms=warning_ms,
                danger_ms=danger_ms,
            )
        )
        previous_end = start_dt + timedelta(milliseconds=duration_ms)
        previous_id = entry.id

    if problems:
        return None, problems
    event = Event(
        **raw.event.model_dump(exclude={"warning", "danger", "branding"}),
        branding=look,
        warning_ms=event_warning,
        danger_ms=event_danger,
    )
    automations = tuple(raw.automations)
    return (
        Programme(
            event=event,
            sessions=tuple(sessions),
            automations=automations,
            questions=raw.questions,
            interpretation=raw.interpretation,
        ),
        [],
    )


def _on_end(written: str | None) -> str | None:
    """A speaker's resolved ``on_end``: ``"next"``, or ``None`` when they stay on."""
    return "next" if written == "next" else None


def _thresholds(
    where: str, entry: Thresholds, inherited: tuple[int, int], problems: list[str]
) -> tuple[int, int]:
    """``(warning_ms, danger_ms)`` for an entry: its own, else those it inherits (its
    session's, the event's, the defaults). Danger must be shorter than warning."""
    warning = entry.warning if entry.warning is not None else inherited[0]
    danger = entry.danger if entry.danger is not None else inherited[1]
    own = entry.warning is not None or entry.danger is not None  # else reported where set
    if own and danger >= warning:
        problems.append(
            f"{where}: danger ({format_duration(danger)}) is not under warning"
            f" ({format_duration(warning)}); the countdown turns amber first, then red:"
            " make danger shorter than warning"
        )
    return warning, danger


def parse(data: dict[str, Any], source: str = "(programme)", base: Path | None = None) -> Programme:
    """Validate and resolve an already-parsed programme mapping; a logo is looked for in
    ``base`` (the programme file's folder; the working directory when not given)."""
    try:
        raw = ProgrammeFile.model_validate(data)
    except ValidationError as exc:
        problems = [_explain(e) for e in exc.errors(include_url=False)]
        raise ProgrammeError(source, problems) from None
    programme, problems = _resolve(raw, base if base is not None else Path.cwd())
    if programme is None:
        raise ProgrammeError(source, problems)
    return programme


def load(path: str | Path) -> Programme:
    """Read a TOML programme file; every problem is reported in one ``ProgrammeError``."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProgrammeError(
            str(p), [f"cannot read the file ({exc.strerror}); check the path"]
        ) from None
    except UnicodeDecodeError:
        raise ProgrammeError(str(p), ["the file is not UTF-8 text; save it as UTF-8"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProgrammeError(str(p), [f"not valid TOML: {exc}; fix the syntax there"]) from None
    return parse(data, str(p), p.parent)

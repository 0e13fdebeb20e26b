"""The segments an agenda was read into, made a programme that loads: a start time alone
runs to the next start, a range that holds the items after it is their group, overlaps
and a missing first start are settled, breaks are marked, each day named where it
changes; every such decision is a ``Note`` with its line. ``text`` calls ``plan``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from podium.agenda import lines
from podium.agenda.imported import Note
from podium.agenda.names import (
    looks_like_name,
    people,
    person,
    segment_id,
    slug,
    split_presence,
    unique,
)
from podium.agenda.segments import Section

ASSUMED_SLOT = "10m"
ASSUMED_START = "09:00"
GUESSED = "_guessed"  # an entry's key: its length was guessed (``toml`` writes a comment)


def _minutes(clock: str) -> int:
    return int(clock[:2]) * 60 + int(clock[3:])


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _length(duration: str) -> int:
    return int(duration[:-1]) * (60 if duration.endswith("h") else 1)


@dataclass
class _Timing:
    sections: list[Section]
    notes: list[Note]

    def note(self, section: Section, message: str) -> None:
        self.notes.append(Note(section.line, f"{section.title[:60]!r} {message}"))

    def same_day(self, a: Section, b: Section) -> bool:
        return a.day == b.day

    def is_group(self, i: int) -> bool:
        """A heading without time or people, followed by a segment the same day."""
        here = self.sections[i]
        after = self.sections[i + 1] if i + 1 < len(self.sections) else None
        return here.is_heading_only and after is not None and self.same_day(here, after)

    def containers(self) -> None:
        """ "09:00 - 12:00 Meeting" then "9h00-9h15 Opening remarks", ...: a group."""
        for here, after in zip(self.sections, self.sections[1:], strict=False):
            if (
                here.start and here.end and after.start and not here.speakers
                and self.same_day(here, after) and after.start == here.start
                and (after.end or after.start) <= here.end
            ):  # fmt: skip
                self.note(here, f"holds the items from {here.start} to {here.end} after it;"
                          " read as their group")  # fmt: skip
                here.start = here.end = None
                here.timed = False

    def ends(self) -> set[int]:
        """A start alone runs to the next start that day; else its length is guessed. An
        end before the start is after midnight ("22:00 - 01:00")."""
        guessed: set[int] = set()
        for here in self.sections:
            if here.start and here.end and here.end <= here.start:
                length = _minutes(here.end) + 24 * 60 - _minutes(here.start)
                self.note(here, f"ends at {here.end}, before it starts; read as ending the next"
                          f" day, {length} min")  # fmt: skip
                here.end, here.duration = None, f"{length}m"
        for i, here in enumerate(self.sections):
            if not here.start or here.end or here.duration:
                continue
            after = self.sections[i + 1] if i + 1 < len(self.sections) else None
            if after and after.start and self.same_day(here, after) and after.start > here.start:
                here.end = after.start
                continue
            here.duration = ASSUMED_SLOT
            guessed.add(id(here))
            self.note(here, f"has a start time but no end; {ASSUMED_SLOT} assumed; set its end")
        return guessed

    def order(self) -> None:
        """The first segment needs a start; one that starts before the one before it ends
        shortens that one (or, when that leaves nothing, starts when it ends)."""
        previous: Section | None = None
        end = 0
        for i, here in enumerate(self.sections):
            if self.is_group(i):
                continue
            if previous is None and not here.start:
                here.start = ASSUMED_START
                self.note(here, f"is the first segment but has no start time; {ASSUMED_START}"
                          " assumed; set its start")  # fmt: skip
            if previous is not None and previous.day and here.day and here.day < previous.day:
                self.note(here, f"is dated {here.day}, before the segment above; read as"
                          f" {previous.day}")  # fmt: skip
                here.day = previous.day
            if previous is not None and here.start and self.same_day(previous, here):
                start = _minutes(here.start)
                if start < end:
                    if previous.start and _minutes(previous.start) < start:
                        self.note(previous, f"overlaps the next segment; shortened to end at"
                                  f" {here.start}")  # fmt: skip
                        previous.end, previous.duration = here.start, None
                    else:
                        self.note(here, f"starts before the segment above ends; moved to"
                                  f" {_clock(end)}")  # fmt: skip
                        span = _minutes(here.end) - start if here.end else None
                        here.start = _clock(end)
                        here.end = _clock(end + span) if span is not None else None
            if here.start:
                end = _minutes(here.start)
            elif previous is not None and not self.same_day(previous, here):
                continue
            length = (_minutes(here.end) - _minutes(here.start)) if here.end and here.start else 0
            end += length or _length(here.duration or ASSUMED_SLOT)
            previous = here


def _speakers(section: Section, ids: set[str], notes: list[Note]) -> list[dict[str, Any]]:
    out = []
    for item in section.speakers:
        for text in people(item.text, item.plural):
            text, presence = split_presence(text)
            speaker = person(text)
            if not speaker["name"]:
                notes.append(Note(item.line, "a speaker line without a name; ignored"))
                continue
            if not looks_like_name(speaker):
                section.description.append(f"\u2022 {text}")  # a point of the agenda
                continue
            speaker = {"id": unique(slug(speaker["name"]) or "speaker", ids), **speaker}
            if presence:
                speaker["presence"] = presence
            out.append(speaker)
    return out


def _moderators(section: Section) -> list[dict[str, str]]:
    return [
        person(split_presence(t)[0]) for m in section.moderators for t in people(m.text, m.plural)
    ]


def _session(section: Section, ids: set[str], notes: list[Note]) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": unique(segment_id(section.title), ids), "title": section.title}
    if section.title_zh:
        entry["title_zh"] = section.title_zh
    if section.start:
        entry["start"] = section.start
    if section.end:
        entry["end"] = section.end
    if section.duration:
        if section.end:
            notes.append(
                Note(
                    section.line,
                    f"{section.title!r} has both a time range and a"
                    f" length ({section.duration}); the time range is"
                    " used",
                )
            )
        else:
            entry["duration"] = section.duration
    if not (section.end or section.duration):
        entry["duration"] = ASSUMED_SLOT
        entry[GUESSED] = True
        notes.append(
            Note(
                section.line,
                f"{section.title!r} has no time and no length: planned"
                " right after the segment before, "
                f"{ASSUMED_SLOT} assumed; set its duration",
            )
        )
    speakers = _speakers(section, ids, notes)
    if section.description:
        entry["description"] = "\n".join(section.description)
    if section.moderators:
        entry["moderators"] = _moderators(section)
    if section.announced and int(section.announced.text) != len(speakers):
        notes.append(
            Note(
                section.announced.line,
                f"{section.title!r} announces"
                f" {section.announced.text} speakers but lists {len(speakers)}; the"
                f" {len(speakers)} listed are used and share the slot evenly",
            )
        )
    if speakers:
        entry["speakers"] = speakers
    elif lines.is_break(section.title):
        entry = {"id": entry.pop("id"), "title": entry.pop("title"), "kind": "break", **entry}
    return entry


def plan(
    sections: list[Section], notes: list[Note]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], date | None]:
    """The sessions and groups of a programme mapping, and its first day."""
    timing = _Timing(sections, notes)
    timing.containers()
    guessed = timing.ends()
    timing.order()
    groups: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    ids: set[str] = set()
    group: str | None = None
    first = next((s.day for s in sections if s.day), None)
    day = first
    for i, section in enumerate(sections):
        if timing.is_group(i):
            group = unique(segment_id(section.title), ids)
            entry: dict[str, Any] = {"id": group, "title": section.title}
            if section.title_zh:
                entry["title_zh"] = section.title_zh
            if section.description:
                entry["description"] = "\n".join(section.description)
            entry["moderators"] = _moderators(section)
            groups.append(entry)
            continue
        session = _session(section, ids, notes)
        if id(section) in guessed:
            session[GUESSED] = True
        if section.day and section.day != day:
            day = section.day
            session = {"id": session.pop("id"), "date": day.isoformat(), **session}
            group = None  # a new day ends the group
        if section.moderators:
            group = None  # a segment with its own moderator is not part of the group above
        elif group is not None:
            session = {"id": session.pop("id"), "group": group, **session}
        sessions.append(session)
    return sessions, groups, first

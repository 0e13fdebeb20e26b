"""Agenda import: a plain-text agenda, as pasted from a document, into a programme.

Organisers get agendas as documents. ``import_text`` reads one line by line and builds the
programme mapping that ``programme_file.parse`` takes (and ``to_toml`` writes out): the title
block, the description and its theme and venue, the time zone from notes such as
"GMT+8 (Beijing)", and the segments with their times ("09:00 - 09:30"), slot notes
("(moderated 50 Minutes, 6 speakers)"), moderators, descriptions and speakers ("- Mr. Name,
Affiliation", wrapped lines joined). Whatever it cannot read, or that contradicts itself,
becomes a ``Note`` with its line number instead of a silent guess.

Ids follow one rule, so a re-import gives the same ids: a segment's id is its title up to
the colon or the first linking word ("Session 1: ..." -> ``session-1``, "Appreciation for
the ..." -> ``appreciation``); a speaker's id is their name without honorific
(``heung-youl-youm``); the event's id is its title without generic words ("Annual ITU-MIIT
Seminar 2021" -> ``itu-miit-2021``) (``names``).

This module reads the title block and description and turns the segments (``segments``,
time zones in ``zones``) into sessions and groups; ``toml`` writes the result.
"""

from __future__ import annotations

import re
from typing import Any

from podium.agenda.imported import Imported, Note
from podium.agenda.names import (
    EVENT_WORDS,
    event_id,
    person,
    segment_id,
    slug,
    split_presence,
    unique,
    words,
)
from podium.agenda.segments import Reader, Section, is_agenda_line, is_chinese, is_heading

ASSUMED_SLOT = "10m"

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\ufeff": None})
_AGENDA_HEADING = re.compile(
    r"^(?:provisional\s+|draft\s+|final\s+)?(?:agenda|programme|program)$", re.I
)
_THEME = re.compile(r"\btheme\b[^“\"]*?[“\"]([^”\"]+)[”\"]", re.I)
_VENUE = re.compile(
    r"\b(?:participants|held|hosted|taking place|takes place)\s+in\s+([A-Z][^.;]*?)\s*(?:[.;]|$)"
)
_MODE = re.compile(r"\b(hybrid|virtual|online|in-person)\s+(?:mode|format|event)\b", re.I)


def _title_line(short: list[tuple[int, str]], notes: list[Note]) -> str:
    """Which short line at the top is the event's title: the one that names an event
    ("Seminar", "Forum", ...) and a year; when that does not decide, the first, said so."""

    def score(text: str) -> int:
        named = {w.lower() for w in words(text)}
        return 2 * bool(named & EVENT_WORDS) + bool(re.search(r"\b(?:19|20)\d\d\b", text))

    best = max(score(text) for _, text in short)
    chosen = [(line, text) for line, text in short if score(text) == best]
    if len(short) > 1 and (best == 0 or len(chosen) > 1):
        line, text = chosen[0]
        notes.append(
            Note(
                line,
                f"cannot tell the event's title from its subtitle; took {text!r} as the title;"
                " swap event.title and event.subtitle if it is the other way round",
            )
        )
    return chosen[0][1]


def _preamble(lines: list[str], notes: list[Note]) -> tuple[dict[str, Any], int]:
    """The title block and description before the agenda; returns them and where it starts."""
    short: list[tuple[int, str]] = []  # line, text
    chinese: dict[str, str] = {}  # a short line's Chinese version, on the line below it
    paragraphs: list[str] = []
    end = len(lines)
    for i, raw in enumerate(lines):
        text = raw.strip()
        if is_agenda_line(text):
            end = i
            break
        if _AGENDA_HEADING.match(text):
            end = i + 1
            break
        if not text:
            continue
        if paragraphs or not is_heading(text) or len(text) > 80:
            if paragraphs and is_heading(text) and len(text) <= 80:
                notes.append(
                    Note(
                        i + 1,
                        f"a short line among the description: {text!r}; kept in the description",
                    )
                )
            paragraphs.append(text)
        else:
            if short and short[-1][0] == i and is_chinese(text):
                chinese[short[-1][1]] = text  # the Chinese version of the line above
            else:
                short.append((i + 1, text))
    if not short:
        notes.append(
            Note(
                1,
                "no title found before the description; used 'Event'; put the"
                " event's title on a line of its own at the top",
            )
        )
        short = [(1, "Event")]
    title = _title_line(short, notes)
    description = "\n".join(paragraphs)
    event: dict[str, Any] = {
        "id": event_id(title),
        "title": title,
        "subtitle": " · ".join(text for _, text in short if text != title),
        "title_zh": chinese.get(title, ""),
        "subtitle_zh": " · ".join(
            chinese[text] for _, text in short if text in chinese and text != title
        ),
    }
    if m := _THEME.search(description):
        event["theme"] = m.group(1).strip()
    if m := _VENUE.search(description):
        venue = re.split(r",\s+(?:in|with|and|as|on|at)\b", m.group(1))[0].strip()
        if mode := _MODE.search(description):
            venue += f" ({mode.group(1).lower()})"
        event["venue"] = venue
    event["description"] = description
    return {k: v for k, v in event.items() if v}, end


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
        notes.append(
            Note(
                section.line,
                f"{section.title!r} has no time and no length: planned"
                " right after the segment before, "
                f"{ASSUMED_SLOT} assumed; set its duration",
            )
        )
    if section.description:
        entry["description"] = "\n".join(section.description)
    if section.moderators:
        entry["moderators"] = [person(m.text) for m in section.moderators]
    speakers = []
    for item in section.speakers:
        text, presence = split_presence(item.text)
        speaker = person(text)
        if not speaker["name"]:
            notes.append(Note(item.line, "a speaker line without a name; ignored"))
            continue
        speaker = {"id": unique(slug(speaker["name"]) or "speaker", ids), **speaker}
        if presence:
            speaker["presence"] = presence
        speakers.append(speaker)
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
    return entry


def import_text(text: str) -> Imported:
    """Read a plain-text agenda; the programme mapping plus notes with line numbers."""
    notes: list[Note] = []
    lines = text.translate(_SPACES).splitlines()
    event, start = _preamble(lines, notes)
    reader = Reader(notes, event.get("venue", ""))
    for number, raw in enumerate(lines[start:], start + 1):
        reader.read(number, raw)
    if reader.zone is None:
        notes.append(
            Note(
                start + 1,
                "no time zone note such as 'GMT+8 (Beijing)'; used UTC; set event.timezone",
            )
        )
    event["timezone"] = reader.zone or "UTC"
    groups: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    ids: set[str] = set()
    group: str | None = None
    for i, section in enumerate(reader.sections):
        if section.is_heading_only and i + 1 < len(reader.sections):
            group = unique(segment_id(section.title), ids)
            entry: dict[str, Any] = {"id": group, "title": section.title}
            if section.title_zh:
                entry["title_zh"] = section.title_zh
            if section.description:
                entry["description"] = "\n".join(section.description)
            entry["moderators"] = [person(m.text) for m in section.moderators]
            groups.append(entry)
            continue
        session = _session(section, ids, notes)
        if section.moderators:
            group = None  # a segment with its own moderator is not part of the group above
        elif group is not None:
            session = {"id": session.pop("id"), "group": group, **session}
        sessions.append(session)
    if not sessions:
        notes.append(
            Note(
                start + 1,
                "no sessions found; a session is a title line after a time such as '09:00 - 09:30'",
            )
        )
    data: dict[str, Any] = {"event": event, "sessions": sessions}
    if groups:
        data["groups"] = groups
    return Imported(data=data, notes=sorted(notes, key=lambda n: n.line))

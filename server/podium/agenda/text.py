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

from podium.agenda.dates import find_date, year_of
from podium.agenda.imported import Imported, Note
from podium.agenda.lines import clean, is_agenda_word, is_chrome
from podium.agenda.names import EVENT_WORDS, event_id, words
from podium.agenda.places import venue_city
from podium.agenda.plan import GUESSED, plan
from podium.agenda.segments import Reader, is_agenda_line, is_chinese, is_heading

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\ufeff": None})
_DAY_AFTER = re.compile(r"[,\s]*\bday\s*\d+$", re.I)
_PAGE_SUFFIX = re.compile(r"\s*[-\u2013:|]\s*(?:draft\s+)?(?:agenda|programme|program)$", re.I)
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
        stamp = re.search(r"\d:\d\d", text)  # "Mon Nov 9 06:05:45 UTC 2015": when it was sent
        year = re.search(r"\b(?:19|20)\d\d\b", text)
        return 2 * bool(named & EVENT_WORDS) + bool(year) - 3 * bool(stamp)

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


def _agenda_start(lines: list[str], year: int | None) -> int:
    """Where the agenda starts: its heading ("Provisional Agenda"), its first day, time or
    time zone line; without any, its first list of people."""
    for i, raw in enumerate(lines):
        if is_agenda_word(raw.strip()):
            return i
        if is_agenda_line(raw, year, strict=True):
            return i
    return next((i for i, raw in enumerate(lines) if is_agenda_line(raw, year)), len(lines))


def _preamble(lines: list[str], year: int | None, notes: list[Note]) -> tuple[dict[str, Any], int]:
    """The title block and description before the agenda; returns them and where it starts."""
    short: list[tuple[int, str]] = []  # line, text
    chinese: dict[str, str] = {}  # a short line's Chinese version, on the line below it
    paragraphs: list[str] = []
    end = _agenda_start(lines, year)
    if end < len(lines) and is_agenda_word(lines[end].strip()):
        end += 1
    for i, raw in enumerate(lines[:end]):
        text = clean(raw)
        if not text or is_chrome(text) or is_agenda_word(text):
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
            if short and short[-1][0] == i and is_chinese(text) and not is_chinese(short[-1][1]):
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
    title = _PAGE_SUFFIX.sub("", _title_line(short, notes)) or "Event"
    days = [f.day for _, t in short if not re.search(r"\d:\d\d", t) and (f := find_date(t, year))]
    if (dated := find_date(title, year)) and dated.before:  # "Forum 2008, Day 1, 26 May 2008"
        plain = _DAY_AFTER.sub("", dated.before)
        short = [(line, plain if text == title else text) for line, text in short]
        title = plain
    description = "\n".join(paragraphs)
    event: dict[str, Any] = {
        "id": event_id(title),
        "title": title,
        "subtitle": " · ".join(text for _, text in short if _PAGE_SUFFIX.sub("", text) != title),
        "date": days[0] if days else None,
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


def _untitled(preamble: list[str]) -> str:
    """The heading right above the agenda ("试片室开放时间:"): the title of times without one."""
    last = next((clean(raw) for raw in reversed(preamble) if clean(raw)), "")
    short = last.endswith((":", "\uff1a")) and (len(last) <= 24 or is_chinese(last))
    return last.rstrip(":\uff1a ") if short else ""


def _zone(event: dict[str, Any], reader: Reader, text: str, start: int, notes: list[Note]) -> str:
    """The zone a note in the agenda gives, else the zone of the city the text names."""
    if reader.zone is not None:
        return reader.zone
    found = venue_city(text)
    if found is None:
        notes.append(
            Note(
                start + 1,
                "no time zone note such as 'GMT+8 (Beijing)' and no city; used UTC;"
                " set event.timezone",
            )
        )
        return "UTC"
    city, line = found
    event.setdefault("venue", city.name)
    notes.append(
        Note(
            line,
            f"no time zone note; used {city.zone}, the zone of {city.name} named here;"
            " check event.timezone",
        )
    )
    return city.zone


def import_text(text: str) -> Imported:
    """Read a plain-text agenda; the programme mapping plus notes with line numbers."""
    notes: list[Note] = []
    lines = text.translate(_SPACES).splitlines()
    year = year_of(text)
    event, start = _preamble(lines, year, notes)
    reader = Reader(notes, event.get("venue", ""), year, _untitled(lines[:start]))
    for number, raw in enumerate(lines[start:], start + 1):
        reader.read(number, raw)
    reader.finish()
    if reader.preface:
        event["description"] = "\n".join(filter(None, [event.get("description"), *reader.preface]))
    event["timezone"] = _zone(event, reader, text, start, notes)
    sessions, groups, first_day = plan(reader.sections, notes)
    if first_day or event.get("date"):
        event["date"] = (first_day or event["date"]).isoformat()  # the first day

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
    guessed = {s["id"] for s in sessions if s.pop(GUESSED, False)}
    return Imported(data=data, notes=sorted(notes, key=lambda n: n.line), guessed=guessed)

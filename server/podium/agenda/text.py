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
Seminar 2021" -> ``itu-miit-2021``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from podium.core.errors import present

ASSUMED_SLOT = "10m"

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\ufeff": None})
_LINKING = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "the", "to", "with"}
_EVENT_WORDS = {
    "seminar",
    "conference",
    "forum",
    "summit",
    "meeting",
    "workshop",
    "symposium",
    "congress",
    "colloquium",
    "assembly",
    "expo",
    "dialogue",
}
_GENERIC = _EVENT_WORDS | {"annual", "the", "of", "on", "and", "for"}
_CITY_ZONES = {
    "beijing": "Asia/Shanghai",
    "shenzhen": "Asia/Shanghai",
    "guangzhou": "Asia/Shanghai",
    "geneva": "Europe/Zurich",
    "bern": "Europe/Zurich",
    "new delhi": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "washington": "America/New_York",
    "washington dc": "America/New_York",
    "brasilia": "America/Sao_Paulo",
    "abu dhabi": "Asia/Dubai",
    "addis ababa": "Africa/Addis_Ababa",
}

# a time range or a start time, alone on its line or followed by the segment's title
_TIME_RANGE = re.compile(
    r"^(\d{1,2})[:.](\d{2})\s*(?:[-\u2013\u2014]|to)\s*(\d{1,2})[:.](\d{2})(?:\s+(.+))?$"
)
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?:\s+(.+))?$")
# a time zone, alone on its line or right after a time: "GMT+8 (Beijing)", "UTC+01:00",
# "+0800", "CET", "Europe/Paris"; what follows it is the segment's title
_ZONE = re.compile(
    r"^\(?(?:(?P<utc>(?:GMT|UTC)(?:\s*(?P<sign>[+\-\u2212])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?)?)"
    r"|(?P<bare>(?P<bsign>[+\-\u2212])(?P<bh>\d{2}):?(?P<bm>\d{2}))"
    r"|(?P<iana>[A-Za-z]+/[A-Za-z_\-]+(?:/[A-Za-z_\-]+)?)"
    r"|(?P<abbr>[A-Z]{2,5}))\)?(?:\s*\((?P<city>[^)]*)\))?(?=[\s,;|\u2013\u2014-]|$)"
    r"[\s,;|\u2013\u2014-]*(?P<rest>.*)$",
    re.I,
)
# abbreviations to IANA zones (summer time included); tzdata's own links where it has one
# (CET -> Europe/Brussels); several candidates: ambiguous, the venue's decides
_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("CET", "CEST", "MET", "MEST"), ("Europe/Brussels",)),
    **dict.fromkeys(("EET", "EEST"), ("Europe/Athens",)),
    **dict.fromkeys(("WET", "WEST"), ("Europe/Lisbon",)),
    "BST": ("Europe/London", "Asia/Dhaka"),
    "IST": ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"),
    "CST": ("America/Chicago", "Asia/Shanghai"),
    "CDT": ("America/Chicago",),
    **dict.fromkeys(("EST", "EDT"), ("America/New_York",)),
    **dict.fromkeys(("MST", "MDT"), ("America/Denver",)),
    **dict.fromkeys(("PST", "PDT"), ("America/Los_Angeles",)),
    "MSK": ("Europe/Moscow",),
    "JST": ("Asia/Tokyo",),
    "KST": ("Asia/Seoul",),
    "HKT": ("Asia/Hong_Kong",),
    "SGT": ("Asia/Singapore",),
    "PKT": ("Asia/Karachi",),
    **dict.fromkeys(("AEST", "AEDT"), ("Australia/Sydney",)),
    **dict.fromkeys(("NZST", "NZDT"), ("Pacific/Auckland",)),
    "SAST": ("Africa/Johannesburg",),
    "EAT": ("Africa/Nairobi",),
    "WAT": ("Africa/Lagos",),
}
_UNKNOWN_ABBREVIATION = re.compile(r"^[A-Z]{2,4}T$")
_BULLET = re.compile(r"^(?:[-\u2022*\u2013\u00b7]|\d{1,2}[.)])\s+(.+)$")
_MODERATOR = re.compile(r"^(?:moderators?|moderated by|chairs?)\s*:\s*(.+)$", re.I)
_SLOT = re.compile(r"^\((.+)\)$")
_SLOT_LENGTH = re.compile(r"(\d+)\s*(h|hours?|hrs?|m|min|mins|minutes?)\b", re.I)
_SLOT_COUNT = re.compile(r"(\d+)\s*speakers?", re.I)
_AGENDA_HEADING = re.compile(
    r"^(?:provisional\s+|draft\s+|final\s+)?(?:agenda|programme|program)$", re.I
)
_HONORIFIC = re.compile(
    r"^((?:(?:H\.\s?E\.|Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|Hon|Amb|Ambassador|Eng"
    r"|Rev)\.?\s+)+)"
)
_RECORDED = re.compile(
    r"\s*\((?:speech received|recorded|pre-recorded|prerecorded|video message|video)\)\s*$", re.I
)
_REMOTE = re.compile(r"\s*\((?:remote|online|virtual|by video ?link|via video ?link)\)\s*$", re.I)
_THEME = re.compile(r"\btheme\b[^“\"]*?[“\"]([^”\"]+)[”\"]", re.I)
_VENUE = re.compile(
    r"\b(?:participants|held|hosted|taking place|takes place)\s+in\s+([A-Z][^.;]*?)\s*(?:[.;]|$)"
)
_MODE = re.compile(r"\b(hybrid|virtual|online|in-person)\s+(?:mode|format|event)\b", re.I)


@dataclass(frozen=True)
class Note:
    """Something the importer could not read, or that contradicts itself."""

    line: int  # 1-based line of a text agenda, or row of a spreadsheet
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class Imported:
    """A programme mapping (what ``programme_file.parse`` takes) and what to check in it."""

    data: dict[str, Any]
    notes: list[Note] = field(default_factory=list)


# -- ids ---------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.findall(r"[A-Za-z0-9]+", ascii_text)


def slug(text: str) -> str:
    return "-".join(_words(text)).lower()[:64].strip("-")


def segment_id(title: str) -> str:
    """The title up to its colon or its first linking word, as an id."""
    kept: list[str] = []
    for word in _words(title.split(":", 1)[0]):
        if word.lower() in _LINKING and kept:
            break
        kept.append(word)
    return slug(" ".join(kept)) or "session"


def event_id(title: str) -> str:
    """The title without generic words such as "Annual" or "Seminar", as an id."""
    return slug(" ".join(w for w in _words(title) if w.lower() not in _GENERIC)) or "event"


def unique(identifier: str, taken: set[str]) -> str:
    candidate, n = identifier, 2
    while candidate in taken:
        candidate, n = f"{identifier}-{n}", n + 1
    taken.add(candidate)
    return candidate


# -- people --------------------------------------------------------------------------------


def split_presence(text: str) -> tuple[str, str | None]:
    """``"..., Officer of GSMA (Speech received)"`` -> (text without it, "recorded")."""
    for pattern, presence in ((_RECORDED, "recorded"), (_REMOTE, "remote")):
        stripped = pattern.sub("", text)
        if stripped != text:
            return stripped, presence
    return text, None


def split_honorific(text: str) -> tuple[str, str]:
    """``"H.E. Mr. Houlin ZHAO"`` -> ("H.E. Mr.", "Houlin ZHAO"), spaces tidied."""
    text = re.sub(r"\s+", " ", text).strip()
    if m := _HONORIFIC.match(text):
        return m.group(1).strip(), text[m.end() :]
    return "", text


def person(text: str) -> dict[str, str]:
    """``"H.E. Mr. Houlin ZHAO, Secretary General of ..."`` -> honorific, name, affiliation."""
    honorific, text = split_honorific(text)
    name, _, affiliation = text.partition(",")
    out = {"name": name.strip()}
    if honorific:
        out["honorific"] = honorific
    if affiliation.strip():
        out["affiliation"] = affiliation.strip()
    return out


# -- time zones -----------------------------------------------------------------------------


def _offset_minutes(zone: str) -> set[int]:
    tz = ZoneInfo(zone)
    moments = (datetime(2021, 1, 15, tzinfo=tz), datetime(2021, 7, 15, tzinfo=tz))
    return {int(m.utcoffset().total_seconds()) // 60 for m in moments}  # type: ignore[union-attr]


def zone_for(city: str, offset: int | None) -> str | None:
    """An IANA zone for a city note, if the city is known and its offset agrees."""
    key = city.strip().lower()
    zone = _CITY_ZONES.get(key)
    if zone is None:
        wanted = key.replace(" ", "_")
        zone = next(
            (z for z in sorted(available_timezones()) if z.lower().endswith("/" + wanted)), None
        )
    if zone is None or (offset is not None and offset not in _offset_minutes(zone)):
        return None
    return zone


def split_zone(text: str) -> tuple[str, str] | None:
    """``"CET Opening"`` (after a time) -> ("CET", "Opening"): the zone note and the rest;
    ``None`` when the text does not start with a time zone."""
    m = _ZONE.match(text.strip())
    if not m:
        return None
    note = text.strip()[: m.start("rest")].strip(" ,;|-\u2013\u2014")
    rest = m.group("rest").strip()
    if m.group("iana") and _iana(m.group("iana")) is None:
        return None
    abbr = m.group("abbr")
    if abbr and abbr not in _ABBREVIATIONS and not (_UNKNOWN_ABBREVIATION.match(abbr) and not rest):
        return None  # a word such as "Panel", not a zone
    return note, rest


def is_zone_line(text: str) -> bool:
    return (found := split_zone(text)) is not None and not found[1]


def _iana(name: str) -> str | None:
    return next((z for z in sorted(available_timezones()) if z.lower() == name.lower()), None)


def _venue_zone(venue: str) -> str | None:
    city = re.split(r"[,(]", venue, maxsplit=1)[0]
    return zone_for(city, None) if city.strip() else None


def resolve_zone(note: str, venue: str = "") -> tuple[str | None, str | None]:
    """A zone note as an IANA zone, and what to check when the reading is not certain.

    An offset takes the zone of the city named with it, else the venue's when the offsets
    agree, else a fixed ``Etc/GMT`` zone; an abbreviation its zone (several candidates:
    the venue's, else the first, said so); an unknown abbreviation no zone at all."""
    m = present(_ZONE.match(note), f"resolve_zone got {note!r}, which is not a zone note")
    venue_zone = _venue_zone(venue)
    if m.group("utc") or m.group("bare"):
        sign, hours, minutes = (m.group("sign"), m.group("h"), m.group("m"))
        if m.group("bare"):
            sign, hours, minutes = m.group("bsign"), m.group("bh"), m.group("bm")
        offset = None
        if hours is not None:
            offset = (int(hours) * 60 + int(minutes or 0)) * (-1 if sign in "-\u2212" else 1)
        city = m.group("city")
        if city and (zone := zone_for(city, offset)):
            return zone, None
        if offset is None or offset == 0:
            return "UTC", None
        if venue_zone and offset in _offset_minutes(venue_zone):
            return venue_zone, None
        if offset % 60:
            return "UTC", f"cannot tell the time zone from {note!r}; used UTC; set event.timezone"
        fixed = f"Etc/GMT{-offset // 60:+d}"
        return fixed, (
            f"{note!r} names no known city; used {fixed}, which has no"
            " daylight saving time; set event.timezone to the venue's zone"
        )
    if m.group("iana"):
        return _iana(m.group("iana")), None
    abbr = m.group("abbr").upper()
    candidates = _ABBREVIATIONS.get(abbr)
    if candidates is None:
        return None, (
            f"{note!r} looks like a time zone abbreviation podium does not know; ignored;"
            " set event.timezone, e.g. 'Europe/Paris'"
        )
    if venue_zone and any(_offset_minutes(venue_zone) == _offset_minutes(z) for z in candidates):
        return venue_zone, None
    if len(candidates) > 1:
        return candidates[0], (
            f"{note!r} is ambiguous ({', '.join(candidates)}); used {candidates[0]};"
            " set event.timezone to the venue's zone"
        )
    if venue_zone:
        return candidates[0], (
            f"the venue is in {venue_zone} but the agenda says {note!r}; used {candidates[0]};"
            " set event.timezone to the venue's zone"
        )
    return candidates[0], None


# -- the agenda ------------------------------------------------------------------------------


@dataclass
class _Item:
    line: int
    text: str


@dataclass
class _Section:
    line: int
    title: str
    timed: bool  # announced by a time or time zone line
    title_zh: str = ""  # a Chinese line right under the title
    start: str | None = None
    end: str | None = None
    duration: str | None = None
    announced: _Item | None = None  # the slot note's speaker count
    moderators: list[_Item] = field(default_factory=list)
    description: list[str] = field(default_factory=list)
    speakers: list[_Item] = field(default_factory=list)

    @property
    def is_heading_only(self) -> bool:
        return not (self.timed or self.speakers or self.duration or self.start)


def _is_heading(text: str) -> bool:
    return len(text) <= 120 and not text.endswith((".", ";", ","))


def _slot(section: _Section, item: _Item, notes: list[Note]) -> bool:
    """Read "(moderated 50 Minutes, 6 speakers)"; False when it is no slot note."""
    length = _SLOT_LENGTH.search(item.text)
    count = _SLOT_COUNT.search(item.text)
    if not (length or count):
        return False
    if length:
        unit = "h" if length.group(2).lower().startswith("h") else "m"
        duration = f"{int(length.group(1))}{unit}"
        if section.duration and section.duration != duration:
            notes.append(
                Note(
                    item.line,
                    f"a second length ({duration}) for {section.title!r}; kept {section.duration}",
                )
            )
        else:
            section.duration = duration
    if count:
        section.announced = _Item(item.line, count.group(1))
    return True


class _Reader:
    """One pass over the agenda part of the document, into sections."""

    def __init__(self, notes: list[Note], venue: str) -> None:
        self.notes = notes
        self.venue = venue
        self.warned: set[str] = set()  # zone notes already warned about
        self.sections: list[_Section] = []
        self.zone: str | None = None
        self.zone_note = ""
        self.pending_time: tuple[str, str | None] | None = None
        self.header = False  # a time or zone line came, so the next text line is a title
        self.after_blank = True
        self.open_item: _Item | None = None  # a speaker or moderator that may wrap

    @property
    def current(self) -> _Section | None:
        return self.sections[-1] if self.sections else None

    def read(self, number: int, raw: str) -> None:
        text = raw.strip()
        if not text:
            self.after_blank, self.open_item = True, None
            return
        if raw[:1].isspace() and self.open_item is not None:
            self.open_item.text = f"{self.open_item.text.rstrip()} {text}"
            return
        self.open_item = None
        if m := _TIME_RANGE.match(text):
            h1, m1, h2, m2 = (int(g) for g in m.groups()[:4])
            self.pending_time = (f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}")
            self._after_time(number, m.group(5))  # "09:00 - 09:30 CET Opening Session"
        elif m := _TIME.match(text):
            self.pending_time = (f"{int(m.group(1)):02d}:{m.group(2)}", None)
            self._after_time(number, m.group(3))
        elif is_zone_line(text):
            self._zone(number, text)
        elif (m := _BULLET.match(text)) and not self.header:
            self._speaker(number, m.group(1))
        elif m := _MODERATOR.match(text):
            self._moderator(number, m.group(1))
        elif (m := _SLOT.match(text)) and self.current is not None and not self.header:
            if not _slot(self.current, _Item(number, m.group(1)), self.notes):
                self._text(number, text)
        else:
            self._text(number, text)
        self.after_blank = False

    def _after_time(self, number: int, rest: str | None) -> None:
        """What follows a time on its line: a time zone, then the segment's title."""
        self.header = True
        if rest and (found := split_zone(rest)):
            self._zone(number, found[0])
            rest = found[1]
        if rest:
            self._text(number, rest)

    def _zone(self, number: int, text: str) -> None:
        self.header = True
        note = re.sub(r"\s+", " ", text)
        zone, warning = resolve_zone(note, self.venue)
        if warning and note not in self.warned:
            self.warned.add(note)
            self.notes.append(Note(number, warning))
        if zone is None:
            return
        if self.zone is None:
            self.zone, self.zone_note = zone, note
        elif zone != self.zone:
            self.notes.append(
                Note(
                    number,
                    f"{note!r} differs from the first time zone note"
                    f" {self.zone_note!r}; all times use the first",
                )
            )

    def _speaker(self, number: int, text: str) -> None:
        section = self.current
        if section is None or self.header:
            self.notes.append(Note(number, "a speaker outside any session; ignored"))
            return
        self.open_item = _Item(number, text)
        section.speakers.append(self.open_item)

    def _moderator(self, number: int, text: str) -> None:
        section = self.current
        if section is None or self.header:
            self.notes.append(Note(number, "a moderator outside any session; ignored"))
            return
        self.open_item = _Item(number, text)
        section.moderators.append(self.open_item)

    def _text(self, number: int, text: str) -> None:
        section = self.current
        if section is not None and section.line == number - 1 and is_chinese(text):
            section.title_zh = text  # "Opening Session" then "开幕式": its Chinese title
            return
        starts_section = self.header or section is None or (self.after_blank and _is_heading(text))
        if starts_section:
            section = _Section(line=number, title=text, timed=self.header)
            if self.pending_time:
                section.start, section.end = self.pending_time
            self.sections.append(section)
            self.pending_time, self.header = None, False
        elif section is not None and not section.speakers:
            section.description.append(text)
        else:
            self.notes.append(
                Note(number, f"not understood after the speaker list: {text[:60]!r}; ignored")
            )


def _title_line(short: list[tuple[int, str]], notes: list[Note]) -> str:
    """Which short line at the top is the event's title: the one that names an event
    ("Seminar", "Forum", ...) and a year; when that does not decide, the first, said so."""

    def score(text: str) -> int:
        words = {w.lower() for w in _words(text)}
        return 2 * bool(words & _EVENT_WORDS) + bool(re.search(r"\b(?:19|20)\d\d\b", text))

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


def is_chinese(text: str) -> bool:
    """Mostly Chinese characters: a translation line."""
    han = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    return han > 0 and han >= sum(1 for c in text if c.isalpha()) / 2


def _preamble(lines: list[str], notes: list[Note]) -> tuple[dict[str, Any], int]:
    """The title block and description before the agenda; returns them and where it starts."""
    short: list[tuple[int, str]] = []  # line, text
    chinese: dict[str, str] = {}  # a short line's Chinese version, on the line below it
    paragraphs: list[str] = []
    end = len(lines)
    for i, raw in enumerate(lines):
        text = raw.strip()
        if is_zone_line(text) or any(
            p.match(text) for p in (_TIME_RANGE, _TIME, _BULLET, _MODERATOR)
        ):
            end = i
            break
        if _AGENDA_HEADING.match(text):
            end = i + 1
            break
        if not text:
            continue
        if paragraphs or not _is_heading(text) or len(text) > 80:
            if paragraphs and _is_heading(text) and len(text) <= 80:
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


def _session(section: _Section, ids: set[str], notes: list[Note]) -> dict[str, Any]:
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
    reader = _Reader(notes, event.get("venue", ""))
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


# -- writing TOML -------------------------------------------------------------------------------


def _string(value: str) -> str:
    if "\n" not in value:
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    body = value.replace("\\", "\\\\").replace('"""', '""\\"')
    body = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", lambda m: f"\\u{ord(m.group(0)):04x}", body)
    return f'"""\n{body}"""'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        if any(isinstance(v, dict) for v in value):
            return "[\n" + "".join(f"  {_value(v)},\n" for v in value) + "]"
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _table(header: str, entries: dict[str, Any]) -> list[str]:
    return [header, *(f"{k} = {_value(v)}" for k, v in entries.items() if k != "speakers")]


def to_toml(data: dict[str, Any], comments: Sequence[str] = ()) -> str:
    """A programme mapping as a TOML file, in the order people read it."""
    out = [f"# {c}" if c else "#" for c in comments]
    if out:
        out.append("")
    out += _table("[event]", data["event"])
    for group in data.get("groups", []):
        out += ["", *_table("[[groups]]", group)]
    for session in data["sessions"]:
        out += ["", "# " + "-" * 86, *_table("[[sessions]]", session)]
        for speaker in session.get("speakers", []):
            out += ["", *_table("[[sessions.speakers]]", speaker)]
    return "\n".join(out) + "\n"

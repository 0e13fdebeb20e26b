"""The agenda part of a pasted document read line by line into segments: times and time zone
lines, titles (and their Chinese line), slot notes, moderators, descriptions and speakers,
wrapped lines joined."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from podium.agenda.imported import Note
from podium.agenda.zones import is_zone_line, resolve_zone, split_zone

# a time range or a start time, alone on its line or followed by the segment's title
_TIME_RANGE = re.compile(
    r"^(\d{1,2})[:.](\d{2})\s*(?:[-\u2013\u2014]|to)\s*(\d{1,2})[:.](\d{2})(?:\s+(.+))?$"
)
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?:\s+(.+))?$")
_BULLET = re.compile(r"^(?:[-\u2022*\u2013\u00b7]|\d{1,2}[.)])\s+(.+)$")
_MODERATOR = re.compile(r"^(?:moderators?|moderated by|chairs?)\s*:\s*(.+)$", re.I)
_SLOT = re.compile(r"^\((.+)\)$")
_SLOT_LENGTH = re.compile(r"(\d+)\s*(h|hours?|hrs?|m|min|mins|minutes?)\b", re.I)
_SLOT_COUNT = re.compile(r"(\d+)\s*speakers?", re.I)


@dataclass
class Item:
    line: int
    text: str


@dataclass
class Section:
    line: int
    title: str
    timed: bool  # announced by a time or time zone line
    title_zh: str = ""  # a Chinese line right under the title
    start: str | None = None
    end: str | None = None
    duration: str | None = None
    announced: Item | None = None  # the slot note's speaker count
    moderators: list[Item] = field(default_factory=list)
    description: list[str] = field(default_factory=list)
    speakers: list[Item] = field(default_factory=list)

    @property
    def is_heading_only(self) -> bool:
        return not (self.timed or self.speakers or self.duration or self.start)


def is_heading(text: str) -> bool:
    return len(text) <= 120 and not text.endswith((".", ";", ","))


def _slot(section: Section, item: Item, notes: list[Note]) -> bool:
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
        section.announced = Item(item.line, count.group(1))
    return True


class Reader:
    """One pass over the agenda part of the document, into sections."""

    def __init__(self, notes: list[Note], venue: str) -> None:
        self.notes = notes
        self.venue = venue
        self.warned: set[str] = set()  # zone notes already warned about
        self.sections: list[Section] = []
        self.zone: str | None = None
        self.zone_note = ""
        self.pending_time: tuple[str, str | None] | None = None
        self.header = False  # a time or zone line came, so the next text line is a title
        self.after_blank = True
        self.open_item: Item | None = None  # a speaker or moderator that may wrap

    @property
    def current(self) -> Section | None:
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
            if not _slot(self.current, Item(number, m.group(1)), self.notes):
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
        self.open_item = Item(number, text)
        section.speakers.append(self.open_item)

    def _moderator(self, number: int, text: str) -> None:
        section = self.current
        if section is None or self.header:
            self.notes.append(Note(number, "a moderator outside any session; ignored"))
            return
        self.open_item = Item(number, text)
        section.moderators.append(self.open_item)

    def _text(self, number: int, text: str) -> None:
        section = self.current
        if section is not None and section.line == number - 1 and is_chinese(text):
            section.title_zh = text  # "Opening Session" then "开幕式": its Chinese title
            return
        starts_section = self.header or section is None or (self.after_blank and is_heading(text))
        if starts_section:
            section = Section(line=number, title=text, timed=self.header)
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


def is_chinese(text: str) -> bool:
    """Mostly Chinese characters: a translation line."""
    han = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    return han > 0 and han >= sum(1 for c in text if c.isalpha()) / 2


def is_agenda_line(text: str) -> bool:
    """A time, a time zone, a speaker or a moderator line: the agenda has begun."""
    return is_zone_line(text) or any(
        p.match(text) for p in (_TIME_RANGE, _TIME, _BULLET, _MODERATOR)
    )

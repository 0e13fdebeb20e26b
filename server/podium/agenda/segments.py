"""The agenda part of a pasted document read line by line into segments: days, times and
time zone lines, titles (and their Chinese line), slot notes, lists of people under their
heads, descriptions, wrapped lines joined. ``lines`` recognises each line's form."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from podium.agenda import lines
from podium.agenda.dates import find_date
from podium.agenda.imported import Note
from podium.agenda.zones import is_zone_line, resolve_zone, split_zone

_SLOT = re.compile(r"^\((.+)\)$")
_SLOT_LENGTH = re.compile(r"(\d+)\s*(h|hours?|hrs?|m|min|mins|minutes?)\b", re.I)
_SLOT_COUNT = re.compile(r"(\d+)\s*speakers?", re.I)


@dataclass
class Item:
    line: int
    text: str
    plural: bool = False  # on a plural head's own line ("Moderators: A, B"): several people


@dataclass
class Section:
    line: int
    title: str
    timed: bool  # announced by a time or time zone line
    day: date | None = None
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


def _unbalanced(text: str) -> bool:
    return text.count("(") > text.count(")")


class Reader:
    """One pass over the agenda part of the document, into sections."""

    def __init__(self, notes: list[Note], venue: str, year: int | None, untitled: str) -> None:
        self.notes = notes
        self.venue = venue
        self.year = year  # the year of a day written without one
        self.untitled = untitled  # the title of a time written without one
        self.warned: set[str] = set()  # zone notes already warned about
        self.sections: list[Section] = []
        self.preface: list[str] = []  # paragraphs after the agenda's heading, before a segment
        self.zone: str | None = None
        self.zone_note = ""
        self.day: date | None = None
        self.pending_time: tuple[int, str, str | None] | None = None  # line, start, end
        self.header = False  # a time or zone line came, so the next text line is a title
        self.after_blank = True
        self.open_item: Item | None = None  # a speaker or moderator that may wrap
        self.people: list[Item] | None = None  # the list a head (or a bullet) opened
        self.plural = False  # ... under a plural head ("Panellists:")
        self.listing = False  # ... and more people may follow on their own lines
        self.named = 0  # people named since the head

    @property
    def current(self) -> Section | None:
        return self.sections[-1] if self.sections else None

    def read(self, number: int, raw: str) -> None:
        text = lines.clean(raw)
        if not text:
            self.after_blank = True
            if self.open_item is not None and (self.people is None or self._affiliated()):
                self.open_item = None
            return
        if lines.is_chrome(text) or lines.is_agenda_word(text):
            return
        if self._continues(raw, text):
            return
        self._line(number, text)
        self.after_blank = False

    def finish(self) -> None:
        self._untitled_time()

    def _continues(self, raw: str, text: str) -> bool:
        """A wrapped line of the person above: indented, or inside their open bracket."""
        item = self.open_item
        if item is None or lines.bullet(text) is not None or lines.times(text) is not None:
            return False
        if (raw[:1].isspace() and not self.after_blank) or _unbalanced(item.text):
            # a name alone, then an indented line: its affiliation; else the line wrapped
            joint = ", " if not self._affiliated() and not _unbalanced(item.text) else " "
            item.text = f"{item.text.rstrip()}{joint}{text}"
            return True
        return False

    def _line(self, number: int, text: str) -> None:
        if (
            (found := find_date(text, self.year))
            and not found.span
            and self._is_day(found.before, found.after)
        ):
            self._untitled_time()
            self.day = found.day
            self.people = self.open_item = None
            text = f"{found.before} {found.after}".strip()
            if not text:
                return
        if (item := lines.bullet(text)) is not None and lines.times(item) is not None:
            text = item  # "• 9h00-9h15 Opening remarks": a time in a list
        if (t := lines.times(text)) is not None:
            self._untitled_time()
            self.people = self.open_item = None
            self.pending_time = (number, t.start, t.end)
            self._after_time(number, t.rest)
        elif (item := lines.bullet(text)) is not None and not self.header:
            self._bullet(number, item)
        elif is_zone_line(text):
            self._zone(number, text)
        elif (first := lines.length_first(text)) is not None:
            self._untitled_time()
            self.people = self.open_item = None
            self._start(number, first[1], timed=False)
            self.sections[-1].duration = first[0]
        elif (parts := lines.split_heads(text)) and lines.head(parts[0]) is not None:
            for part in parts:
                self._head(number, part)
        elif (m := _SLOT.match(text)) and self.current is not None and not self.header:
            if not _slot(self.current, Item(number, m.group(1)), self.notes):
                self._text(number, text)
        elif self.header and lines.is_room(text):
            return  # "Room B Speke Ballroom" between the time and the title
        elif self.people is not None and self._listed(number, text):
            return
        else:
            self.people = None
            self._text(number, text)

    def _is_day(self, before: str, after: str) -> bool:
        """A day heading ("Tuesday, 25 September 2012"), or a day before or after a time."""
        return not before or lines.times(before) is not None or lines.times(after) is not None

    def _after_time(self, number: int, rest: str) -> None:
        """What follows a time on its line: a time zone, then the segment's title."""
        self.header = True
        if rest and (found := split_zone(rest)):
            self._zone(number, found[0])
            rest = found[1]
        if rest and lines.is_room(rest) and "," in rest:  # "Room X, Captioning ...": the title
            rest = rest.split(",", 1)[1].strip()
        if rest:
            self._text(number, rest)

    def _untitled_time(self) -> None:
        """A time whose title never came (the next time came first): a segment of its own."""
        if self.pending_time is None:
            return
        line, start, _ = self.pending_time
        title = self.untitled or f"Session at {start}"
        self.notes.append(Note(line, f"a time without a title; titled it {title!r}"))
        self._start(line, title, timed=True)

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

    def _head(self, number: int, text: str) -> None:
        """ "Panellists:" (the people follow), "Moderator: Name, Affiliation" (on the line)."""
        found = lines.head(text)
        if found is None:  # the second part of a line did not name a head after all
            self._text(number, text)
            return
        section = self.current
        if section is None or self.header:
            self.notes.append(Note(number, f"{text[:40]!r} outside any session; ignored"))
            return
        self.people = section.moderators if found.moderating else section.speakers
        self.plural, self.open_item, self.named = found.plural, None, 0
        self.listing = found.plural or not found.rest  # the people follow on their own lines
        if found.rest:
            self._add(number, found.rest, found.plural)

    def _bullet(self, number: int, text: str) -> None:
        """A person in a list: under the head above while it lists, else a speaker."""
        section = self.current
        if section is None or self.header:
            self.notes.append(Note(number, "a speaker outside any session; ignored"))
            return
        if self.people is None or not self.listing:
            self.people, self.plural, self.listing = section.speakers, False, True
        self._add(number, text)

    def _add(self, number: int, text: str, several: bool = False) -> None:
        """A person (``several``: the head's own line, which may name several)."""
        self.open_item = Item(number, text, several)
        if self.people is not None:
            self.people.append(self.open_item)
        self.named += 1
        if not self.plural and self.people is not self.current_speakers():
            self.listing = False  # "Moderator:" names one person; the list after is speakers

    def _affiliated(self) -> bool:
        item = self.open_item
        return item is None or "," in item.text or "(" in item.text

    def _listed(self, number: int, text: str) -> bool:
        """A plain line in a list of people: the affiliation of the name above ("Name" then
        "Director, Office"), or a name under a head that named none yet."""
        if self.open_item is not None and not self._affiliated() and len(text) <= 200:
            self.open_item.text = f"{self.open_item.text.rstrip()}, {text}"
            return True
        if self.listing and self.named == 0 and len(text) <= 120:
            self._add(number, text)
            return True
        return False

    def current_speakers(self) -> list[Item]:
        return self.current.speakers if self.current else []

    def _start(self, number: int, title: str, timed: bool) -> None:
        section = Section(line=number, title=title, timed=timed, day=self.day)
        if self.pending_time:
            _, section.start, section.end = self.pending_time
        self.sections.append(section)
        self.pending_time, self.header = None, False

    def _text(self, number: int, text: str) -> None:
        section = self.current
        if section and section.line == number - 1 and is_chinese(text) and not self.header:
            section.title_zh = text  # "Opening Session" then "开幕式": its Chinese title
            return
        finished = section is not None and (
            not section.timed or section.speakers or section.moderators
        )  # a timed segment's lines after a blank are its description until its people
        if section is None and not self.header and not is_heading(text):
            self.preface.append(text)  # a paragraph before the first segment
        elif self.header or section is None or (self.after_blank and is_heading(text) and finished):
            self._start(number, text, timed=self.header)
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


def is_agenda_line(text: str, year: int | None, strict: bool = False) -> bool:
    """A day, a time or a time zone line: the agenda has begun; unless ``strict``, a
    person in a list or after a head too."""
    text = lines.clean(text)
    if (found := find_date(text, year)) and not found.before:
        if not found.after:
            return True
        text = found.after
    item = lines.bullet(text)
    if (
        is_zone_line(text)
        or lines.times(text) is not None
        or lines.length_first(text) is not None
        or (item is not None and lines.times(item) is not None)
    ):
        return True
    found_head = lines.head(text)
    return not strict and (item is not None or (found_head is not None and bool(found_head.rest)))

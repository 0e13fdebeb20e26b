"""The resolved programme: the event, its sessions and speakers, with every time and
allocation worked out, and the lookups the engine and the pages need.

``programme_file.load`` makes one from a programme file. Nothing here does I/O, and
nothing here knows about clocks other than the plan itself.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from podium.core.config.automations import Automation
from podium.core.config.branding import Branding
from podium.core.config.languages import DEFAULT_LANGUAGES, Interpretation, Material

Text = Annotated[str, Field(min_length=1, max_length=4000)]
WARNING_MS = 120_000  # the countdown turns amber at or under this, unless the programme says
DANGER_MS = 0  # and red at or under this (0: red from zero, as before thresholds were set)
ZhText = Annotated[
    str, Field(max_length=4000, description="the Chinese version of the field without _zh")
]


class Presence(StrEnum):
    IN_ROOM = "in_room"
    REMOTE = "remote"
    RECORDED = "recorded"


class Strict(BaseModel):
    """Every text may have a Chinese version in the same key with ``_zh`` appended
    (``title_zh`` next to ``title``); pages in Chinese show it, else the text itself."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @model_validator(mode="after")
    def _zh_needs_its_text(self) -> Strict:
        for key in type(self).model_fields:
            if key.endswith("_zh") and getattr(self, key) and not getattr(self, key[:-3]):
                raise ValueError(
                    f"{key} is given without {key[:-3]}; give the text in {key[:-3]} too"
                )
        return self


class Person(Strict):
    name: Text
    honorific: str = ""
    affiliation: str = ""
    name_zh: ZhText = ""
    honorific_zh: ZhText = ""
    affiliation_zh: ZhText = ""

    @property
    def display_name(self) -> str:
        return f"{self.honorific} {self.name}".strip()

    @property
    def display_name_zh(self) -> str:
        """In Chinese: the Chinese name and honorific where given, else the English."""
        honorific = self.honorific_zh or self.honorific
        return f"{honorific} {self.name_zh or self.name}".strip()


class Colours(Strict):
    """The resolved thresholds: the countdown turns amber, then red, at or under these."""

    warning_ms: int = WARNING_MS
    danger_ms: int = DANGER_MS


class Speaker(Person, Colours):
    id: str
    session_id: str
    presence: Presence
    allocation_ms: int
    on_end: str | None = None  # "next": advances by itself when the time is up
    language: str = DEFAULT_LANGUAGES[0]  # the floor language
    materials: tuple[Material, ...] = ()
    script_path: Path | None = None  # never in public_dict: the server reads it for the few

    def public_dict(self) -> dict[str, Any]:
        """A speaker as ``GET /api/programme`` shows them: ``has_script``, not the script."""
        shown = self.model_dump(mode="json", exclude={"session_id", "script_path"})
        return shown | _names(self) | {"has_script": self.script_path is not None}


class Session(Colours):
    id: str
    title: str
    kind: str = "session"  # or "break": coffee, lunch, registration
    date: dt.date | None = None  # the day it runs on, when the programme has several
    description: str
    group: str | None = None  # defaults: a state's plans are stored without nulls
    group_title: str | None = None
    title_zh: str = ""
    description_zh: str = ""
    group_title_zh: str = ""
    start: time
    duration_ms: int
    moderators: tuple[Person, ...]
    speakers: tuple[Speaker, ...]

    def speaker_index(self, speaker_id: str) -> int | None:
        for i, speaker in enumerate(self.speakers):
            if speaker.id == speaker_id:
                return i
        return None


class Event(Colours):
    id: str
    title: str
    subtitle: str
    theme: str
    description: str
    venue: str
    timezone: str
    date: dt.date | None
    title_zh: str = ""
    subtitle_zh: str = ""
    theme_zh: str = ""
    description_zh: str = ""
    venue_zh: str = ""
    branding: Branding | None = None
    languages: tuple[str, ...] = DEFAULT_LANGUAGES  # the first: the default floor language


QUESTION_MAX = 300  # characters in a question, unless the programme says
QUESTION_MAX_LIMIT = 2000


class QuestionSettings(Strict):
    """``[questions]`` in a programme file: may the remote audience ask, must a moderator
    approve a question before anyone else sees it, and how long one may be."""

    enabled: bool = True
    moderated: bool = True
    max_length: int = Field(default=QUESTION_MAX, ge=10, le=QUESTION_MAX_LIMIT)


class Programme(Strict):
    event: Event
    sessions: tuple[Session, ...]
    automations: tuple[Automation, ...] = ()  # never in public_dict: URLs and secrets
    questions: QuestionSettings = QuestionSettings()
    interpretation: Interpretation = Interpretation()

    @property
    def id(self) -> str:
        return self.event.id

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.event.timezone)

    def session(self, session_id: str) -> Session | None:
        return next((s for s in self.sessions if s.id == session_id), None)

    def find_speaker(self, speaker_id: str) -> tuple[Session, int] | None:
        for session in self.sessions:
            index = session.speaker_index(speaker_id)
            if index is not None:
                return session, index
        return None

    @property
    def days(self) -> tuple[date, ...]:
        """The days sessions name, in order; empty when the programme runs on one day."""
        return tuple(sorted({s.date for s in self.sessions if s.date is not None}))

    def day_number(self, session: Session) -> int:
        """1 for the programme's first day, 2 for the next day a session names, ..."""
        days = self.days
        return days.index(session.date) + 1 if session.date in days else 1

    def session_day(self, session: Session, plan_date: date) -> date:
        """The day ``session`` runs on when the plan's first day is ``plan_date``: as many
        days after it as its own ``date`` is after the programme's first day."""
        days = self.days
        if session.date is None or not days:
            return plan_date
        return plan_date + (session.date - days[0])

    def day_title(self, session: Session, plan_date: date) -> str:
        """ "Day 2 · Thursday 27 April" for a programme over several days, else ""."""
        if len(self.days) < 2:
            return ""
        day = self.session_day(session, plan_date)
        return f"Day {self.day_number(session)} · {day:%A} {day.day} {day:%B}"

    def planned_start(self, session: Session, plan_date: date) -> datetime:
        return datetime.combine(self.session_day(session, plan_date), session.start, self.zone)

    def planned_start_ms(self, session: Session, plan_date: date) -> int:
        return int(self.planned_start(session, plan_date).timestamp() * 1000)

    def plan_date_for(self, now_ms: int) -> date:
        """The day the plan starts on: the file's first date, else the event-zone date of
        ``now``."""
        if self.days:
            return self.days[0]
        if self.event.date is not None:
            return self.event.date
        return datetime.fromtimestamp(now_ms / 1000, self.zone).date()

    def public_dict(self, plan_date: date) -> dict[str, Any]:
        """The programme as ``GET /api/programme`` shows it; every text's Chinese version
        next to it as ``KEY_zh`` ("" when there is none)."""
        e = self.event
        return {
            "id": e.id,
            "title": e.title,
            "subtitle": e.subtitle,
            "theme": e.theme,
            "description": e.description,
            "venue": e.venue,
            "timezone": e.timezone,
            "date": plan_date.isoformat(),
            "questions": self.questions.model_dump(),
            "languages": list(e.languages),
            "interpretation": {"handover_ms": self.interpretation.handover},
            **{key: getattr(e, key) for key in Event.model_fields if key.endswith("_zh")},
            "branding": e.branding.public_dict(e.id) if e.branding else None,
            "sessions": [
                {
                    "id": s.id,
                    "title": s.title,
                    "description": s.description,
                    "group": s.group,
                    "group_title": s.group_title,
                    "title_zh": s.title_zh,
                    "description_zh": s.description_zh,
                    "group_title_zh": s.group_title_zh,
                    "kind": s.kind,
                    "day": self.day_number(s),
                    "planned_start": self.planned_start(s, plan_date).isoformat(timespec="seconds"),
                    "planned_start_ms": self.planned_start_ms(s, plan_date),
                    "duration_ms": s.duration_ms,
                    "warning_ms": s.warning_ms,
                    "danger_ms": s.danger_ms,
                    "moderators": [m.model_dump() | _names(m) for m in s.moderators],
                    "speakers": [sp.public_dict() for sp in s.speakers],
                }
                for s in self.sessions
            ],
        }


def _names(person: Person) -> dict[str, str]:
    """The names the pages show of a moderator or speaker, for ``/api/programme``: the
    states name them by id only."""
    return {"display_name": person.display_name, "display_name_zh": person.display_name_zh}

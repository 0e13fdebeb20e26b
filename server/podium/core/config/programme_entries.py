"""A programme file (TOML) as written: the pydantic models ``programme_file`` validates it
with, before it resolves what the file leaves out. Every field optional in the file is
optional here; the checks that need more than one field are ``programme_file``'s."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from podium.core.config.automations import Automation
from podium.core.config.branding import BrandingEntry
from podium.core.config.languages import (
    DEFAULT_LANGUAGES,
    Interpretation,
    Language,
    Languages,
    Material,
)
from podium.core.config.programme import Person, Presence, QuestionSettings, Strict, Text, ZhText
from podium.core.config.values import Clock, DurationMs, Id, OnEnd, Threshold

# -- the file as written ---------------------------------------------------------------
# (pydantic models: a list default is copied for each instance; ruff's RUF012 cannot see
# that through a base class from another module)


class Thresholds(Strict):
    """``warning`` and ``danger``, on the event, a session or a speaker."""

    warning: Threshold = None
    danger: Threshold = None


class SpeakerEntry(Person, Thresholds):
    id: Id
    presence: Presence = Presence.IN_ROOM
    allocation: DurationMs | None = None
    on_end: OnEnd = None
    language: Language | None = Field(default=None, description="the floor language")
    materials: list[Material] = Field(default=[], max_length=50)
    script: str | None = Field(
        default=None, min_length=1, description="a .md or .txt file beside the programme"
    )


class SessionEntry(Thresholds):
    id: Id
    title: Text
    description: str = ""
    title_zh: ZhText = ""
    description_zh: ZhText = ""
    group: Id | None = None
    kind: Literal["session", "break"] = "session"
    date: dt.date | None = None
    start: Clock | None = None
    end: Clock | None = None
    duration: DurationMs | None = None
    moderators: list[Person] | None = None
    speakers: list[SpeakerEntry] = []  # noqa: RUF012
    on_end: OnEnd = None


class GroupEntry(Strict):
    id: Id
    title: Text
    description: str = ""
    title_zh: ZhText = ""
    description_zh: ZhText = ""
    moderators: list[Person] = []  # noqa: RUF012


class EventEntry(Thresholds):
    id: Id
    title: Text
    subtitle: str = ""
    theme: str = ""
    description: str = ""
    venue: str = ""
    timezone: str
    date: dt.date | None = None
    title_zh: ZhText = ""
    subtitle_zh: ZhText = ""
    theme_zh: ZhText = ""
    description_zh: ZhText = ""
    venue_zh: ZhText = ""
    branding: BrandingEntry | None = None
    languages: Languages = Field(
        default=DEFAULT_LANGUAGES, description="the meeting's languages; the first is the default"
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as 'Asia/Shanghai'"
                " or 'Europe/Zurich'"
            ) from None
        return value


class ProgrammeFile(Strict):
    event: EventEntry
    groups: list[GroupEntry] = []  # noqa: RUF012
    sessions: list[SessionEntry] = Field(min_length=1)
    automations: list[Automation] = []  # noqa: RUF012
    questions: QuestionSettings = QuestionSettings()
    interpretation: Interpretation = Interpretation()

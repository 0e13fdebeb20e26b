"""The running plan: the sessions a room runs, which start as the programme file's and
change with the plan's commands (``add_speaker`` ... ``remove_session``, ``reload``).

A ``Plan`` is the programme's sessions, resolved, under a key (the version that made it;
0: where the room started). The state keeps the plans its live state and its undo stack
refer to (``State.plans``), so a plan shared by twenty undo entries is stored once. What an
edit may say is written in the programme file's own vocabulary (``name``, ``allocation``
such as "8m", ``start``, ``duration`` ...): the models below, read the way the file is.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator

from podium.core.config.languages import Language
from podium.core.config.programme import (
    Person,
    Presence,
    Programme,
    Session,
    Speaker,
    Strict,
    Text,
)
from podium.core.config.values import Clock, DurationMs, Id, OnEnd

TEXT_MAX = 4000  # the programme's limit on a text (``Text``), for every text an edit gives
Words = Annotated[str, Field(max_length=TEXT_MAX)]


def _seconds(ms: int) -> int | float:
    return ms // 1000 if ms % 1000 == 0 else ms / 1000


# a duration as the file writes it, kept in ms; logged (as JSON) in seconds, which read back
# to the same ms: a replay of the log gives the same plan
Length = Annotated[DurationMs, PlainSerializer(_seconds, return_type=int | float, when_used="json")]


class Plan(Strict):
    """The sessions a room runs, under ``key``: the version that made them (0: the file's,
    as the room started)."""

    key: int
    sessions: tuple[Session, ...]

    @classmethod
    def of(cls, programme: Programme, key: int = 0) -> Plan:
        return cls(key=key, sessions=programme.sessions)


def running(programme: Programme, plan: Plan | None) -> Programme:
    """``programme`` (the file's event, automations and settings) with the plan's sessions."""
    if plan is None or plan.sessions is programme.sessions:
        return programme
    return programme.model_copy(update={"sessions": plan.sessions})


# -- what an edit says, in the file's words ----------------------------------------------


class _Fields(BaseModel):
    """Some of an item's fields: those given change, the rest stay."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    def given(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class SpeakerFields(_Fields):
    name: Text | None = None
    honorific: Words | None = None
    affiliation: Words | None = None
    name_zh: Words | None = None
    honorific_zh: Words | None = None
    affiliation_zh: Words | None = None
    presence: Presence | None = None
    allocation: Length | None = None
    on_end: OnEnd = None
    language: Language | None = None  # the floor language: one of the event's


class NewSpeaker(SpeakerFields):
    """A speaker to add: ``name`` at least; ``id`` made from it when not given."""

    id: Id | None = None
    name: Text

    @model_validator(mode="after")
    def _zh_needs_its_text(self) -> NewSpeaker:
        for key in ("honorific", "affiliation"):
            if getattr(self, f"{key}_zh") and not getattr(self, key):
                raise ValueError(f"{key}_zh is given without {key}; give the text in {key} too")
        return self


class SessionFields(_Fields):
    title: Text | None = None
    title_zh: Words | None = None
    description: Words | None = None
    description_zh: Words | None = None
    start: Clock | None = None
    duration: Length | None = None
    moderators: list[Person] | None = None
    kind: Literal["session", "break"] | None = None
    date: dt.date | None = None  # the day it runs on, when the programme has several


class NewSession(SessionFields):
    """A session to add: ``title`` and ``duration`` at least; ``start`` back to back after
    the session before it when not given; its speakers as for ``add_speaker``."""

    id: Id | None = None
    title: Text
    duration: Length
    speakers: list[NewSpeaker] = Field(default_factory=list)


# -- ids ---------------------------------------------------------------------------------


def slug(text: str) -> str:
    """``text`` as an id: its ASCII letters and digits, lowercase, joined by ``-``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[A-Za-z0-9]+", ascii_text)).lower()[:64].strip("-")


def ids_in(sessions: tuple[Session, ...]) -> set[str]:
    return {s.id for s in sessions} | {sp.id for s in sessions for sp in s.speakers}


def fresh_id(wanted: str, fallback: str, taken: set[str]) -> str:
    """``wanted`` as an id (``fallback`` when it has no letters), made unique with ``-2``,
    ``-3`` ... against ``taken``."""
    base = slug(wanted)[:60] or fallback
    made, n = base, 2
    while made in taken:
        made, n = f"{base}-{n}", n + 1
    return made


# -- items made and changed --------------------------------------------------------------


def _speaker_update(fields: dict[str, Any]) -> dict[str, Any]:
    update = {k: v for k, v in fields.items() if k != "allocation"}
    if "allocation" in fields:
        update["allocation_ms"] = fields["allocation"]
    return update


def new_speaker(entry: NewSpeaker, speaker_id: str, session: Session, language: str) -> Speaker:
    """The resolved speaker: the session's thresholds; without an allocation, an even share
    of the session's slot with one more speaker; without a language, ``language``."""
    fields = entry.given()
    fields.pop("id", None)
    share = session.duration_ms // (len(session.speakers) + 1)
    made: dict[str, Any] = {
        "id": speaker_id,
        "session_id": session.id,
        "presence": Presence.IN_ROOM,
        "language": language,
        "allocation_ms": max(share, 1000),
        "warning_ms": session.warning_ms,
        "danger_ms": session.danger_ms,
    }
    return Speaker(**(made | _speaker_update(fields)))


def updated_speaker(speaker: Speaker, fields: SpeakerFields) -> Speaker:
    return speaker.model_copy(update=_speaker_update(fields.given()))


def _session_update(fields: dict[str, Any]) -> dict[str, Any]:
    update = {k: v for k, v in fields.items() if k not in ("duration", "moderators", "kind")}
    if fields.get("kind") is not None:  # null: the kind stays
        update["kind"] = fields["kind"]
    if "duration" in fields:
        update["duration_ms"] = fields["duration"]
    if "moderators" in fields:
        update["moderators"] = tuple(Person(**m) for m in fields["moderators"])
    return update


def updated_session(session: Session, fields: SessionFields) -> Session:
    return session.model_copy(update=_session_update(fields.given()))


def new_session(entry: NewSession, session_id: str, start: dt.time, base: Session) -> Session:
    """The resolved session (without its speakers, added after): ``base``'s thresholds."""
    fields = entry.given()
    for key in ("id", "speakers"):
        fields.pop(key, None)
    made: dict[str, Any] = {
        "id": session_id,
        "description": "",
        "group": None,
        "group_title": None,
        "start": start,
        "moderators": (),
        "speakers": (),
        "warning_ms": base.warning_ms,
        "danger_ms": base.danger_ms,
    }
    return Session(**(made | _session_update(fields)))

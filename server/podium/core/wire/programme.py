"""The programme as the server sends it (``GET /api/programme``, ``/api/first``, the
``programme`` message): the running plan's documented shape. Open to fields added later
(a model here names what a client may rely on; ``projection.programme_view`` builds it as
plain data, encoded once)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Mark = Literal["added", "moved", "changed"]
MARKS = Field(
    default=None,
    description="what changed since the room started: added, moved (to another session, or"
    " out of the order kept), changed (any field); absent when nothing did",
)


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Titled(_Open):
    """A title and a description, each with its Chinese version ("" when none)."""

    title: str
    description: str
    title_zh: str
    description_zh: str


class PersonView(_Open):
    name: str
    honorific: str
    affiliation: str
    name_zh: str = Field(description='the Chinese version, "" when the programme has none')
    honorific_zh: str
    affiliation_zh: str


class PlanSpeakerView(PersonView):
    id: str
    presence: Literal["in_room", "remote", "recorded"]
    allocation_ms: int
    on_end: Literal["next"] | None = Field(description='"next": the item ends itself')
    warning_ms: int
    danger_ms: int
    marks: list[Mark] | None = MARKS


class PlanSessionView(_Titled):
    id: str
    group: str | None
    group_title: str | None
    group_title_zh: str
    planned_start: str = Field(description="ISO 8601 with the event's offset")
    planned_start_ms: int = Field(description="epoch ms")
    duration_ms: int
    warning_ms: int
    danger_ms: int
    moderators: list[PersonView]
    speakers: list[PlanSpeakerView]
    marks: list[Mark] | None = MARKS


class BrandingView(_Open):
    logo: str = Field(description="the logo's URL on this server")
    primary: str
    accent: str


class ProgrammeView(_Titled):
    """The event and its sessions as they run now."""

    id: str
    subtitle: str
    theme: str
    venue: str
    subtitle_zh: str
    theme_zh: str
    venue_zh: str
    timezone: str = Field(description="IANA")
    date: str = Field(description="the day the plan runs on, YYYY-MM-DD")
    questions: dict[str, bool | int] = Field(description="enabled, moderated, max_length")
    branding: BrandingView | None
    sessions: list[PlanSessionView]
    revision: int = Field(
        description="the state version of the plan's last change; 0 when never changed"
    )

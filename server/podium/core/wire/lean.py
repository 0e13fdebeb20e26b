"""The lean state and its deltas as models: their documented shape (``delta.py`` builds
them as plain data; the tests check every one against these)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from podium.core.wire.server import ChangeFields, Out, StateFields, TimerView


class LeanSessionView(Out):
    """The live session: its texts are in the programme, ``remaining_ms`` is
    ``ends_at - server_time``."""

    id: str
    started_at: int
    ends_at: int
    duration_ms: int


class LeanSpeakerView(Out):
    """A speaker: their names and affiliations are in the programme, by ``id``."""

    id: str
    presence: Literal["in_room", "remote", "recorded"]
    language: str = Field(description="their floor language (the event's first by default)")
    allocation_ms: int
    warning_ms: int
    danger_ms: int
    index: int
    count: int


class LeanTimerView(TimerView):
    remaining_ms: int | None = Field(  # type: ignore[assignment]
        description="null while running: ends_at - server_time; else as in the whole state"
    )


class LeanScheduleRow(Out):
    """A session's row; its projected times the page derives (``scheduleAt``)."""

    status: Literal["done", "live", "next", "upcoming", "skipped"]
    planned_start: int
    planned_end: int
    actual_start: int | None
    actual_end: int | None
    speakers: dict[str, Literal["live", "done", "skipped", "upcoming"]]


class LeanChangeView(ChangeFields):
    """A change without its English ``summary`` (a log line naming speakers and sessions
    by their texts): the page says it from the fields."""

    undone: LeanChangeView | None = Field(default=None, description="undo: the change it undid")


class LeanStateView(StateFields):
    """The state a delta client holds: the whole state less what the programme has
    (texts, and the changes' English ``summary``, made of them) and what the page derives
    from ``server_time`` (``remaining_ms`` of a running timer, ``drift_ms``, projected
    times) or from the rest (``message``)."""

    session: LeanSessionView | None
    speaker: LeanSpeakerView | None
    next_speaker: LeanSpeakerView | None
    timer: LeanTimerView
    schedule: dict[str, LeanScheduleRow] = Field(description="by session id")
    undo: LeanChangeView | None = Field(description="what undo would undo, and who did it")
    last_change: LeanChangeView | None = Field(description="the last command applied")


class LeanSnapshotOut(Out):
    """Sent once on connect to a delta client (``/ws`` without ``full=1``), and again when
    it reconnects holding an older version: the lean state, the base of the deltas."""

    type: Literal["snapshot"]
    room: str
    version: int
    server_time: int = Field(description="epoch ms when this was sent or derived")
    state: LeanStateView


class DeltaOut(Out):
    """A change, to a delta client: what changed in the lean state since ``base``. A
    client holding another version than ``base`` reconnects with ``?have=`` its version
    and gets a snapshot."""

    type: Literal["delta"] = "delta"
    room: str
    version: int
    base: int = Field(description="the version this applies to")
    server_time: int = Field(description="epoch ms when this was derived")
    patch: dict[str, object] = Field(
        description="merged into the held state: an object into an object key by key,"
        " anything else (null and arrays too) replaces"
    )
    removed: list[list[str]] = Field(
        default=[], description="paths (keys, outermost first) of keys no longer there"
    )

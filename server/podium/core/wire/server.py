"""What the server sends, as pydantic models: the documented shape of the state
(``projection.view``) and of every message a client receives."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from podium.core.state import SignalKind
from podium.core.wire.programme import ProgrammeView

# -- what the server sends ----------------------------------------------------------------
# ``projection.view`` builds the state as plain data (fast to encode once); these models are
# its documented shape, and the tests check every view the engine produces against them.


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SessionView(Out):
    id: str
    title: str
    group_title: str | None
    moderators: list[str]
    title_zh: str = Field(description='the Chinese title, "" when the programme has none')
    group_title_zh: str
    moderators_zh: list[str] = Field(description="each moderator in Chinese, else as in English")
    started_at: int = Field(description="epoch ms")
    ends_at: int = Field(description="epoch ms: started_at + duration_ms, the planned slot end")
    duration_ms: int
    remaining_ms: int = Field(description="as of server_time; negative once the slot is over")


class SpeakerView(Out):
    id: str
    name: str
    honorific: str
    display_name: str
    affiliation: str
    name_zh: str = Field(description='the Chinese version, "" when the programme has none')
    honorific_zh: str
    display_name_zh: str = Field(description="in Chinese where given, else as display_name")
    affiliation_zh: str
    presence: Literal["in_room", "remote", "recorded"]
    language: str = Field(description="their floor language (the event's first by default)")
    allocation_ms: int
    warning_ms: int = Field(description="the countdown turns amber at or under this")
    danger_ms: int = Field(description="and red at or under this (0: red from zero)")
    index: int = Field(description="0-based position in the session")
    count: int = Field(description="speakers in the session")


class TimerView(Out):
    status: Literal["running", "paused", "stopped"]
    duration_ms: int = Field(description="allocation plus added time")
    allocation_ms: int
    added_ms: int
    remaining_ms: int = Field(description="as of server_time; negative in overtime")
    ends_at: int | None = Field(description="epoch ms while running, else null")
    warning_ms: int = Field(
        description="amber at or under this: the speaker's, else the session's, else the event's"
    )
    danger_ms: int = Field(description="red at or under this (0: red from zero)")


class CueView(Out):
    kind: Literal["wrap_up", "stop"]
    at: int = Field(description="epoch ms when it was given")
    speaker_id: str | None = Field(description="the speaker on when it was given")


class MessageView(Out):
    text: str
    target: Literal["screen", "viewers", "all"] = Field(description="as it was sent")
    at: int = Field(description="epoch ms when it was set: how long it has been up")
    pinned: bool = Field(description="a stage message that stays when the speaker changes")


class MessagesView(Out):
    screen: MessageView | None = Field(
        description="on the stage screen; cleared when the speaker changes unless pinned, and"
        " when the session ends even if pinned"
    )
    viewers: MessageView | None = Field(
        description="on the viewer page and the overlay; cleared at the day's end"
    )


class ShownQuestionView(Out):
    id: str
    text: str = Field(description="as asked: shown as text, never as HTML")
    name: str = Field(description="the name the asker chose to show, or ''")


class PlanChangeView(Out):
    """One change to the plan: by a plan command, an undo of one, or a reload."""

    item: Literal["session", "speaker"]
    id: str
    kind: Literal["added", "removed", "renamed", "changed", "moved"] = Field(
        description="renamed: a speaker's name or honorific, a session's title (with the"
        " other fields that changed with it); changed: any other field"
    )
    label: str = Field(description="the speaker's display name or the session's title")
    fields: list[str] | None = Field(
        default=None, description="renamed, changed: the fields that differ, as the plan names them"
    )
    session_id: str | None = Field(default=None, description="a speaker's session")
    from_session_id: str | None = Field(
        default=None, description="a speaker moved: the session they were in"
    )


class ChangeFields(Out):
    """What a command did, in fields, for a page to say it in its own language (only those
    the change has are sent)."""

    action: str
    actor: str | None = Field(
        description="who sent it: the console id it sent, else the connection, e.g. 'ws:127.0.0.1'"
    )
    at: int = Field(description="epoch ms")
    session_id: str | None = Field(
        default=None, description="the session live after it (for end_session: the one ended)"
    )
    speaker_id: str | None = Field(
        default=None, description="the speaker on after it (for end_session: as it ended)"
    )
    ended_session_id: str | None = Field(
        default=None, description="a jump (end_live): the session it ended"
    )
    seconds: int | None = Field(default=None, description="add_time: the seconds added")
    target: Literal["screen", "viewers", "all"] | None = Field(
        default=None, description="show_message, clear_message: where"
    )
    on: bool | None = Field(default=None, description="blackout, hold: on or off")
    kind: Literal["wrap_up", "stop"] | None = Field(
        default=None, description="cue, clear_cue: the cue given or cleared"
    )
    question_id: str | None = Field(
        default=None, description="show_question, clear_question: the question"
    )
    date: str | None = Field(default=None, description="set_plan_date: the day, YYYY-MM-DD")
    edits: list[PlanChangeView] | None = Field(
        default=None, description="a plan command, reload, or an undo of one: what it changed"
    )


class ChangeView(ChangeFields):
    """What a command did: ``summary`` in English for logs, and its fields."""

    summary: str = Field(description="one line, e.g. 'add_time: +60s for Ran XIAO'")
    undone: ChangeView | None = Field(default=None, description="undo: the change it undid")


class ScheduleRow(Out):
    id: str
    status: Literal["done", "live", "next", "upcoming", "skipped"]
    planned_start: int
    planned_end: int
    actual_start: int | None
    actual_end: int | None
    projected_start: int | None
    projected_end: int | None
    speakers: dict[str, Literal["live", "done", "skipped", "upcoming"]] = Field(
        description="each speaker's id and status, in programme order; skipped: on for less"
        " than 5 s in all, or never on while the day went past them"
    )


class RunView(Out):
    started_at: int
    ended_at: int | None
    earlier_ms: int = Field(description="time on in earlier turns")
    overtime_ms: int = Field(
        description="how far past zero the last turn ended, when it overran (by 1 s or more);"
        " else 0"
    )


class AutoAdvanceView(Out):
    """The speaker on now ends themselves (``on_end = "next"`` in the programme)."""

    action: Literal["next", "end_session"] = Field(
        description="what the server applies, as the actor system, when the timer reaches zero"
    )
    at: int | None = Field(description="epoch ms: the timer's ends_at; null while paused or held")
    held: bool = Field(description="kept on past its end by the hold action")


class BoothSignalView(Out):
    signal: SignalKind
    at: int = Field(description="epoch ms: when the booth sent it")
    speaker_id: str | None = Field(description="to whom: the speaker on now (null: no speakers)")
    language: str = Field(description="the speaker's floor language: say the signal in it")
    until: int = Field(description="epoch ms: at + 15 s, when pages stop showing it")


class StateFields(Out):
    """What the whole state and the lean one share."""

    phase: Literal["idle", "live", "finished"]
    auto_advance: AutoAdvanceView | None = Field(
        description="null unless the speaker on now advances by itself at their end"
    )
    cue: CueView | None = Field(
        description="the moderator's cue to the speaker on stage; cleared when the speaker"
        " changes. The venue screen and the speaker page show it, the viewers' pages never"
    )
    question: ShownQuestionView | None = Field(
        description="the audience's question on screen (show_question), else null"
    )
    booth_signal: BoothSignalView | None = Field(
        description="the interpreters' sign to the speaker on now, for 15 s from its at or"
        " until the speaker changes, else null. The console, the venue screen and the"
        " speaker's page show it"
    )
    messages: MessagesView
    blackout: bool
    speakers_run: dict[str, RunView]
    can_undo: bool
    plan_revision: int = Field(
        description="the version of the plan's last change (0: never changed); as"
        " GET /api/programme's revision"
    )
    plan_date: str = Field(description="the day the plan runs on, YYYY-MM-DD")
    plan_date_from: Literal["programme", "console", "clock"] = Field(
        description="where plan_date comes from: the programme's event.date, set_plan_date,"
        " or (neither) the event-zone day the room was made: a guess"
    )


class StateView(StateFields):
    undo: ChangeView | None = Field(description="what undo would undo, and who did it")
    last_change: ChangeView | None = Field(description="the last command applied (undo too)")
    session: SessionView | None
    speaker: SpeakerView | None
    next_speaker: SpeakerView | None
    timer: TimerView
    message: MessageView | None = Field(description="the newest of ``messages`` (older clients)")
    drift_ms: int = Field(description="positive: running late by this much")
    schedule: list[ScheduleRow]


class StateOut(Out):
    """Sent on every change (``type`` "state") and once on connect ("snapshot") to the
    clients that asked for whole states (``/ws?full=1``, SSE)."""

    type: Literal["state", "snapshot"]
    room: str
    version: int
    server_time: int = Field(description="epoch ms when this was derived")
    state: StateView


class ProgrammeOut(Out):
    """Sent to every connection, whatever its role, when the plan changes, just before the
    state of that version: the running plan, the same JSON ``GET /api/programme`` answers
    (encoded once, the same text to all)."""

    type: Literal["programme"] = "programme"
    revision: int = Field(description="the version of the change: the state's plan_revision")
    programme: ProgrammeView = Field(description="as GET /api/programme answers")


class AuthOkOut(Out):
    type: Literal["auth_ok"] = "auth_ok"
    role: Literal[
        "moderator", "screen", "viewer", "speaker", "questions", "interpreter", "captioner"
    ]
    speaker_id: str | None = Field(
        default=None, description="with role speaker: the speaker the token is for"
    )


class SpeakerReadiness(Out):
    connected: bool = Field(description="a speaker page with their link is open now")
    ready: bool = Field(description="they said they are ready, or a moderator marked them")
    note: str | None = Field(description="their note, as text; at most 200 characters")
    rtt_ms: int | None = Field(description="their link's round trip from the clock sync")
    last_seen: int | None = Field(description="epoch ms: when the server last heard of them")


class ReadinessOut(Out):
    """To moderator connections only, whenever a speaker's readiness changes."""

    type: Literal["readiness"] = "readiness"
    room: str
    speakers: dict[str, SpeakerReadiness] = Field(description="by speaker id")


class AckOut(Out):
    type: Literal["ack"] = "ack"
    id: str | int
    version: int = Field(
        description="for a command, the version it made; for ask, vote and ready (which"
        " change no state), the room's version as they were answered"
    )
    repeated: bool = Field(
        default=False,
        description="true when the command's command_id was applied before: this is that"
        " command's result, and nothing was applied again",
    )
    question: AskedView | None = Field(default=None, description="the answer to an ask")
    voted: VotedView | None = Field(default=None, description="the answer to a vote")
    caption: CaptionTakenView | None = Field(default=None, description="the answer to a caption")


class QuestionView(Out):
    id: str
    text: str = Field(description="as asked: shown as text, never as HTML")
    name: str = Field(description="the name the asker chose to show, or ''")
    session_id: str | None
    status: Literal["pending", "approved", "dismissed", "answered"]
    votes: int
    asked_at: int = Field(description="epoch ms")
    origin: Literal["room", "remote"] = Field(
        description='"room": asked from the link the venue screen shows; else "remote"'
    )


class AskedView(Out):
    id: str
    status: Literal["pending", "approved"]


class VotedView(Out):
    id: str
    votes: int = Field(description="the question's votes, this one included if counted")
    counted: bool = Field(description="false when this voter had voted for it before")


class QuestionsOut(Out):
    """Questions that changed (gathered for up to 0.25 s; the public list's for
    1 s, or audience / 2,500 s when that is longer: 4 s at 10,000 clients).
    Moderators and assistants get every question; everyone else only approved and answered
    ones, and for a question whose votes alone changed since it was last pushed to them,
    just the count in ``votes``; an asker's connection gets its own (``mine``). The whole
    list: ``GET /api/questions``."""

    type: Literal["questions"] = "questions"
    room: str
    mine: bool = Field(default=False, description="true: the asker's own questions")
    questions: list[QuestionView]
    removed: list[str] = Field(
        default=[], description="ids no longer in this list (no longer public)"
    )
    votes: dict[str, int] = Field(
        default={}, description="id -> votes, for questions whose votes alone changed"
    )


class CaptionTakenView(Out):
    id: str = Field(description="the line's id, as POST /api/captions answers it")
    at: int = Field(description="epoch ms: when the server took it")


class CaptionOut(Out):
    """A caption line, to every connection of the room (as private as the state), encoded
    once. ``final`` false: an interim guess, replaced by the next line."""

    type: Literal["caption"] = "caption"
    text: str = Field(description="what was said: shown as text, never as HTML")
    lang: str | None = Field(description="its language (BCP 47), null when not said")
    final: bool
    at: int = Field(description="epoch ms: when the server took it")
    speaker_id: str | None = Field(description="the speaker on then, null between speakers")


class ErrorOut(Out):
    type: Literal["error"] = "error"
    id: str | int | None = None
    code: str
    message: str
    version: int | None = None


class CurrentOut(Out):
    """Sent on connect instead of the snapshot when the client named the version it already
    holds (``/ws?have=VERSION``: it read ``/api/first``, or it is reconnecting) and that is
    still the room's: its state stands, so nothing else is sent."""

    type: Literal["current"] = "current"
    room: str
    version: int
    server_time: int = Field(description="epoch ms when this was sent")


class PongOut(Out):
    type: Literal["pong"] = "pong"
    t0: float
    server_time: int

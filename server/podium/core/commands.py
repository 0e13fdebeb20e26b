"""The commands a console sends: one pydantic model per action, validated strictly."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from podium.core.errors import validate_tagged
from podium.core.state import CueKind, SignalKind, Target

MESSAGE_MAX = 500
COMMAND_ID_MAX = 64
SYSTEM = "system"  # the actor of what the server does by itself (an item that ends itself)


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    expected_version: int | None = Field(default=None, ge=0, le=2**53)
    # the client's name for this command: a retry with the same id is answered with the
    # first one's result instead of being applied again (docs/protocol.md)
    command_id: str | None = Field(
        default=None, min_length=1, max_length=COMMAND_ID_MAX, pattern=r"^[A-Za-z0-9._:-]+$"
    )
    actor: str | None = Field(
        default=None,
        max_length=64,
        description="who sends it (a console's id); the server fills in the connection",
    )

    @field_validator("actor")
    @classmethod
    def _not_the_server(cls, v: str | None) -> str | None:
        if v == SYSTEM:
            raise ValueError(f"actor {SYSTEM!r} is the server's own; name yourself otherwise")
        return v


END_LIVE = "end the live session first (a jump: one action, one undo)"


class StartSession(_Command):
    action: Literal["start_session"]
    session_id: str = Field(max_length=64)
    end_live: bool = Field(default=False, description=END_LIVE)


class Next(_Command):
    action: Literal["next"]


class Previous(_Command):
    action: Literal["previous"]


class Goto(_Command):
    action: Literal["goto"]
    speaker_id: str = Field(max_length=64)
    end_live: bool = Field(default=False, description=END_LIVE)


class Pause(_Command):
    action: Literal["pause"]


class Resume(_Command):
    action: Literal["resume"]


class AddTime(_Command):
    action: Literal["add_time"]
    seconds: int = Field(ge=-86_400, le=86_400)

    @field_validator("seconds")
    @classmethod
    def _not_zero(cls, v: int) -> int:
        if v == 0:
            raise ValueError("seconds must not be 0; add or remove at least one second")
        return v


class EndSession(_Command):
    action: Literal["end_session"]


class ShowMessage(_Command):
    action: Literal["show_message"]
    text: str = Field(max_length=MESSAGE_MAX)
    target: Target = "all"
    pinned: bool = False

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("text is empty; write the message to show")
        return v


class ClearMessage(_Command):
    action: Literal["clear_message"]
    target: Target = "all"


class SetPlanDate(_Command):
    action: Literal["set_plan_date"]
    date: str = Field(description="YYYY-MM-DD: the day the programme's times are for")

    @field_validator("date")
    @classmethod
    def _a_day(cls, v: str) -> str:
        try:
            return dt.date.fromisoformat(v).isoformat() if len(v) == 10 else cls._bad(v)
        except ValueError:
            return cls._bad(v)

    @staticmethod
    def _bad(v: str) -> str:
        raise ValueError(f"{v!r} is not a day; write it as YYYY-MM-DD")


class Blackout(_Command):
    action: Literal["blackout"]
    on: bool


class Undo(_Command):
    """Restore the state before the last applied action. The server fills in
    ``hide_question`` before applying it when that state shows a question that is no longer
    public (dismissed since): the state comes back without it (and the log keeps that,
    so a replay needs nothing else)."""

    action: Literal["undo"]
    hide_question: str | None = Field(
        default=None, max_length=64, description="filled in by the server: do not send"
    )


class Hold(_Command):
    """Keep an item that ends itself (``on_end``) on past its end, or (``on``: false) let
    it advance by itself again."""

    action: Literal["hold"]
    on: bool = True


class CueSpeaker(_Command):
    action: Literal["cue"]
    kind: CueKind


class ClearCue(_Command):
    action: Literal["clear_cue"]


class ShowQuestion(_Command):
    """Put an approved question on the screens. The client names it; the server adds its
    text and name from the room's questions before applying it (and the log keeps them),
    so a replay needs nothing but the log."""

    action: Literal["show_question"]
    question_id: str = Field(min_length=1, max_length=64)
    text: str | None = Field(
        default=None, max_length=4000, description="filled in by the server: do not send"
    )
    name: str | None = Field(
        default=None, max_length=200, description="filled in by the server: do not send"
    )


class ClearQuestion(_Command):
    """Take the question off the screens; with ``question_id``, only if that one is shown
    (the server's own take-down of a question dismissed while on screen)."""

    action: Literal["clear_question"]
    question_id: str | None = Field(default=None, min_length=1, max_length=64)


class SendBoothSignal(_Command):
    """The interpreters' booth to the speaker on stage; the booth's WebSocket message
    ``booth_signal`` becomes this command. It is no moderator's action: it changes no
    ``live``, no ``last_change`` and no undo, and does not conflict with a console."""

    action: Literal["booth_signal"]
    signal: SignalKind


Command = Annotated[
    StartSession
    | Next
    | Previous
    | Goto
    | Pause
    | Resume
    | AddTime
    | EndSession
    | ShowMessage
    | ClearMessage
    | Blackout
    | SetPlanDate
    | Undo
    | Hold
    | CueSpeaker
    | ClearCue
    | ShowQuestion
    | ClearQuestion
    | SendBoothSignal,
    Field(discriminator="action"),
]
_COMMAND = TypeAdapter(Command)
ACTIONS = (
    "start_session", "next", "previous", "goto", "pause", "resume", "add_time",
    "end_session", "show_message", "clear_message", "blackout", "set_plan_date", "undo",
    "hold",
    "cue", "clear_cue", "show_question", "clear_question", "booth_signal",
)  # fmt: skip


def command_schema() -> dict[str, Any]:
    return _COMMAND.json_schema()


def parse_command(data: object) -> Command:
    """Validate a command mapping; a clear ``InvalidInput`` for anything malformed."""
    command: Command = validate_tagged(_COMMAND, data, "action", ACTIONS, "command")
    return command


def signed(command: Command, actor: str) -> Command:
    """``command`` with ``actor`` as its sender if it names none: the connection it came
    by, as the action log records it (so a replay gives the same state)."""
    return command if command.actor else command.model_copy(update={"actor": actor})

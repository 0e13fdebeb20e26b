"""What clients send over the WebSocket, as pydantic models, and its parsing: one message
checked and read, with an answer that names what is wrong."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from podium.core.captions import LANG_MAX, TEXT_MAX
from podium.core.commands import Command, parse_command
from podium.core.config.programme import QUESTION_MAX, QUESTION_MAX_LIMIT
from podium.core.errors import InvalidInput, validate_tagged
from podium.core.questions import COMMAND_ID_MAX, NAME_MAX, QUESTION_ID_MAX, VOTER_MAX
from podium.core.state import SignalKind

MAX_FRAME = 64 * 1024


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class AuthIn(_In):
    """Present a token; the answer is ``auth_ok`` with the role, or an ``error``."""

    type: Literal["auth"]
    token: str = Field(max_length=512)


class CommandIn(_In):
    """A moderator command; answered by ``ack`` or ``error`` with the same ``id``. The
    command is validated with the frame, in the same pass (``core.commands``' models)."""

    type: Literal["command"]
    id: str | int = Field(union_mode="left_to_right")
    command: Command


class PingIn(_In):
    """Clock sync: ``t0`` is the client's clock when sent, echoed back in ``pong``."""

    type: Literal["ping"]
    t0: float = Field(allow_inf_nan=False)
    rtt_ms: float | None = Field(
        default=None,
        ge=0,
        le=60_000,
        allow_inf_nan=False,
        description="the best round trip the client has measured so far; a speaker's link"
        " reports it to the moderators (readiness)",
    )


NOTE_MAX = 200


class ReadyIn(_In):
    """A speaker says they are ready (or no longer); answered by ``ack`` with the same
    ``id``. Only a connection authenticated with a speaker token may send it."""

    type: Literal["ready"]
    id: str | int = Field(union_mode="left_to_right")
    ready: bool
    note: str | None = Field(
        default=None,
        max_length=NOTE_MAX,
        description="a short note for the moderators, e.g. 'audio only'; shown as text",
    )


def _at_most(limit: int) -> dict[str, int]:
    """A limit the schema states and the core checks (``core.questions``: one check and one
    message for an ask or a vote, whichever way it comes), so the model checks only types."""
    return {"maxLength": limit}


class AskIn(_In):
    """Ask a question of the live session (or the next one); answered by ``ack`` with the
    same ``id`` and the question's ``id`` and ``status``. The connection then gets its
    own question's changes (``questions`` with ``mine``)."""

    type: Literal["ask"]
    id: str | int = Field(union_mode="left_to_right")
    text: str = Field(
        json_schema_extra=_at_most(QUESTION_MAX_LIMIT),
        description=f"at most the programme's max_length ({QUESTION_MAX} unless it says)",
    )
    name: str | None = Field(
        default=None,
        json_schema_extra=_at_most(NAME_MAX),
        description=f"at most {NAME_MAX} characters",
    )
    voter: str | None = Field(
        default=None,
        json_schema_extra=_at_most(VOTER_MAX),
        description="the voter id the server issued this page: its asker may not vote for it",
    )
    command_id: str | None = Field(
        default=None,
        json_schema_extra=_at_most(COMMAND_ID_MAX),
        description="the page's name for this ask: a retry with the same id (after"
        " outcome_unknown or no answer) gets the first one's question, never a second",
    )
    origin: Literal["room", "remote"] | None = Field(
        default=None,
        description='"room" when asked from the link the venue screen shows (/viewer?from=room),'
        ' else (or null) "remote"',
    )


class VoteIn(_In):
    """Vote for an approved question, as ``POST /api/questions/{id}/vote`` does (one vote
    per voter per question) but on the page's own connection; answered by ``ack`` with
    the same ``id`` and ``voted``: the question's votes and whether this one counted."""

    type: Literal["vote"]
    id: str | int = Field(union_mode="left_to_right")
    question_id: str = Field(json_schema_extra=_at_most(QUESTION_ID_MAX))
    voter: str = Field(
        json_schema_extra=_at_most(VOTER_MAX),
        description="the voter id the server issued (POST /api/questions/voter); a made-up"
        " or altered one is refused (forbidden)",
    )
    command_id: str | None = Field(
        default=None,
        json_schema_extra=_at_most(COMMAND_ID_MAX),
        description="the page's name for this vote: a retry with the same id gets the first"
        " one's answer",
    )


class MineIn(_In):
    """Follow the questions this page asked before (their ids, kept by the page): the
    connection gets their changes, pending and dismissed included. No answer."""

    type: Literal["mine"]
    ids: list[Annotated[str, Field(max_length=64)]] = Field(max_length=50)


class BoothSignalIn(_In):
    """The interpreters' booth to the speaker on stage; answered by ``ack`` with the same
    ``id`` and the version it made. Only a connection authenticated with the interpreter
    token may send it; at most 5 per 30 s per token (``--limit-signals``)."""

    type: Literal["booth_signal"]
    id: str | int = Field(union_mode="left_to_right")
    signal: SignalKind


class CaptionIn(_In):
    """A caption line from the captioner (or a moderator), as ``POST /api/captions``
    takes it; answered by ``ack`` with the same ``id`` and ``caption``: the line's id and
    the server's time it was taken at. Every connection of the room then gets it
    (``caption``)."""

    type: Literal["caption"]
    id: str | int = Field(union_mode="left_to_right")
    text: str = Field(
        json_schema_extra=_at_most(TEXT_MAX),
        description=f"what was said, at most {TEXT_MAX} characters; shown as text",
    )
    lang: str | None = Field(
        default=None,
        json_schema_extra=_at_most(LANG_MAX),
        description='its language as a BCP 47 tag, e.g. "zh" or "en"; null: not said',
    )
    final: bool | None = Field(
        default=None,
        description="true (the default): a committed line, kept for the WebVTT export;"
        " false: an interim guess the next line replaces, only pushed",
    )


ClientIn = (
    AuthIn | CommandIn | PingIn | ReadyIn | AskIn | VoteIn | MineIn | BoothSignalIn | CaptionIn
)
ClientMessage = Annotated[ClientIn, Field(discriminator="type")]
_CLIENT = TypeAdapter(ClientMessage)
CLIENT_TYPES = (
    "auth",
    "command",
    "ping",
    "ready",
    "ask",
    "vote",
    "mine",
    "booth_signal",
    "caption",
)


class InvalidMessage(InvalidInput):
    """A frame that is not a valid message; ``msg_id`` is its ``id`` when it had a usable
    one, so a client can match the error to what it sent."""

    def __init__(self, message: str, msg_id: str | int | None = None) -> None:
        super().__init__(message)
        self.msg_id = msg_id


LONE_SURROGATE = (
    "the JSON holds half a surrogate pair (an escape in \\ud800-\\udfff without its"
    " partner), which is not text; send valid Unicode"
)


def has_lone_surrogate(data: object) -> bool:
    """``"\\ud800"`` is valid JSON but decodes to a string that has no UTF-8 form, so no
    reply, push or log line could carry it. Checked once, on the whole decoded value
    (every key and string at any depth), before anything else reads it."""
    try:
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return True
    return False


def parse_client(text: str) -> ClientIn:
    """Decode one client frame; ``InvalidMessage`` with a plain reason for anything else."""
    try:
        data = json.loads(text)
        # a lone surrogate is a \u escape or a character beyond ASCII: a frame with
        # neither (a vote, a ping, a command: nearly every frame) needs no second look
        lone_surrogate = (not text.isascii() or "\\u" in text) and has_lone_surrogate(data)
    except (ValueError, RecursionError):
        raise InvalidMessage("the frame is not JSON; send a JSON object with a 'type'") from None
    if lone_surrogate:
        raise InvalidMessage(LONE_SURROGATE, _message_id(data))
    try:
        message: ClientIn = validate_tagged(_CLIENT, data, "type", CLIENT_TYPES, "message")
    except InvalidInput as exc:
        problem = _command_problem(data) or exc.message
        raise InvalidMessage(problem, _message_id(data)) from None
    return message


def _command_problem(data: object) -> str | None:
    """For a command frame that is right but for its command: the command's own problem,
    worded as ``POST /api/commands`` words it (``parse_command``). Only on a refusal: a
    valid frame is validated once, command and all."""
    if not isinstance(data, dict) or data.keys() != {"type", "id", "command"}:
        return None
    if data["type"] != "command":
        return None
    if _message_id(data) is None:
        return None  # the id is wrong: the frame's own answer says so
    try:
        parse_command(data["command"])
    except InvalidInput as exc:
        return exc.message
    return None


def _message_id(data: object) -> str | int | None:
    msg_id = data.get("id") if isinstance(data, dict) else None
    if type(msg_id) is int or (type(msg_id) is str and not has_lone_surrogate(msg_id)):
        return msg_id
    return None

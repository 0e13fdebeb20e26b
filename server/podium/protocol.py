"""Wire messages: what clients send and what the server sends, as pydantic models.

The models are the contract (docs/protocol.md is generated from their JSON Schemas).
Server messages that go to many clients are encoded once (``encode``) and the same text
is written to every connection; WebSocket framing for that lives in ``hub.py``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from podium.errors import InvalidInput

MAX_FRAME = 64 * 1024


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class AuthIn(_In):
    """Present a token; the answer is ``auth_ok`` with the role, or an ``error``."""

    type: Literal["auth"]
    token: str = Field(max_length=512)


class CommandIn(_In):
    """A moderator command; answered by ``ack`` or ``error`` with the same ``id``."""

    type: Literal["command"]
    id: str | int = Field(union_mode="left_to_right")
    command: dict[str, Any]


class PingIn(_In):
    """Clock sync: ``t0`` is the client's clock when sent, echoed back in ``pong``."""

    type: Literal["ping"]
    t0: float = Field(allow_inf_nan=False)


ClientMessage = Annotated[AuthIn | CommandIn | PingIn, Field(discriminator="type")]
_CLIENT = TypeAdapter(ClientMessage)
CLIENT_TYPES = ("auth", "command", "ping")


class InvalidMessage(InvalidInput):
    """A frame that is not a valid message; ``msg_id`` is its ``id`` when it had a usable
    one, so a client can match the error to what it sent."""

    def __init__(self, message: str, msg_id: str | int | None = None) -> None:
        super().__init__(message)
        self.msg_id = msg_id


def parse_client(text: str) -> AuthIn | CommandIn | PingIn:
    """Decode one client frame; ``InvalidMessage`` with a plain reason for anything else."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise InvalidMessage("the frame is not JSON; send a JSON object with a 'type'") from None
    if not isinstance(data, dict):
        raise InvalidMessage("a message is a JSON object with a 'type'")
    kind = data.get("type")
    msg_id = data.get("id")
    if type(msg_id) not in (str, int):
        msg_id = None
    if kind not in CLIENT_TYPES:
        raise InvalidMessage(
            f"unknown message type {kind!r}; use one of: {', '.join(CLIENT_TYPES)}", msg_id
        )
    try:
        return _CLIENT.validate_python(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"][1:]) or "message"
        raise InvalidMessage(f"{kind}: {field}: {str(first['msg']).lower()}", msg_id) from None


# -- what the server sends ----------------------------------------------------------------


class StateOut(BaseModel):
    """Sent on every change (``type`` "state") and once on connect ("snapshot")."""

    type: Literal["state", "snapshot"]
    room: str
    version: int
    server_time: int = Field(description="epoch ms when this was derived")
    state: dict[str, Any]


class AuthOkOut(BaseModel):
    type: Literal["auth_ok"] = "auth_ok"
    role: Literal["moderator", "screen", "viewer"]


class AckOut(BaseModel):
    type: Literal["ack"] = "ack"
    id: str | int
    version: int


class ErrorOut(BaseModel):
    type: Literal["error"] = "error"
    id: str | int | None = None
    code: str
    message: str
    version: int | None = None


class PongOut(BaseModel):
    type: Literal["pong"] = "pong"
    t0: float
    server_time: int


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def state_message(kind: str, room: str, version: int, server_time: int, state: dict) -> str:
    return encode(
        {"type": kind, "room": room, "version": version, "server_time": server_time, "state": state}
    )


SCHEMAS: dict[str, type[BaseModel]] = {
    "auth (client)": AuthIn,
    "command (client)": CommandIn,
    "ping (client)": PingIn,
    "snapshot / state (server)": StateOut,
    "auth_ok (server)": AuthOkOut,
    "ack (server)": AckOut,
    "error (server)": ErrorOut,
    "pong (server)": PongOut,
}

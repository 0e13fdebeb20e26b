"""The protocol: every wire message by name with its JSON Schema (what clients send,
``client.py``; what the server sends, ``server.py``), and the one encoding of a message.

The models are the contract (docs/protocol.md is generated from their JSON Schemas).
Server messages that go to many clients are encoded once (``encode``) and the same text
is written to every connection; WebSocket framing for that lives in ``runtime/frames.py``.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from podium.core.commands import command_schema
from podium.core.config.programme_file import ProgrammeFile
from podium.core.wire.client import (
    AskIn,
    AuthIn,
    BoothSignalIn,
    CaptionIn,
    CommandIn,
    MineIn,
    PingIn,
    ReadyIn,
    VoteIn,
)
from podium.core.wire.lean import DeltaOut, LeanSnapshotOut
from podium.core.wire.programme import ProgrammeView
from podium.core.wire.server import (
    AckOut,
    AuthOkOut,
    CaptionOut,
    CurrentOut,
    ErrorOut,
    PongOut,
    ProgrammeOut,
    QuestionsOut,
    ReadinessOut,
    StateOut,
)


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def state_message(kind: str, room: str, version: int, server_time: int, state: dict) -> str:
    return encode(
        {"type": kind, "room": room, "version": version, "server_time": server_time, "state": state}
    )


def delta_message(
    room: str, version: int, base: int, server_time: int, delta: tuple[dict, list[list[str]]]
) -> str:
    """A ``delta`` (``DeltaOut``): ``delta`` is ``(patch, removed)`` from ``delta.diff``."""
    patch, removed = delta
    message = {"type": "delta", "room": room, "version": version, "base": base}
    message |= {"server_time": server_time, "patch": patch}
    return encode({**message, "removed": removed} if removed else message)


def json_schemas() -> dict[str, dict[str, Any]]:
    """Every wire message's JSON Schema, by name: what docs/schemas/ holds."""
    schemas = {name: model.model_json_schema() for name, model in SCHEMAS.items()}
    schemas["command"] = command_schema()
    schemas["programme-file"] = ProgrammeFile.model_json_schema()
    return schemas


SCHEMAS: dict[str, type[BaseModel]] = {
    "client-auth": AuthIn,
    "client-command": CommandIn,
    "client-ping": PingIn,
    "client-ready": ReadyIn,
    "client-ask": AskIn,
    "client-vote": VoteIn,
    "client-mine": MineIn,
    "client-booth_signal": BoothSignalIn,
    "client-caption": CaptionIn,
    "server-state": StateOut,
    "server-current": CurrentOut,
    "server-delta": DeltaOut,
    "server-lean-snapshot": LeanSnapshotOut,
    "server-auth_ok": AuthOkOut,
    "server-ack": AckOut,
    "server-error": ErrorOut,
    "server-pong": PongOut,
    "server-readiness": ReadinessOut,
    "server-questions": QuestionsOut,
    "server-caption": CaptionOut,
    "server-programme": ProgrammeOut,
    "programme": ProgrammeView,
}

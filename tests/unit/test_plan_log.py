"""A plan command as the log keeps it (``model_dump(mode="json")``, as live/rooms/room.py
writes the record) reads back as the same command, lengths ("8m", "50m", 90.5 s) included:
a restart that replays the log past the checkpoint applies the edits the room applied."""

from __future__ import annotations

import json
from typing import Any

import pytest

from podium.core.commands import parse_command

EDITS: list[dict[str, Any]] = [
    {"action": "add_speaker", "session_id": "session-3",
     "speaker": {"name": "Lan ZHOU (placeholder)", "allocation": "8m", "presence": "remote"}},
    {"action": "update_speaker", "speaker_id": "xinhui-wang", "fields": {"allocation": "6m"}},
    {"action": "update_speaker", "speaker_id": "jing-sun", "fields": {"allocation": 90.5}},
    {"action": "update_session", "session_id": "session-3",
     "fields": {"start": "11:20", "duration": "40m"}},
    {"action": "add_session", "session": {"title": "Coffee break", "duration": "1h15m20s",
     "speakers": [{"name": "A. Host", "allocation": "5m"}]}},
]  # fmt: skip


@pytest.mark.parametrize("edit", EDITS, ids=lambda e: str(e["action"]))
def test_a_plan_command_reads_back_from_the_log_as_it_was(edit: dict[str, Any]) -> None:
    command = parse_command(edit)
    logged = json.loads(
        json.dumps(command.model_dump(mode="json", exclude_none=True, exclude_unset=True))
    )
    assert parse_command(logged) == command


def test_a_length_is_kept_in_milliseconds() -> None:
    command = parse_command(EDITS[1])
    assert command.fields.allocation == 360_000  # type: ignore[union-attr]
    assert command.model_dump(mode="json")["fields"]["allocation"] == 360.0

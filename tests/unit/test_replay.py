"""One replay of the action log (``store/replay.py``), the room's when it opens and the
report's: a log with undos gives both the same states, and a record that no longer
applies stops both at the same place with the same words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from podium.core.commands import parse_command
from podium.core.config.programme_file import load
from podium.core.errors import InvalidTransition, NotFound
from podium.core.state import State
from podium.live.rooms.room import Room
from podium.report.replay import build, replay
from podium.store.files import FileStore
from tests.helpers import SEED

T0 = 1_638_234_000_000  # 2021-11-30 09:00 in Shanghai
PROGRAMME = load(SEED)

# a morning with undos: of a move, of an undo's neighbour, two in a row, of a jump that
# ended a session, of added time while paused, past the booth's signals; and a long run
# past the undo depth (20)
DAY: list[dict[str, Any]] = [
    {"action": "start_session", "session_id": "opening-session"},
    {"action": "next"},
    {"action": "undo"},
    {"action": "next"},
    {"action": "booth_signal", "signal": "slow_down"},  # the booth's: nothing to undo
    {"action": "pause"},
    {"action": "add_time", "seconds": 60},
    {"action": "booth_signal", "signal": "louder"},
    {"action": "undo"},
    {"action": "undo"},
    {"action": "show_message", "text": "Wrap up", "target": "screen"},
    {"action": "goto", "speaker_id": "hequan-wu", "end_live": True},
    {"action": "undo"},
    {"action": "end_session"},
    {"action": "start_session", "session_id": "session-1"},
    *[{"action": "add_time", "seconds": s} for s in (30, -30) * 12],
    *[{"action": "undo"}] * 21,
    {"action": "next"},
]


async def served_day(tmp_path: Path) -> tuple[list[State], Path]:
    """The day applied by a room: every state it went through, and its data dir."""
    now = [T0]
    store = FileStore(tmp_path / "data")
    await store.open()
    room = Room(PROGRAMME, store, clock=lambda: now[0])
    await room.open()
    states = [room.state]
    for command in DAY:
        now[0] += 7_000
        try:
            states.append((await room.execute(parse_command(command), "console:a")).state)
        except InvalidTransition as exc:  # an undo past the depth is refused
            assert "nothing to undo" in str(exc), exc
    await room.close()
    return states, tmp_path / "data" / PROGRAMME.id


async def reopened(data: Path) -> Room:
    """A room that opens the data dir without its checkpoint: it replays the whole log."""
    (data / "state.json").unlink()
    store = FileStore(data.parent)
    await store.open()
    room = Room(PROGRAMME, store, clock=lambda: T0)
    await room.open()
    return room


async def test_a_log_with_undos_gives_the_room_and_the_report_the_same_states(
    tmp_path: Path,
) -> None:
    served, data = await served_day(tmp_path)
    records = await FileStore(tmp_path / "data").read_log(PROGRAMME.id)
    assert sum(r.command.get("action") == "undo" for r in records) >= 20
    by_report = [state for _, state in replay(PROGRAMME, records)]
    assert by_report == served
    room = await reopened(data)
    assert room.problems == [] and room.state == served[-1]
    await room.close()


async def test_a_record_that_no_longer_applies_stops_the_room_and_the_report_alike(
    tmp_path: Path,
) -> None:
    served, data = await served_day(tmp_path)
    last = served[-1]
    gone = {"action": "start_session", "session_id": "session-gone"}  # an edited programme
    record = {"version": last.version + 1, "at": T0 + 999_000, "actor": "x", "command": gone}
    with (data / "log.jsonl").open("a") as log:
        log.write(json.dumps(record | {"summary": "start_session: Gone"}) + "\n")
    room = await reopened(data)
    assert room.state == last
    (problem,) = room.problems
    assert f"log record {last.version + 1} cannot be replayed" in problem
    records = await FileStore(tmp_path / "data").read_log(PROGRAMME.id)
    with pytest.raises(NotFound) as refused:
        build(PROGRAMME, records, T0 + 1_000_000)
    assert problem in refused.value.message
    await room.close()

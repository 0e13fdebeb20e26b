"""The report when the plan changed on the day (issue 10, item 7): speakers jumped over or
passed in a moment are skipped, not heard; an undone jump leaves no trace in the times;
sessions passed over on the way to the closing segment are skipped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from podium.core.commands import parse_command
from podium.core.config.programme import Programme
from podium.core.config.programme_file import load
from podium.live.rooms.room import Room
from podium.report.formats import render
from podium.report.replay import build
from podium.store.files import FileStore
from tests.helpers import SEED
from tests.unit.test_report import MIN, FakeClock, at

SEED_PROGRAMME = load(SEED)

# (moment, ms past it, command)
SCRIPT: list[tuple[str, int, dict[str, Any]]] = [
    ("09:30:00", 0, {"action": "start_session", "session_id": "session-1"}),
    ("09:38:00", 0, {"action": "next"}),  # Bilel Jamoussi
    ("09:40:00", 0, {"action": "goto", "speaker_id": "duo-liu"}),  # a jump ...
    ("09:41:00", 0, {"action": "undo"}),  # ... taken back: Bilel Jamoussi goes on
    ("09:46:00", 0, {"action": "next"}),  # Duo LIU, for real
    ("09:52:00", 0, {"action": "next"}),  # Luis Romero ...
    ("09:52:00", 150, {"action": "next"}),  # ... passed in 150 ms: Ran XIAO
    ("09:58:00", 0, {"action": "end_session"}),  # Heung Youl Youm never on
    ("10:00:00", 0, {"action": "start_session", "session_id": "appreciation"}),
    ("10:10:00", 0, {"action": "end_session"}),
]


async def report_of(programme: Programme, data: Path) -> dict[str, Any]:
    clock = FakeClock("09:00:00")
    store = FileStore(data)
    room = Room(programme, store, clock=clock)
    await room.open()
    for moment, ms, command in SCRIPT:
        clock.now = at(moment) + ms
        await room.execute(parse_command(command), actor="test")
    assert room.view()["phase"] == "finished"
    records = await store.read_log(programme.id)
    report = build(programme, records, at("10:30:00"))
    html, _ = render(report, "html")
    assert "Mr. Luis Romero <small>(skipped)</small>" in html
    assert "skipped" in render(report, "text")[0]
    return report.as_dict()


async def test_an_undone_jump_a_quick_next_and_sessions_passed_over(tmp_path: Path) -> None:
    report = await report_of(SEED_PROGRAMME, tmp_path / "data")
    sessions = {s["id"]: s for s in report["sessions"]}
    sp = {p["id"]: p for s in report["sessions"] for p in s["speakers"]}
    bilel, duo = sp["bilel-jamoussi"], sp["duo-liu"]
    # the undone jump never happened: Bilel Jamoussi spoke from 09:38 to 09:46 in one turn
    assert (bilel["actual_start"], bilel["actual_end"]) == (at("09:38:00"), at("09:46:00"))
    assert bilel["turns"] == 1 and bilel["speaking_ms"] == 8 * MIN
    assert (duo["actual_start"], duo["actual_end"]) == (at("09:46:00"), at("09:52:00"))
    assert duo["turns"] == 1 and duo["status"] == "done"
    assert sp["luis-romero"]["status"] == "skipped"  # on for 150 ms
    assert sp["heung-youl-youm"]["status"] == "skipped"  # the session ended without him
    assert sp["hequan-wu"]["status"] == "done" and sp["ran-xiao"]["status"] == "done"
    assert {sessions[s]["status"] for s in ("opening-session", "session-2", "session-3")} == {
        "skipped"
    }
    assert {p["status"] for p in sessions["session-2"]["speakers"]} == {"skipped"}
    assert sessions["appreciation"]["status"] == "done"
    totals = report["totals"]
    assert totals["speakers_spoke"] == 4  # Wu, Jamoussi, Liu, Xiao: not Romero
    assert totals["sessions_run"] == 2

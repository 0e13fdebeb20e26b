"""The report of a day whose plan changed: the plan as first published, as revised and as
it ran, from a real room and file store with an injected clock."""

from __future__ import annotations

import json
from pathlib import Path

from podium.core.commands import parse_command
from podium.core.config.programme_file import load
from podium.live.rooms.room import Room
from podium.report.formats import render
from podium.report.replay import build
from podium.store.files import FileStore
from tests.helpers import SEED
from tests.unit.test_report import FakeClock, at

SCRIPT = [
    ("09:00:00", "console:a", {"action": "start_session", "session_id": "opening-session"}),
    ("09:05:00", "console:a", {"action": "add_speaker", "session_id": "opening-session",
                               "before": "houlin-zhao", "speaker": {"name": "Guest Speaker"}}),
    ("09:06:00", "console:b", {"action": "move_speaker", "speaker_id": "john-omo",
                               "before": "cun-xie"}),
    ("09:07:00", "console:b", {"action": "remove_speaker", "speaker_id": "houlin-zhao"}),
    ("09:07:30", "console:b", {"action": "update_speaker", "speaker_id": "zhijun-wang",
                               "fields": {"affiliation": "ITU"}}),
    ("09:08:00", "console:b", {"action": "undo"}),  # the affiliation never changed
    ("09:10:00", "console:a", {"action": "next"}),  # the guest
    ("09:20:00", "console:a", {"action": "next"}),  # Zhijun WANG
    ("09:25:00", "console:a", {"action": "end_session"}),
]  # fmt: skip


async def test_the_report_tells_the_plans_story(tmp_path: Path) -> None:
    programme = load(SEED)
    clock = FakeClock("08:55:00")
    store = FileStore(tmp_path / "data")
    room = Room(programme, store, clock=clock)
    await room.open()
    for moment, actor, command in SCRIPT:
        clock.now = at(moment)
        await room.execute(parse_command({**command, "actor": actor}), actor="test")
    report = build(programme, await store.read_log(programme.id), at("09:30:00"))

    opening = report.sessions[0]
    assert [(sp.id, sp.marks, sp.status) for sp in opening.speakers] == [
        ("weizhong-qin", [], "done"),
        ("guest-speaker", ["added"], "done"),
        ("zhijun-wang", [], "done"),
    ]
    guest = opening.speakers[1]
    assert (guest.actual_start, guest.actual_end) == (at("09:10:00"), at("09:20:00"))
    assert report.sessions[2].speakers[0].id == "john-omo"
    assert report.sessions[2].speakers[0].marks == ["moved"]
    story = report.plan
    assert [sp["id"] for sp in story.first[0]["speakers"]] == [
        "weizhong-qin", "houlin-zhao", "zhijun-wang"
    ]  # fmt: skip
    assert [(c.at, c.actor, c.summary.split(":")[0]) for c in story.changes] == [
        (at("09:05:00"), "console:a", "add_speaker"),
        (at("09:06:00"), "console:b", "move_speaker"),
        (at("09:07:00"), "console:b", "remove_speaker"),
    ]
    assert {(d["id"], d["kind"]) for d in story.differences} == {
        ("guest-speaker", "added"), ("john-omo", "moved"), ("houlin-zhao", "removed")
    }  # fmt: skip

    as_json = json.loads(render(report, "json")[0])
    assert as_json["plan"]["summary"] == "1 speaker added, 1 removed, 1 moved"
    assert as_json["sessions"][0]["speakers"][1]["marks"] == ["added"]
    text = render(report, "text")[0]
    assert "Guest Speaker (added)" in text and "removed: H.E. Mr. Houlin ZHAO" in text
    html = render(report, "html")[0]
    assert "The plan on the day" in html and "console:b" in html
    assert "Houlin ZHAO" in html  # among the removed, and in the plan as first published

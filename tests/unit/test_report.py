"""The post-event report from a real room and file store driven by an injected clock:
every figure is known, because every moment is."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from podium.core.commands import parse_command
from podium.core.config.programme import Programme
from podium.core.config.programme_file import load
from podium.core.errors import NotFound
from podium.core.questions import Question
from podium.live.rooms.room import Room
from podium.report.formats import render
from podium.report.questions import questions_report, to_csv
from podium.report.replay import build
from podium.store.base import LogRecord
from podium.store.files import FileStore
from tests.helpers import SEED

ZONE = ZoneInfo("Asia/Shanghai")
MIN = 60_000


def at(hhmmss: str) -> int:
    h, m, s = (int(x) for x in hhmmss.split(":"))
    return int(datetime(2021, 11, 30, h, m, s, tzinfo=ZONE).timestamp() * 1000)


class FakeClock:
    def __init__(self, start: str) -> None:
        self.now = at(start)

    def __call__(self) -> int:
        return self.now


# (moment, command): a morning with a late start, a pause, added time, an undo, a
# speaker-less slot that overruns, and a session still live when the report is made
SCRIPT = [
    ("09:02:00", {"action": "start_session", "session_id": "opening-session"}),
    ("09:13:00", {"action": "next"}),
    ("09:15:00", {"action": "pause"}),
    ("09:16:30", {"action": "resume"}),
    ("09:20:00", {"action": "add_time", "seconds": 120}),
    ("09:21:00", {"action": "add_time", "seconds": -30}),
    ("09:21:10", {"action": "undo"}),
    ("09:27:00", {"action": "next"}),
    ("09:35:00", {"action": "end_session"}),
    ("09:40:00", {"action": "start_session", "session_id": "appreciation"}),
    ("09:52:00", {"action": "end_session"}),
    ("09:55:00", {"action": "start_session", "session_id": "session-1"}),
    ("10:00:00", {"action": "next"}),
    ("10:05:00", {"action": "previous"}),
]
REPORT_AT = "10:10:00"


@pytest.fixture(scope="module")
def programme() -> Programme:
    return load(SEED)


async def run_day(programme: Programme, data: Path) -> list[LogRecord]:
    clock = FakeClock("08:55:00")
    store = FileStore(data)
    room = Room(programme, store, clock=clock)
    await room.open()
    for moment, command in SCRIPT:
        clock.now = at(moment)
        await room.execute(parse_command(command), actor="test")
    return await store.read_log(programme.id)


@pytest.fixture
async def records(programme: Programme, tmp_path: Path) -> list[LogRecord]:
    return await run_day(programme, tmp_path / "data")


def test_replaying_the_log_gives_the_rooms_states(programme, records) -> None:
    assert [r.version for r in records] == list(range(len(SCRIPT) + 1))
    report = build(programme, records, at(REPORT_AT))
    assert report.plan_date == "2021-11-30"
    assert sum(report.commands.values()) == len(SCRIPT)
    assert report.commands["next"] == 3 and report.commands["undo"] == 1


def test_every_speaker_figure(programme, records) -> None:
    report = build(programme, records, at(REPORT_AT))
    sp = {s.id: s.as_dict() for s in report.speakers()}
    qin, zhao, wang = sp["weizhong-qin"], sp["houlin-zhao"], sp["zhijun-wang"]
    assert (qin["planned_start"], qin["planned_end"]) == (at("09:00:00"), at("09:10:00"))
    assert (qin["actual_start"], qin["actual_end"]) == (at("09:02:00"), at("09:13:00"))
    assert qin["speaking_ms"] == 11 * MIN and qin["overtime_ms"] == MIN
    assert qin["over_plan_ms"] == MIN and qin["paused_ms"] == 0 and qin["added_ms"] == 0

    # on 09:13-09:27 (14:00), paused 1:30, +2:00 kept (the -0:30 was undone); the
    # countdown reached zero at 09:26:30, so 0:30 overtime
    assert (zhao["planned_start"], zhao["actual_start"]) == (at("09:10:00"), at("09:13:00"))
    assert zhao["actual_end"] == at("09:27:00") and zhao["on_ms"] == 14 * MIN
    assert zhao["paused_ms"] == 90_000 and zhao["speaking_ms"] == 12 * MIN + 30_000
    assert zhao["added_ms"] == 2 * MIN and zhao["overtime_ms"] == 30_000
    assert zhao["over_plan_ms"] == 2 * MIN + 30_000 and zhao["allocation_ms"] == 10 * MIN

    assert wang["speaking_ms"] == 8 * MIN and wang["over_plan_ms"] == -2 * MIN
    assert wang["overtime_ms"] == 0 and wang["status"] == "done"

    # Hequan WU spoke twice (next, then previous) and is still on at the report
    wu, jamoussi = sp["hequan-wu"], sp["bilel-jamoussi"]
    assert wu["turns"] == 2 and wu["status"] == "live" and wu["actual_end"] is None
    assert wu["actual_start"] == at("09:55:00") and wu["speaking_ms"] == 10 * MIN
    assert wu["planned_start"] == at("09:30:00") and wu["allocation_ms"] == 500_000
    assert jamoussi["speaking_ms"] == 5 * MIN and jamoussi["planned_start"] == at("09:38:20")
    assert sp["duo-liu"]["status"] == "did not speak" and sp["duo-liu"]["actual_start"] is None


def test_every_session_figure_and_the_totals(programme, records) -> None:
    report = build(programme, records, at(REPORT_AT))
    s = {x.id: x.as_dict() for x in report.sessions}
    opening = s["opening-session"]
    assert opening["status"] == "done" and opening["planned_ms"] == 30 * MIN
    assert (opening["actual_start"], opening["actual_end"]) == (at("09:02:00"), at("09:35:00"))
    assert opening["actual_ms"] == 33 * MIN and opening["over_plan_ms"] == 3 * MIN
    assert opening["start_delay_ms"] == 2 * MIN and opening["end_drift_ms"] == 5 * MIN
    assert opening["paused_ms"] == 90_000 and opening["added_ms"] == 2 * MIN

    slot = s["appreciation"]  # no speakers: its own slot timer, 10 min from 09:40
    assert slot["planned_start"] == at("12:00:00") and slot["actual_ms"] == 12 * MIN
    assert slot["over_plan_ms"] == 2 * MIN and slot["start_delay_ms"] == at("09:40:00") - at(
        "12:00:00"
    )
    assert report.sessions[-1].slot[0].overtime_ms == 2 * MIN

    live = s["session-1"]
    assert live["status"] == "live" and live["actual_end"] is None
    assert live["actual_ms"] == 15 * MIN and live["start_delay_ms"] == 25 * MIN
    # the closing segment ran in the morning: session 2, before it, was passed over
    assert s["session-2"]["status"] == "skipped" and s["session-2"]["actual_ms"] is None

    totals = report.totals()
    assert totals["sessions_run"] == 3 and totals["sessions_planned"] == 5
    assert totals["speakers_spoke"] == 5 and totals["speakers_planned"] == 19
    assert totals["speakers_overran"] == 2 and totals["overtime_ms"] == 90_000
    assert totals["most_overtime"]["id"] == "weizhong-qin"
    assert totals["longest_session"]["id"] == "opening-session"
    assert totals["most_over_plan_session"]["id"] == "opening-session"
    assert totals["start_delay_ms"] == 2 * MIN and totals["paused_ms"] == 90_000
    # the last session to end was the closing slot, run early: 09:52 against 12:10
    assert totals["end_drift_ms"] == at("09:52:00") - at("12:10:00")
    assert totals["commands"] == len(SCRIPT)


def test_the_drift_over_the_day(programme, records) -> None:
    report = build(programme, records, at(REPORT_AT))
    drift = dict(report.drift)
    assert drift[at("09:02:00")] == 2 * MIN  # opening projected to end 09:32, planned 09:30
    assert drift[at("09:35:00")] == 5 * MIN  # session 1 can start at 09:35 at the earliest
    # as of the report, Hequan WU (first of six) has 3:20 left: session 1 is projected to
    # end 10:10 + 3:20 + 5 x 8:20 = 10:55, planned 10:20: 35 minutes late
    assert drift[at(REPORT_AT)] == 35 * MIN
    assert report.totals()["max_drift_ms"] == 35 * MIN


def test_text_csv_json_and_html_show_the_same_figures(programme, records) -> None:
    report = build(programme, records, at(REPORT_AT))
    text, media = render(report, "text")
    assert media == "text/plain"
    zhao = next(line for line in text.splitlines() if "Houlin ZHAO" in line)
    assert zhao.split()[-10:] == [
        "09:10:00", "09:13:00", "+3:00", "09:27:00", "10:00", "12:30", "+2:30", "1:30", "2:00",
        "0:30",
    ]  # fmt: skip
    assert "speakers overran    2, by 1:30 in all" in text

    rows = list(csv.DictReader(io.StringIO(render(report, "csv")[0])))
    row = next(r for r in rows if r["id"] == "houlin-zhao")
    assert (row["actual_start"], row["actual_end"], row["actual_s"]) == (
        "09:13:00",
        "09:27:00",
        "750",
    )
    assert (row["paused_s"], row["added_s"], row["overtime_s"], row["over_plan_s"]) == (
        "90",
        "120",
        "30",
        "150",
    )
    assert len(rows) == 5 + 19

    data = json.loads(render(report, "json")[0])
    assert data["totals"] == json.loads(json.dumps(report.totals()))
    assert data["sessions"][0]["speakers"][1]["overtime_ms"] == 30_000

    html, media = render(report, "html")
    assert media == "text/html" and "<script" not in html and 'src="http' not in html
    assert "H.E. Mr. Houlin ZHAO: planned 09:10:00-09:20:00" in html
    assert "H.E. Mr. Houlin ZHAO: actual 09:13:00-09:27:00" in html
    assert "H.E. Mr. Houlin ZHAO: overtime 0:30" in html


def test_a_log_that_does_not_follow_is_refused(programme, records) -> None:
    broken = [records[0], *records[2:]]
    with pytest.raises(NotFound, match="log record 2 does not follow"):
        build(programme, broken, at(REPORT_AT))
    with pytest.raises(NotFound, match="no action log"):
        build(programme, [], at(REPORT_AT))


@pytest.mark.parametrize("start", ["-", "=", "+", "@", "\t", "\r"])
def test_questions_csv_escapes_every_cell_a_spreadsheet_reads_as_a_formula(start: str) -> None:
    """A question id is ``token_urlsafe(12)``: 1 in 64 starts with ``-``, which a
    spreadsheet reads as a formula (``#NAME?``), like a text starting with ``=``."""
    programme = load(SEED)
    asked = [
        Question(id=f"{start}Ab3x_9Kq", text=f"{start}1+1", name=f"{start}cmd",
                 asked_at=at("09:40:00"), session_id="session-1"),
        Question(id="plainId", text="Plain?", asked_at=at("09:41:00")),
    ]  # fmt: skip
    out = to_csv(programme, questions_report(programme, asked, []))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["id"], r["text"], r["name"]) for r in rows] == [
        (f"'{start}Ab3x_9Kq", f"'{start}1+1", f"'{start}cmd"),
        ("plainId", "Plain?", ""),
    ]
    assert [r["session_id"] for r in rows] == ["session-1", ""]

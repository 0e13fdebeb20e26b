"""A programme over several days, with breaks: each session's day, the checks on the order
of the days, starting sessions across days, projections per day, and the report by day."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from podium.agenda.spreadsheet import CsvError, export_csv, import_csv
from podium.core import engine, projection
from podium.core.commands import parse_command
from podium.core.config import programme_file
from podium.core.errors import ProgrammeError
from podium.core.state import State, initial_state
from podium.report.formats import render
from podium.report.replay import build
from podium.store.base import LogRecord
from tests.helpers import ROOT

TWO_DAYS = ROOT / "tests" / "programmes" / "two-days.toml"
P = programme_file.load(TWO_DAYS)
ZONE = ZoneInfo("Europe/Zurich")


def at(day: int, hhmm: str) -> int:
    h, m = (int(x) for x in hhmm.split(":"))
    return int(datetime(2023, 4, 25 + day, h, m, tzinfo=ZONE).timestamp() * 1000)


def test_each_session_runs_on_its_day_and_breaks_are_breaks() -> None:
    assert P.days == (date(2023, 4, 26), date(2023, 4, 27))
    rows = [(s.id, s.kind, s.date, P.day_number(s)) for s in P.sessions]
    assert rows == [
        ("opening", "session", date(2023, 4, 26), 1),
        ("coffee", "break", date(2023, 4, 26), 1),
        ("panel", "session", date(2023, 4, 26), 1),
        ("keynote", "session", date(2023, 4, 27), 2),
        ("lunch", "break", date(2023, 4, 27), 2),
        ("closing", "session", date(2023, 4, 27), 2),
    ]
    public = P.public_dict(P.plan_date_for(0))
    lunch = public["sessions"][4]
    assert (lunch["kind"], lunch["day"]) == ("break", 2)
    assert lunch["planned_start"] == "2023-04-27T12:00:00+02:00"
    assert lunch["planned_start_ms"] == at(2, "12:00")
    assert P.day_title(P.sessions[3], date(2023, 4, 26)) == "Day 2 · Thursday 27 April"


def test_a_rehearsal_on_another_day_keeps_the_days_apart() -> None:
    """set_plan_date moves the first day; the second stays the day after it."""
    keynote = P.sessions[3]
    assert P.session_day(keynote, date(2023, 3, 1)) == date(2023, 3, 2)
    assert P.day_title(keynote, date(2023, 3, 1)) == "Day 2 · Thursday 2 March"


def data() -> dict[str, Any]:
    return tomllib.loads(TWO_DAYS.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("index", "change", "expected"),
    [
        (
            3,
            {"date": "2023-04-25"},
            "sessions[3].start: keynote starts at 2023-04-25 09:00, before panel ends at"
            " 2023-04-26 11:00; move its start or shorten panel (the days must come in order)",
        ),
        (
            3,
            {"start": None},
            "sessions[3].start: keynote opens 2023-04-27 but has no start time; give the"
            " day's first session a start, e.g. '09:00'",
        ),
        (1, {"kind": "pause"}, "sessions[1].kind: input should be 'session' or 'break'"),
    ],
)
def test_days_out_of_order_are_refused_with_the_fix(
    index: int, change: dict[str, Any], expected: str
) -> None:
    raw = data()
    raw["sessions"][index] |= change
    raw["sessions"][index] = {k: v for k, v in raw["sessions"][index].items() if v is not None}
    with pytest.raises(ProgrammeError) as err:
        programme_file.parse(raw, "two-days.toml", TWO_DAYS.parent)
    assert expected in err.value.problems


def test_a_day_named_without_a_first_day_is_refused() -> None:
    raw = data()
    del raw["event"]["date"]
    raw["sessions"][0]["date"] = None
    raw["sessions"][0] = {k: v for k, v in raw["sessions"][0].items() if v is not None}
    with pytest.raises(ProgrammeError) as err:
        programme_file.parse(raw, "two-days.toml", TWO_DAYS.parent)
    assert err.value.problems == [
        "sessions[3].date: keynote names a day but the sessions before it do not;"
        " give event.date or the first session's date"
    ]


def apply(state: State, now: int, action: str, **fields: Any) -> State:
    return engine.apply(P, state, parse_command({"action": action, **fields}), now).state


def test_start_session_across_days_and_lateness_per_day() -> None:
    state = initial_state(P, at(1, "08:00"))
    # day 1 runs twenty minutes late
    state = apply(state, at(1, "09:20"), "start_session", session_id="opening")
    view = projection.view(P, state, at(1, "09:20"))
    rows = {r["id"]: r for r in view["schedule"]}
    assert view["drift_ms"] == 20 * 60_000
    assert rows["panel"]["projected_start"] == at(1, "10:20")
    # day 2 is projected from its own plan, not pushed by day 1's lateness
    assert rows["keynote"]["projected_start"] == at(2, "09:00")
    state = apply(state, at(1, "09:50"), "end_session")
    # the day-2 keynote starts the next morning, on time
    state = apply(state, at(2, "09:00"), "start_session", session_id="keynote")
    view = projection.view(P, state, at(2, "09:00"))
    assert view["session"]["id"] == "keynote"
    assert view["drift_ms"] == 0
    # the lunch break is started and ended like a session: its slot timer runs
    state = apply(state, at(2, "09:30"), "end_session")
    state = apply(state, at(2, "12:05"), "start_session", session_id="lunch")
    view = projection.view(P, state, at(2, "12:05"))
    assert view["session"]["ends_at"] == at(2, "14:05")
    assert view["timer"]["status"] == "running"


def test_the_report_groups_the_sessions_by_day() -> None:
    steps = [
        (at(1, "09:00"), "start_session", {"session_id": "opening"}),
        (at(1, "09:30"), "end_session", {}),
        (at(2, "09:00"), "start_session", {"session_id": "keynote"}),
        (at(2, "09:30"), "end_session", {}),
    ]
    opened = LogRecord(version=0, at=at(1, "08:00"), actor="system", command={}, summary="open")
    records = [opened] + [
        LogRecord(version=i + 1, at=when, actor="moderator", command={"action": a, **f}, summary=a)
        for i, (when, a, f) in enumerate(steps)
    ]
    report = build(P, records, at(2, "10:00"))
    text, _ = render(report, "text")
    day1, day2 = text.index("DAY 1 · WEDNESDAY 26 APRIL"), text.index("DAY 2 · THURSDAY 27 APRIL")
    assert day1 < text.index("Opening") < text.index("Panel") < day2 < text.index("Keynote")
    html, _ = render(report, "html")
    heads = [
        html.index(f"<h3>{d}</h3>")
        for d in ("Day 1 · Wednesday 26 April", "Day 2 · Thursday 27 April")
    ]
    assert heads[0] < html.index("<td>Opening") < heads[1] < html.index("<td>Keynote")


def test_the_seed_is_one_day_as_before(tmp_path: Path) -> None:
    seed = programme_file.load(ROOT / "config" / "itu-miit-2021.toml")
    assert seed.days == () and seed.day_title(seed.sessions[0], date(2021, 11, 30)) == ""
    assert {s.kind for s in seed.sessions} == {"session"}


def test_a_spreadsheet_keeps_the_days_and_the_breaks() -> None:
    """podium export then podium import: the date and kind columns carry them."""
    text = export_csv(TWO_DAYS)
    assert text.splitlines()[0].endswith(",date,kind")
    got = programme_file.parse(
        import_csv(text, "Spectrum Workshop 2023", "Europe/Zurich", "two-days").data
    )
    assert got.sessions == P.sessions
    bad = text.replace(",2023-04-27,", ",27/04/2023,", 1)
    with pytest.raises(CsvError) as err:
        import_csv(bad, "Spectrum Workshop 2023", "Europe/Zurich")
    assert err.value.problems == [
        "row 6, column V (date): '27/04/2023' is not a day; write it as 2023-04-27"
    ]

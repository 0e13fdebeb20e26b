"""The schedule projection's cases (``tests/data/projection-cases.json``): how they are made
and how a projection is written down to compare with them.

Each scenario applies commands to the seed programme on a plan day and names two moments:
``pushed_at``, when the server last sent the state, and ``now``, when a page shows it. The
case file holds the state and the projection expected at ``now``; ``test_projection`` holds
the engine (``projection.view``) and the pages (``scheduleAt`` in ``web/js/schedule.js``,
given the view pushed at ``pushed_at``) to it. Times are written as local times of the
event so that a reviewer can check every expected value by hand.

Write the file anew after adding a scenario (``python -m tests.projection_cases``), then
read the diff: the expected values are a specification, checked by hand, not a snapshot.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from podium.core import engine, projection
from podium.core.commands import parse_command
from podium.core.config.programme import Programme
from podium.core.config.programme_file import load
from podium.core.state import State
from tests.helpers import ROOT, SEED

CASES = ROOT / "tests" / "data" / "projection-cases.json"
PROGRAMME: Programme = load(SEED)
ZONE = ZoneInfo(PROGRAMME.event.timezone)
DAY = "2021-11-30"  # the seed's day (it has no date: the room's first day is the plan)

Step = tuple[str, str, dict[str, Any]]  # local time, action, fields

# name, what a reader should see, the steps, pushed_at, now
SCENARIOS: list[tuple[str, str, list[Step], str, str]] = [
    (
        "not started, before the day",
        "the plan as written: opening next at 09:00, the rest back to back, drift 0",
        [],
        "08:00:00",
        "08:30:00",
    ),
    (
        "not started, ten minutes past the first start",
        "nothing has run at 09:10: every session moves 10 minutes later, drift +10 min",
        [],
        "08:50:00",
        "09:10:00",
    ),
    (
        "live on time",
        "opening live from 09:00, first speaker's 10 min running: ends 09:30 as planned",
        [("09:00:00", "start_session", {"session_id": "opening-session"})],
        "09:00:00",
        "09:05:00",
    ),
    (
        "live in overtime",
        "second speaker on at 09:12 for 10 min, 3 min over at 09:25; the third's 10 min"
        " follow: opening ends 09:35, drift +5 min, later sessions 5 min late",
        [
            ("09:00:00", "start_session", {"session_id": "opening-session"}),
            ("09:12:00", "next", {}),
        ],
        "09:20:00",
        "09:25:00",
    ),
    (
        "paused",
        "paused at 09:04 with 6 min left; at 09:10 that is 6 + 20 min still to come:"
        " opening ends 09:36, drift +6 min",
        [
            ("09:00:00", "start_session", {"session_id": "opening-session"}),
            ("09:04:00", "pause", {}),
        ],
        "09:04:00",
        "09:10:00",
    ),
    (
        "ended early, the next waits for its planned start",
        "opening ended 09:24; session 1 is next at its planned 09:30, not earlier, drift 0",
        [
            ("09:00:00", "start_session", {"session_id": "opening-session"}),
            ("09:08:00", "next", {}),
            ("09:16:00", "next", {}),
            ("09:24:00", "end_session", {}),
        ],
        "09:24:00",
        "09:26:00",
    ),
    (
        "ended late, between sessions",
        "opening ended 09:34 (done, 4 min late); at 09:40 session 1 is next from now,"
        " 09:40-10:30, drift +10 min",
        [
            ("09:00:00", "start_session", {"session_id": "opening-session"}),
            ("09:10:00", "next", {}),
            ("09:20:00", "next", {}),
            ("09:34:00", "end_session", {}),
        ],
        "09:34:00",
        "09:40:00",
    ),
    (
        "a session skipped",
        "session 2 started at 09:31 after the opening: session 1 and its speakers skipped;"
        " first of six 8m20s turns 40 s over at 09:40: session 2 ends 10:21:40, drift"
        " -48m20s; session 3 still waits for 11:10",
        [
            ("09:00:00", "start_session", {"session_id": "opening-session"}),
            ("09:30:00", "end_session", {}),
            ("09:31:00", "start_session", {"session_id": "session-2"}),
        ],
        "09:35:00",
        "09:40:00",
    ),
    (
        "speakers skipped",
        "first speaker on 3 s (skipped), the second never on (skipped), the third on from"
        " 09:00:03 for 10 min: opening ends 09:10:03, drift -19m57s; session 1 at 09:30",
        [
            ("09:00:00", "start_session", {"session_id": "opening-session"}),
            ("09:00:03", "goto", {"speaker_id": "zhijun-wang"}),
        ],
        "09:00:03",
        "09:08:00",
    ),
    (
        "closing segment live in overtime",
        "appreciation (no speakers: the slot is the timer) started 12:05 for 10 min,"
        " 5 min over at 12:20: projected end 12:20, drift +10 min",
        [
            ("09:00:00", "start_session", {"session_id": "opening-session"}),
            ("09:30:00", "end_session", {}),
            ("12:05:00", "start_session", {"session_id": "appreciation"}),
        ],
        "12:10:00",
        "12:20:00",
    ),
    (
        "finished",
        "every session run, the last ended 12:17 for 12:10: drift +7 min; speakers never"
        " put on in an ended session are skipped; nothing next",
        [
            ("09:00:00", "start_session", {"session_id": "opening-session"}),
            ("09:32:00", "end_session", {}),
            ("09:32:00", "start_session", {"session_id": "session-1"}),
            ("10:25:00", "end_session", {}),
            ("10:25:00", "start_session", {"session_id": "session-2"}),
            ("11:15:00", "end_session", {}),
            ("11:15:00", "start_session", {"session_id": "session-3"}),
            ("12:05:00", "end_session", {}),
            ("12:05:00", "start_session", {"session_id": "appreciation"}),
            ("12:17:00", "end_session", {}),
        ],
        "12:17:00",
        "12:30:00",
    ),
    (
        "the plan set a day early",
        "the plan was set for 2021-11-29 and nothing has run on the 30th at 08:30:"
        " opening next from now, drift +23h30m",
        [("08:00:00", "set_plan_date", {"date": "2021-11-29"})],
        "08:00:00",
        "08:30:00",
    ),
]


def moment(local: str, day: str = DAY) -> int:
    """``HH:MM:SS`` on ``day`` in the event's zone, as epoch ms."""
    return int(datetime.fromisoformat(f"{day}T{local}").replace(tzinfo=ZONE).timestamp() * 1000)


def local(ms: int | None) -> str | None:
    """Epoch ms as the event's local ``YYYY-MM-DD HH:MM:SS``."""
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, ZONE).strftime("%Y-%m-%d %H:%M:%S")


def signed_length(ms: int) -> str:
    """A drift as ``+h:mm:ss`` or ``-h:mm:ss``."""
    sign = "-" if ms < 0 else "+"
    h, rest = divmod(abs(ms) // 1000, 3600)
    return f"{sign}{h}:{rest // 60:02d}:{rest % 60:02d}"


TIMES = ("planned_start", "planned_end", "actual_start", "actual_end")
TIMES += ("projected_start", "projected_end")


def written(drift_ms: int, schedule: list[dict[str, Any]]) -> dict[str, Any]:
    """A projection as the case file writes it: local times, a signed drift."""
    rows = [
        {"id": r["id"], "status": r["status"]} | {k: local(r[k]) for k in TIMES} for r in schedule
    ]
    for row, r in zip(rows, schedule, strict=True):
        row["speakers"] = r["speakers"]
    return {"drift": signed_length(drift_ms), "schedule": rows}


def build(steps: list[Step]) -> State:
    state = State(room=PROGRAMME.id, plan_date=DAY, updated_at=moment("07:00:00"))
    for at, action, fields in steps:
        command = parse_command({"action": action, **fields})
        state = engine.apply(PROGRAMME, state, command, moment(at)).state
    # the projection reads neither the undo stack nor who changed what
    live = state.live.model_copy(update={"change": None})
    return state.model_copy(update={"live": live, "undo": (), "last_change": None})


def cases() -> list[dict[str, Any]]:
    out = []
    for name, why, steps, pushed_at, now in SCENARIOS:
        state = build(steps)
        shown = projection.view(PROGRAMME, state, moment(now))
        out.append(
            {
                "name": name,
                "why": why,
                "pushed_at": moment(pushed_at),
                "now": moment(now),
                "state": state.model_dump(mode="json"),
                "expected": written(shown["drift_ms"], shown["schedule"]),
            }
        )
    return out


if __name__ == "__main__":
    CASES.write_text(json.dumps(cases(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

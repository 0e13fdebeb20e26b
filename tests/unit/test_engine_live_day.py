"""The engine on the live day (issue 10): who changed what last and what undo would undo,
a message each for stage and viewers, skipped speakers, the day's end, the plan's day.
Plain, synchronous and exact, with an injected clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from podium.core import projection
from podium.core.commands import parse_command
from podium.core.errors import InvalidInput
from podium.core.state import Messages, State
from tests.unit.test_engine import S1, T0, P, cmd, fresh, live_s1, refused, run

S = 1000


def view(state: State, now: int = T0) -> dict[str, Any]:
    return projection.view(P, state, now)


def speakers(state: State, session: str, now: int = T0) -> dict[str, str]:
    row = next(r for r in view(state, now)["schedule"] if r["id"] == session)
    return row["speakers"]


# -- item 3: who made the last change, and what undo would undo ------------------------------


def test_the_last_change_and_what_undo_would_undo_say_who_and_when() -> None:
    state = run(live_s1(), (T0 + 5 * S, "add_time", {"seconds": 60, "actor": "console:aaa"}))
    shown = view(state)
    change = {"summary": "add_time: +60s for Mr. Hequan WU", "action": "add_time",
              "actor": "console:aaa", "at": T0 + 5 * S, "seconds": 60,
              "session_id": "session-1", "speaker_id": "hequan-wu"}  # fmt: skip
    assert shown["last_change"] == change and shown["undo"] == change
    state = run(state, (T0 + 9 * S, "pause", {"actor": "console:bbb"}))
    assert view(state)["undo"]["action"] == "pause"
    state = run(state, (T0 + 12 * S, "undo", {"actor": "console:aaa"}))
    shown = view(state)
    assert shown["last_change"] == {"summary": "undo: pause: Mr. Hequan WU", "action": "undo",
                                    "actor": "console:aaa", "at": T0 + 12 * S,
                                    "session_id": "session-1", "speaker_id": "hequan-wu",
                                    "undone": view(state)["last_change"]["undone"]}  # fmt: skip
    assert shown["last_change"]["undone"]["action"] == "pause"
    assert shown["undo"] == change  # the next undo takes back the +1 min, by console:aaa
    state = run(state, (T0 + 13 * S, "undo", {}), (T0 + 14 * S, "undo", {}))
    assert view(state)["undo"] is None and not view(state)["can_undo"]
    assert view(state)["last_change"]["actor"] is None  # sent without one (no connection here)


# every action's change, as fields a console says in its own language (issue 24): what
# each says besides summary, action, actor and at
CHANGES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("next", {}, {"session_id": "session-1", "speaker_id": "bilel-jamoussi"}),
    ("previous", {}, {"session_id": "session-1", "speaker_id": "hequan-wu"}),
    ("goto", {"speaker_id": "duo-liu"}, {"session_id": "session-1", "speaker_id": "duo-liu"}),
    ("pause", {}, {"session_id": "session-1", "speaker_id": "duo-liu"}),
    ("resume", {}, {"session_id": "session-1", "speaker_id": "duo-liu"}),
    ("add_time", {"seconds": -30}, {"session_id": "session-1", "speaker_id": "duo-liu",
                                    "seconds": -30}),
    ("cue", {"kind": "wrap_up"}, {"session_id": "session-1", "speaker_id": "duo-liu",
                                  "kind": "wrap_up"}),
    ("clear_cue", {}, {"session_id": "session-1", "speaker_id": "duo-liu", "kind": "wrap_up"}),
    ("show_message", {"text": "Hi", "target": "screen"},
     {"session_id": "session-1", "speaker_id": "duo-liu", "target": "screen"}),
    ("clear_message", {"target": "screen"},
     {"session_id": "session-1", "speaker_id": "duo-liu", "target": "screen"}),
    ("blackout", {"on": True}, {"session_id": "session-1", "speaker_id": "duo-liu", "on": True}),
    ("undo", {}, {"session_id": "session-1", "speaker_id": "duo-liu",
                  "undone": {"action": "blackout", "on": True}}),
    ("show_question", {"question_id": "q1", "text": "Why?"},
     {"session_id": "session-1", "speaker_id": "duo-liu", "question_id": "q1"}),
    ("clear_question", {}, {"session_id": "session-1", "speaker_id": "duo-liu",
                            "question_id": "q1"}),
    ("goto", {"speaker_id": "cun-xie", "end_live": True},
     {"session_id": "session-2", "speaker_id": "cun-xie", "ended_session_id": "session-1"}),
    ("end_session", {}, {"session_id": "session-2", "speaker_id": "cun-xie"}),
    ("start_session", {"session_id": "session-3"}, {"session_id": "session-3",
                                                     "speaker_id": "jianjun-cheng"}),
    ("set_plan_date", {"date": "2021-12-01"},
     {"session_id": "session-3", "speaker_id": "jianjun-cheng", "date": "2021-12-01"}),
]  # fmt: skip


def test_each_change_says_what_it_did_in_fields_not_only_in_english() -> None:
    state = live_s1()
    said: dict[str, Any] = {}
    for i, (action, fields, expected) in enumerate(CHANGES):
        state = run(state, (T0 + (i + 1) * S, action, fields))
        change = view(state)["last_change"]
        got = {k: v for k, v in change.items() if k not in ("summary", "action", "actor", "at")}
        if "undone" in got:
            got["undone"] = {k: got["undone"][k] for k in expected.get("undone", {})}
        if got != expected:
            said[f"{i}: {action}"] = got
    assert said == {}


def test_an_actor_is_a_short_string() -> None:
    with pytest.raises(InvalidInput, match="actor"):
        parse_command({"action": "next", "actor": "x" * 65})
    with pytest.raises(InvalidInput, match="actor"):
        parse_command({"action": "next", "actor": 7})


# -- item 6: a message for the stage and one for the viewers ------------------------------------


def test_the_stage_message_goes_when_the_speaker_changes_the_viewers_message_stays() -> None:
    state = run(
        live_s1(),
        (T0 + S // 2, "next", {}),
        (T0 + S, "show_message", {"text": "Please wrap up", "target": "screen"}),
        (T0 + 2 * S, "show_message", {"text": "Back at 10:20", "target": "viewers"}),
    )
    messages = view(state)["messages"]
    assert messages["screen"]["text"] == "Please wrap up"  # not replaced by the viewers' one
    assert messages["viewers"]["text"] == "Back at 10:20"
    assert view(state)["message"]["text"] == "Back at 10:20"  # the newest, for old clients
    for action, fields in [
        ("next", {}),
        ("previous", {}),
        ("goto", {"speaker_id": S1[3]}),
        ("end_session", {}),
    ]:
        moved = run(state, (T0 + 3 * S, action, fields))
        assert moved.live.messages.screen is None, action
        assert moved.live.messages.viewers == state.live.messages.viewers, action
    idle = run(
        fresh(),
        (T0, "show_message", {"text": "Welcome", "target": "all"}),
        (T0 + S, "start_session", {"session_id": "session-1"}),
    )
    assert idle.live.messages.screen is None and idle.live.messages.viewers is not None


def test_a_pinned_stage_message_stays_for_the_next_speaker_until_the_session_ends() -> None:
    state = run(
        live_s1(),
        (T0 + S, "show_message", {"text": "Mic 2 is off", "target": "all", "pinned": True}),
        (T0 + 2 * S, "next", {}),
    )
    screen = view(state)["messages"]["screen"]
    assert screen == {"text": "Mic 2 is off", "target": "all", "at": T0 + S, "pinned": True}
    assert view(state)["messages"]["viewers"]["pinned"] is False  # pinning is for the stage
    ended = run(state, (T0 + 3 * S, "end_session", {}))
    assert view(ended)["messages"]["screen"] is None  # it was the session's


def test_clear_message_clears_one_target_or_both() -> None:
    both = run(live_s1(), (T0, "show_message", {"text": "x", "target": "all"}))
    stage_cleared = run(both, (T0, "clear_message", {"target": "screen"}))
    assert stage_cleared.live.messages.screen is None
    assert stage_cleared.live.messages.viewers is not None
    refusal = refused(stage_cleared, "clear_message", target="screen")
    assert "no message to screen is shown" in refusal
    assert run(both, (T0, "clear_message", {})).live.messages == Messages()


def test_a_state_stored_with_one_message_still_loads() -> None:
    stored = fresh().model_dump(mode="json")
    stored["live"] = {"message": {"text": "Hi", "target": "all", "at": T0}}
    state = State.model_validate(stored)
    assert state.live.messages.screen == state.live.messages.viewers
    assert state.live.messages.screen is not None and state.live.messages.screen.text == "Hi"


# -- item 7: skipped speakers, and the day's end -------------------------------------------------


def test_a_speaker_jumped_over_or_passed_in_a_moment_reads_as_skipped() -> None:
    state = run(live_s1(), (T0 + 60 * S, "goto", {"speaker_id": S1[2]}))
    assert speakers(state, "session-1")[S1[1]] == "skipped"  # jumped over
    assert speakers(state, "session-1")[S1[0]] == "done"
    # a quick "next" over Duo LIU: on for 150 ms
    state = run(state, (T0 + 90 * S, "next", {}), (T0 + 90 * S + 150, "next", {}))
    statuses = speakers(state, "session-1")
    assert statuses[S1[2]] == "done" and statuses[S1[3]] == "skipped"
    assert statuses[S1[4]] == "live" and statuses[S1[5]] == "upcoming"
    # put back on and heard: no longer skipped (earlier turns count)
    state = run(state, (T0 + 100 * S, "previous", {}), (T0 + 104 * S, "next", {}))
    assert speakers(state, "session-1")[S1[3]] == "skipped"  # 4.15 s in all: under 5 s
    state = run(state, (T0 + 110 * S, "previous", {}), (T0 + 111 * S, "next", {}))
    assert speakers(state, "session-1")[S1[3]] == "done"  # 5.15 s in all
    ended = run(state, (T0 + 120 * S, "end_session", {}))
    assert speakers(ended, "session-1")[S1[5]] == "skipped"  # the session ended without him
    assert set(speakers(ended, "session-2").values()) == {"upcoming"}


def test_ending_the_closing_segment_after_a_jump_ends_the_day() -> None:
    state = run(
        live_s1(),
        (T0 + 60 * S, "end_session", {}),
        (T0 + 70 * S, "start_session", {"session_id": "appreciation"}),
        (T0 + 80 * S, "end_session", {}),
    )
    shown = view(state, T0 + 90 * S)
    assert shown["phase"] == "finished"
    rows = {r["id"]: r["status"] for r in shown["schedule"]}
    assert rows == {"opening-session": "skipped", "session-1": "done", "session-2": "skipped",
                    "session-3": "skipped", "appreciation": "done"}  # fmt: skip
    assert set(speakers(state, "session-2").values()) == {"skipped"}
    # a skipped session can still be run afterwards; the day stays finished
    late = run(
        state,
        (T0 + 100 * S, "start_session", {"session_id": "session-2"}),
        (T0 + 200 * S, "end_session", {}),
    )
    assert view(late)["phase"] == "finished"


def test_idle_always_has_a_next_session() -> None:
    state = fresh()
    for session in P.sessions[:-1]:
        state = run(
            state,
            (T0, "start_session", {"session_id": session.id}),
            (T0 + S, "end_session", {}),
        )
        shown = view(state)
        assert shown["phase"] == "idle"
        assert [r["status"] for r in shown["schedule"]].count("next") == 1


# -- item 8: the day the plan is for -------------------------------------------------------------


def test_set_plan_date_moves_the_plan_and_undo_moves_it_back() -> None:
    state = fresh()
    assert view(state)["plan_date_from"] == "clock"
    guessed = view(state)["schedule"][0]["planned_start"]
    moved = run(state, (T0, "set_plan_date", {"date": "2021-11-30", "actor": "console:a"}))
    shown = view(moved)
    assert shown["plan_date"] == "2021-11-30" and shown["plan_date_from"] == "console"
    assert shown["schedule"][0]["planned_start"] == P.planned_start_ms(
        P.sessions[0], dt.date(2021, 11, 30)
    )
    assert shown["undo"]["summary"] == "set_plan_date: 2021-11-30"
    assert "already for 2021-11-30" in refused(moved, "set_plan_date", date="2021-11-30")
    back = run(moved, (T0, "undo", {}))
    assert view(back)["plan_date_from"] == "clock"
    assert view(back)["schedule"][0]["planned_start"] == guessed


@pytest.mark.parametrize("day", ["2021-13-01", "30.11.2021", "2021-11-30T00:00", "", "20211130"])
def test_set_plan_date_refuses_what_is_not_a_day(day: str) -> None:
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        cmd("set_plan_date", date=day)

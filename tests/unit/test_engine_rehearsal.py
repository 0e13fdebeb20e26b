"""What the second rehearsal found in the engine (issue 22), pure and exact: a jump is one
action and one undo, what a session showed ends with it, one rule for "overran" in the
state and the report, and a turn's warning never falls due before the turn started."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from podium.core import engine, projection
from podium.core.commands import SYSTEM, parse_command, signed
from podium.core.errors import InvalidInput
from podium.core.events import due, happened
from podium.core.state import OVERRAN_FROM_MS, State, initial_state
from podium.live.rooms.room import Room
from podium.report.replay import build
from podium.store.files import FileStore
from tests.unit.test_engine import ARGS, T0, P, cmd, refused, run
from tests.unit.test_report import FakeClock

MIN = 60_000
QUESTION = ARGS["show_question"]
GIUSTI_MS = P.sessions[3].speakers[2].allocation_ms  # John Giusti's recorded speech


def s1_with_everything_up() -> State:
    """Session 1 live, second speaker on with a minute added, pinned stage message, a
    viewers' message, a question and a cue: everything a jump must bring back."""
    return run(
        initial_state(P, T0),
        (T0, "start_session", {"session_id": "session-1"}),
        (T0 + MIN, "next", {}),
        (T0 + 2 * MIN, "add_time", {"seconds": 60}),
        (T0 + 3 * MIN, "show_message", {"text": "Mic 2", "target": "screen", "pinned": True}),
        (T0 + 4 * MIN, "show_message", {"text": "Coffee after Session 1", "target": "viewers"}),
        (T0 + 5 * MIN, "show_question", QUESTION),
        (T0 + 6 * MIN, "cue", {"kind": "wrap_up"}),
    )


# -- item 2: a jump is one action, one undo ------------------------------------------------


def test_a_jump_to_another_session_is_one_action_and_one_undo_brings_it_all_back() -> None:
    before = s1_with_everything_up()
    jump = {"session_id": "session-2", "end_live": True}
    jumped = run(before, (T0 + 7 * MIN, "start_session", jump))
    assert jumped.version == before.version + 1
    view = projection.view(P, jumped, T0 + 7 * MIN)
    assert (view["session"]["id"], view["speaker"]["id"]) == ("session-2", "cun-xie")
    assert jumped.live.sessions["session-1"].ended_at == T0 + 7 * MIN
    assert jumped.live.speakers["bilel-jamoussi"].ended_at == T0 + 7 * MIN
    assert jumped.last_change is not None
    s1, s2 = (P.sessions[i].title for i in (1, 2))
    assert jumped.last_change.summary == f"start_session: {s2} (ended {s1})"
    undone = run(jumped, (T0 + 8 * MIN, "undo", {}))
    assert undone.live.model_dump(exclude={"change"}) == before.live.model_dump(exclude={"change"})
    view = projection.view(P, undone, T0 + 8 * MIN)
    assert (view["phase"], view["speaker"]["id"]) == ("live", "bilel-jamoussi")
    assert view["timer"]["ends_at"] == T0 + MIN + 500_000 + 60_000  # its timer ran on


def test_a_jump_to_a_speaker_of_another_session_ends_the_live_one_in_the_same_action() -> None:
    before = s1_with_everything_up()
    jumped = run(before, (T0 + 7 * MIN, "goto", {"speaker_id": "jing-sun", "end_live": True}))
    assert jumped.version == before.version + 1
    assert (jumped.live.session_id, jumped.live.speaker_index) == ("session-3", 1)
    assert jumped.live.sessions["session-1"].ended_at == T0 + 7 * MIN
    names = [e.name for e in happened(P, before, jumped)]
    assert names == ["speaker_ended", "session_ended", "session_started", "speaker_started"]
    assert run(jumped, (T0 + 8 * MIN, "undo", {})).live.session_id == "session-1"


def test_without_end_live_a_jump_is_refused_as_before_and_says_how() -> None:
    before = s1_with_everything_up()
    assert "or send end_live: true" in refused(before, "start_session", session_id="session-2")
    assert "or send end_live: true" in refused(before, "goto", speaker_id="jing-sun")
    already = refused(before, "start_session", session_id="session-1", end_live=True)
    assert already == "session 'session-1' is already live"
    # end_live with nothing live, or within the live session, is a plain start or goto
    jump = {"session_id": "session-2", "end_live": True}
    idle = run(initial_state(P, T0), (T0, "start_session", jump))
    assert idle.live.session_id == "session-2"
    within = run(before, (T0 + 7 * MIN, "goto", {"speaker_id": "duo-liu", "end_live": True}))
    assert within.live.sessions["session-1"].ended_at is None


@pytest.mark.parametrize("end_live", ["yes", 1, None])
def test_end_live_must_be_a_boolean(end_live: object) -> None:
    with pytest.raises(InvalidInput, match="end_live"):
        parse_command({"action": "start_session", "session_id": "session-2", "end_live": end_live})


# -- item 3: what a session showed ends with it -------------------------------------------------


def test_ending_a_session_takes_the_stage_message_pinned_too_and_the_question() -> None:
    ended = run(s1_with_everything_up(), (T0 + 7 * MIN, "end_session", {}))
    assert ended.live.messages.screen is None and ended.live.question is None
    assert ended.live.cue is None
    viewers = ended.live.messages.viewers  # the viewers' message is for the day: it stays
    assert viewers is not None and viewers.text == "Coffee after Session 1"
    assert viewers.at == T0 + 4 * MIN  # when it was set: the console shows how long it is up
    jump = {"session_id": "session-2", "end_live": True}
    jumped = run(s1_with_everything_up(), (T0 + 7 * MIN, "start_session", jump))
    assert jumped.live.messages.screen is None and jumped.live.question is None
    assert jumped.live.messages.viewers == viewers


def test_the_days_end_takes_the_viewers_message_too() -> None:
    state = run(
        s1_with_everything_up(),
        (T0 + 7 * MIN, "start_session", {"session_id": "appreciation", "end_live": True}),
        (T0 + 8 * MIN, "show_message", {"text": "Thank you", "target": "all", "pinned": True}),
        (T0 + 9 * MIN, "show_question", QUESTION),
        (T0 + 10 * MIN, "end_session", {}),
    )
    assert state.live.phase.value == "finished"
    assert projection.view(P, state, T0 + 10 * MIN)["messages"] == {"screen": None, "viewers": None}
    assert state.live.question is None
    back = run(state, (T0 + 11 * MIN, "undo", {}))  # undo brings them back with the session
    assert back.live.messages.viewers is not None and back.live.question is not None


# -- item 11: one rule for "overran" -------------------------------------------------------------


def test_a_turn_overran_from_a_second_past_zero_and_the_state_says_so() -> None:
    state = run(
        initial_state(P, T0),
        (T0, "start_session", {"session_id": "opening-session"}),
        (T0 + MIN, "next", {}),  # Houlin ZHAO, 10 min, cut to 2 min
        (T0 + MIN + 1000, "add_time", {"seconds": -480}),
        (T0 + MIN + 151_000, "next", {}),  # 2:31 on: 0:31 past his cut
        (T0 + MIN + 151_000 + 600_000 + OVERRAN_FROM_MS - 1, "end_session", {}),  # on zero
    )
    runs = projection.view(P, state, T0 + 2_000_000)["speakers_run"]
    assert runs["weizhong-qin"]["overtime_ms"] == 0
    assert runs["houlin-zhao"]["overtime_ms"] == 31_000
    assert runs["zhijun-wang"]["overtime_ms"] == 0  # 0.999 s past zero: ended on it


async def test_the_report_counts_the_same_overruns_as_the_state(tmp_path: Path) -> None:
    """The recorded speech advanced by the server 3 ms after its zero did not overrun;
    Houlin ZHAO, 31 s past his cut, did."""
    clock = FakeClock("09:00:00")
    store = FileStore(tmp_path / "data")
    room = Room(P, store, clock=clock)
    await room.open()
    t = clock.now
    script: list[tuple[int, dict[str, Any], str]] = [
        (t, {"action": "start_session", "session_id": "opening-session"}, "test"),
        (t + MIN, {"action": "next"}, "test"),
        (t + MIN + 1000, {"action": "add_time", "seconds": -480}, "test"),
        (t + MIN + 151_000, {"action": "end_session"}, "test"),
        (t + 10 * MIN, {"action": "goto", "speaker_id": "john-giusti"}, "test"),
        (t + 10 * MIN + GIUSTI_MS + 3, {"action": "next"}, SYSTEM),
    ]
    for moment, command, actor in script:
        clock.now = moment
        await room.execute(parse_command(command), actor=actor)
    report = build(P, await store.read_log(P.id), clock.now + MIN)
    speakers = {s.id: s for s in report.speakers()}
    assert speakers["john-giusti"].turns[0].ended_by_itself
    assert speakers["john-giusti"].overtime_ms == 0
    assert speakers["houlin-zhao"].overtime_ms == 31_000
    totals = report.totals()
    assert (totals["speakers_overran"], totals["overtime_ms"]) == (1, 31_000)
    runs = projection.view(P, room.state, clock.now)["speakers_run"]
    assert {k: v["overtime_ms"] for k, v in runs.items() if v["ended_at"]} == {
        "weizhong-qin": 0,
        "houlin-zhao": 31_000,
        "john-giusti": 0,
    }


# -- item 12: no warning before its turn started --------------------------------------------------


def test_a_turn_shorter_than_its_warning_warns_as_it_starts_never_before() -> None:
    cut = 60 - GIUSTI_MS // 1000  # a one-minute recording
    state = run(initial_state(P, T0), (T0, "goto", {"speaker_id": "john-giusti"}),
                (T0 + 1000, "add_time", {"seconds": cut}))  # fmt: skip
    started = state.live.speakers["john-giusti"].started_at
    ends_at = state.live.timer.ends_at
    assert ends_at == T0 + 60_000
    moments = {e.name: e.at for e in due(P, state)}
    assert moments == {"warning": started, "danger": ends_at, "overtime": ends_at}
    after = signed(cmd("next"), "ws:test")
    later = engine.apply(P, state, after, T0 + 2000).state
    assert all(e.at >= T0 + 2000 for e in due(P, later))  # the next turn's own

"""The timing engine, with an injected clock: plain, synchronous and exact."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from typing import Any

import pytest

from podium.core import engine, projection
from podium.core.commands import ACTIONS, Command, parse_command
from podium.core.config import programme_file
from podium.core.errors import InvalidInput, InvalidTransition, ProgrammeError
from podium.core.state import Messages, Phase, State, TimerStatus, initial_state
from tests.helpers import ROOT, SEED

P = programme_file.load(SEED)
T0 = 1_700_000_000_000  # an arbitrary epoch ms
S1 = [sp.id for sp in P.sessions[1].speakers]


def cmd(action: str, **fields: Any) -> Command:
    return parse_command({"action": action, **fields})


def run(state: State, *steps: tuple[int, str, dict[str, Any]]) -> State:
    for at, action, fields in steps:
        state = engine.apply(P, state, cmd(action, **fields), at).state
    return state


def fresh() -> State:
    return initial_state(P, T0)


def live_s1(at: int = T0) -> State:
    return run(fresh(), (at, "start_session", {"session_id": "session-1"}))


def refused(state: State, action: str, now: int = T0, **fields: Any) -> str:
    with pytest.raises(InvalidTransition) as err:
        engine.apply(P, state, cmd(action, **fields), now)
    return err.value.message


# -- each action -----------------------------------------------------------------------------


def test_start_session_puts_the_first_speaker_on_with_the_timer_running() -> None:
    state = live_s1()
    view = projection.view(P, state, T0 + 1000)
    assert state.version == 1 and view["phase"] == "live"
    assert view["speaker"]["id"] == "hequan-wu" and view["next_speaker"]["id"] == "bilel-jamoussi"
    assert view["timer"] == {
        "status": "running", "duration_ms": 500_000, "allocation_ms": 500_000, "added_ms": 0,
        "remaining_ms": 499_000, "ends_at": T0 + 500_000, "warning_ms": 120_000, "danger_ms": 0,
    }  # fmt: skip
    assert view["session"]["ends_at"] == T0 + 3_000_000
    assert view["session"]["remaining_ms"] == 2_999_000


def test_next_and_previous_walk_the_speakers_with_fresh_timers() -> None:
    state = run(live_s1(), (T0 + 60_000, "next", {}), (T0 + 90_000, "next", {}))
    view = projection.view(P, state, T0 + 90_000)
    assert view["speaker"]["id"] == S1[2] and view["timer"]["ends_at"] == T0 + 90_000 + 500_000
    state = run(state, (T0 + 100_000, "previous", {}))
    view = projection.view(P, state, T0 + 100_000)
    assert view["speaker"]["id"] == S1[1] and view["timer"]["remaining_ms"] == 500_000
    assert state.live.speakers["hequan-wu"].model_dump() == {
        "started_at": T0,
        "ended_at": T0 + 60_000,
        "earlier_ms": 0,
        "overtime_ms": 0,
    }


def test_pause_keeps_what_was_left_and_resume_runs_it_from_then() -> None:
    state = run(live_s1(), (T0 + 100_000, "pause", {}))
    assert state.live.timer.status is TimerStatus.PAUSED
    for later in (T0 + 100_000, T0 + 10_000_000):
        assert projection.view(P, state, later)["timer"]["remaining_ms"] == 400_000
        assert projection.view(P, state, later)["timer"]["ends_at"] is None
    state = run(state, (T0 + 700_000, "resume", {}))
    assert state.live.timer.ends_at == T0 + 700_000 + 400_000


def test_add_time_moves_the_end_while_running_or_paused_and_may_be_negative() -> None:
    state = run(live_s1(), (T0 + 1, "add_time", {"seconds": 60}))
    assert state.live.timer.ends_at == T0 + 560_000 and state.live.timer.duration_ms == 560_000
    state = run(state, (T0 + 10_000, "pause", {}), (T0 + 10_000, "add_time", {"seconds": -120}))
    assert projection.view(P, state, T0 + 20_000)["timer"]["remaining_ms"] == 550_000 - 120_000
    state = run(state, (T0 + 20_000, "add_time", {"seconds": -1000}))
    assert projection.view(P, state, T0 + 20_000)["timer"]["remaining_ms"] == 430_000 - 1_000_000


def test_overtime_is_negative_remaining() -> None:
    state = live_s1()
    assert projection.view(P, state, T0 + 500_000 + 83_000)["timer"]["remaining_ms"] == -83_000


def test_goto_jumps_within_the_live_session_or_starts_a_session_when_idle() -> None:
    state = run(live_s1(), (T0 + 5, "goto", {"speaker_id": "ran-xiao"}))
    assert projection.view(P, state, T0 + 5)["speaker"]["id"] == "ran-xiao"
    assert "end it with end_session first" in refused(state, "goto", speaker_id="cun-xie")
    assert "already on" in refused(state, "goto", speaker_id="ran-xiao")
    idle = run(fresh(), (T0, "goto", {"speaker_id": "jing-sun"}))
    view = projection.view(P, idle, T0)
    assert view["session"]["id"] == "session-3" and view["speaker"]["id"] == "jing-sun"
    assert "no speaker with id 'nobody'" in refused(fresh(), "goto", speaker_id="nobody")


def test_end_session_records_times_and_goes_idle_then_finished() -> None:
    state = run(live_s1(), (T0 + 3_100_000, "end_session", {}))
    assert state.live.phase is Phase.IDLE and state.live.timer.status is TimerStatus.STOPPED
    assert state.live.sessions["session-1"].ended_at == T0 + 3_100_000
    t = T0 + 4_000_000
    for session in P.sessions:
        state = run(state, (t, "start_session", {"session_id": session.id}), (t, "end_session", {}))
    assert state.live.phase is Phase.FINISHED


def test_a_session_without_speakers_times_its_slot() -> None:
    state = run(fresh(), (T0, "start_session", {"session_id": "appreciation"}))
    view = projection.view(P, state, T0 + 1000)
    assert view["speaker"] is None and view["timer"]["remaining_ms"] == 599_000
    assert "has no speakers" in refused(state, "next")


def test_messages_and_blackout() -> None:
    state = run(fresh(), (T0, "show_message", {"text": "  Wrap up  ", "target": "screen"}))
    shown = {"text": "Wrap up", "target": "screen", "at": T0, "pinned": False}
    assert projection.view(P, state, T0)["message"] == shown
    assert projection.view(P, state, T0)["messages"] == {"screen": shown, "viewers": None}
    state = run(state, (T0, "clear_message", {}), (T0, "blackout", {"on": True}))
    assert state.live.messages == Messages() and state.live.blackout
    assert "already blacked out" in refused(state, "blackout", on=True)
    assert "nothing to clear" in refused(state, "clear_message")


# -- refusals from every phase -------------------------------------------------------------------


PHASES = {
    "idle": fresh,
    "running first": live_s1,
    "paused": lambda: run(live_s1(), (T0, "pause", {})),
    "last speaker": lambda: run(live_s1(), (T0, "goto", {"speaker_id": S1[-1]})),
    "finished": lambda: run(
        fresh(),
        *[
            step
            for s in P.sessions
            for step in ((T0, "start_session", {"session_id": s.id}), (T0, "end_session", {}))
        ],
    ),
}
EXPECTED_REFUSALS = {  # hold: nobody on in these phases ends themselves (on_end)
    "idle": {"next", "previous", "pause", "resume", "add_time", "end_session", "clear_message",
             "undo", "hold", "cue", "clear_cue", "clear_question", "booth_signal"},
    "running first": {"start_session", "previous", "resume", "clear_message", "hold", "clear_cue",
                      "clear_question"},
    "paused": {"start_session", "previous", "pause", "clear_message", "hold", "clear_cue",
               "clear_question"},
    "last speaker": {"start_session", "next", "resume", "clear_message", "hold", "clear_cue",
                     "clear_question"},
    "finished": {"next", "previous", "pause", "resume", "add_time", "end_session",
                 "clear_message", "hold", "cue", "clear_cue", "clear_question", "booth_signal"},
}  # fmt: skip
ARGS: dict[str, dict[str, Any]] = {
    "start_session": {"session_id": "session-2"},
    "goto": {"speaker_id": "duo-liu"},
    "add_time": {"seconds": 30},
    "show_message": {"text": "hello"},
    "blackout": {"on": True},
    "set_plan_date": {"date": "2021-11-30"},
    "cue": {"kind": "wrap_up"},
    "show_question": {"question_id": "q1", "text": "Why <b>now</b>?", "name": "Ann"},
    "booth_signal": {"signal": "slow_down"},
}


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_from_every_phase(phase: str, action: str) -> None:
    state = PHASES[phase]()
    try:
        applied = engine.apply(P, state, cmd(action, **ARGS.get(action, {})), T0 + 1000)
    except InvalidTransition as exc:
        assert action in EXPECTED_REFUSALS[phase], f"{action} refused in {phase}: {exc}"
        assert exc.message and exc.message[0].islower()
        return
    assert action not in EXPECTED_REFUSALS[phase], f"{action} applied in {phase}"
    assert applied.state.version == state.version + 1
    assert applied.summary
    projection.view(P, applied.state, T0 + 2000)  # every reachable state can be described


# -- undo ------------------------------------------------------------------------------------


def test_undoing_an_accidental_next_brings_the_speaker_back_with_time_run_on() -> None:
    before = run(live_s1(), (T0 + 200_000, "add_time", {"seconds": 30}))
    after_next = run(before, (T0 + 300_000, "next", {}))
    undone = run(after_next, (T0 + 320_000, "undo", {}))
    assert undone.live == before.live and undone.version == after_next.version + 1
    view = projection.view(P, undone, T0 + 320_000)
    assert view["speaker"]["id"] == "hequan-wu"
    assert view["timer"]["remaining_ms"] == 530_000 - 320_000


def test_undo_walks_back_several_steps_then_refuses() -> None:
    states = [fresh()]
    for at, action, fields in [
        (T0, "start_session", {"session_id": "session-1"}),
        (T0 + 1, "pause", {}),
        (T0 + 2, "show_message", {"text": "x"}),
    ]:
        states.append(run(states[-1], (at, action, fields)))
    state = states[-1]
    for expected in reversed(states[:-1]):
        state = run(state, (T0 + 10, "undo", {}))
        assert state.live == expected.live
    assert "nothing to undo" in refused(state, "undo")


# -- drift and the projected day --------------------------------------------------------------


def test_drift_and_projection_follow_the_live_session() -> None:
    plan = P.planned_start_ms(P.sessions[1], fresh().plan_date)
    late = plan + 5 * 60_000  # Session 1 starts five minutes late
    state = run(fresh(), (late, "start_session", {"session_id": "session-1"}))
    view = projection.view(P, state, late)
    assert view["drift_ms"] == 5 * 60_000
    rows = {r["id"]: r for r in view["schedule"]}
    assert rows["session-1"]["status"] == "live"
    assert rows["session-2"]["status"] == "next"
    assert rows["session-2"]["projected_start"] == rows["session-2"]["planned_start"] + 300_000
    assert rows["session-3"]["status"] == "upcoming"
    # the first speaker runs two minutes over: the whole day slips by seven minutes
    view = projection.view(P, state, late + 500_000 + 120_000)
    assert view["drift_ms"] == 7 * 60_000


def test_drift_before_the_start_counts_only_lateness() -> None:
    state = fresh()
    plan = P.planned_start_ms(P.sessions[0], state.plan_date)
    assert projection.view(P, state, plan - 60_000)["drift_ms"] == 0
    assert projection.view(P, state, plan + 90_000)["drift_ms"] == 90_000


# -- commands are validated before they reach the engine ----------------------------------------


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"action": "jump"}, "unknown command action 'jump'"),
        ({}, "unknown command action None"),
        ("next", "a command is a json object"),
        ({"action": "add_time"}, "add_time: seconds: field required"),
        ({"action": "add_time", "seconds": 0}, "must not be 0"),
        ({"action": "add_time", "seconds": 1.5}, "add_time: seconds"),
        ({"action": "add_time", "seconds": True}, "add_time: seconds"),
        ({"action": "add_time", "seconds": 10**9}, "less than or equal"),
        ({"action": "show_message", "text": "   "}, "text is empty"),
        ({"action": "show_message", "text": "x" * 501}, "at most 500"),
        ({"action": "show_message", "text": "x", "target": "moon"}, "target"),
        ({"action": "next", "expected_version": -1}, "expected_version"),
        ({"action": "next", "colour": "red"}, "extra inputs"),
    ],
)
def test_malformed_commands_are_refused_clearly(data: object, fragment: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_command(data)
    assert fragment.lower() in err.value.message.lower()


# -- invariants hold under ``python -O`` (which strips ``assert``) ---------------------------

BROKEN_TIMER = """
import sys
from podium.core import engine, projection
from podium.core.config import programme
from podium.core.errors import InvariantBroken
from tests.unit.test_engine import P, T0, cmd, live_s1

print(f"optimize={sys.flags.optimize}")
state = live_s1()
timer = state.live.timer.model_copy(update={"ends_at": None})
broken = state.model_copy(update={"live": state.live.model_copy(update={"timer": timer})})
for what, call in [
    ("add_time", lambda: engine.apply(P, broken, cmd("add_time", seconds=30), T0)),
    ("view", lambda: projection.view(P, broken, T0)),
]:
    try:
        call()
    except InvariantBroken as exc:
        print(f"{what}: {type(exc).__name__}: {exc.message}")
"""


def test_a_broken_invariant_raises_under_python_O() -> None:
    """A running timer without ``ends_at`` (a state the engine never makes) is named as
    such, also under ``python -O``, where an ``assert`` would let a TypeError through."""
    result = subprocess.run(
        [sys.executable, "-O", "-c", BROKEN_TIMER], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "optimize=1",
        "add_time: InvariantBroken: a running timer has no ends_at",
        "view: InvariantBroken: a running timer has no ends_at",
    ]


# -- cues and thresholds ---------------------------------------------------------------------


def test_a_cue_goes_to_the_speaker_on_and_clears_itself_when_the_speaker_changes() -> None:
    cued = run(live_s1(), (T0 + 60_000, "cue", {"kind": "wrap_up"}))
    assert projection.view(P, cued, T0 + 61_000)["cue"] == {
        "kind": "wrap_up", "at": T0 + 60_000, "speaker_id": "hequan-wu"
    }  # fmt: skip
    stopped = run(cued, (T0 + 70_000, "cue", {"kind": "stop"}))
    assert projection.view(P, stopped, T0 + 70_000)["cue"]["kind"] == "stop"
    assert refused(stopped, "cue", kind="stop") == (
        "the stop cue is already shown; clear it with clear_cue"
    )
    assert projection.view(P, run(stopped, (T0 + 80_000, "next", {})), T0 + 80_000)["cue"] is None
    assert projection.view(P, run(stopped, (T0 + 80_000, "end_session", {})), T0)["cue"] is None
    cleared = run(stopped, (T0 + 75_000, "clear_cue", {}))
    assert projection.view(P, cleared, T0 + 75_000)["cue"] is None
    assert refused(cleared, "clear_cue") == "no cue is shown; there is nothing to clear"
    undone = run(cleared, (T0 + 76_000, "undo", {}))
    assert undone.live.cue == stopped.live.cue


def test_a_cue_is_refused_when_no_session_is_live_and_a_bad_kind_is_invalid() -> None:
    assert refused(fresh(), "cue", kind="stop").startswith("no session is live")
    with pytest.raises(InvalidInput):
        cmd("cue", kind="louder")


def test_thresholds_come_from_the_speaker_then_the_session_then_the_event() -> None:
    data = tomllib.loads(SEED.read_text())
    data["event"]["warning"] = "3m"
    data["sessions"][1]["danger"] = "20s"
    data["sessions"][1]["speakers"][1]["warning"] = 90
    p = programme_file.parse(data, base=SEED.parent)  # the seed's logo is next to it
    first, second = p.sessions[1].speakers[:2]
    assert (first.warning_ms, first.danger_ms) == (180_000, 20_000)
    assert (second.warning_ms, second.danger_ms) == (90_000, 20_000)
    assert (p.sessions[2].warning_ms, p.sessions[2].danger_ms) == (180_000, 0)
    listed = p.public_dict(p.plan_date_for(T0))["sessions"][1]["speakers"][1]
    assert (listed["warning_ms"], listed["danger_ms"]) == (90_000, 20_000)
    state = run(initial_state(p, T0), (T0, "goto", {"speaker_id": second.id}))
    timer = projection.view(p, state, T0)["timer"]
    assert (timer["warning_ms"], timer["danger_ms"]) == (90_000, 20_000)


def test_danger_not_under_warning_is_a_check_error_with_a_fix() -> None:
    data = tomllib.loads(SEED.read_text())
    data["sessions"][1]["speakers"][0]["danger"] = "3m"
    with pytest.raises(ProgrammeError) as err:
        programme_file.parse(data, base=SEED.parent)
    assert err.value.problems == [
        "sessions[1].speakers[0]: danger (3m) is not under warning (2m); the countdown turns"
        " amber first, then red: make danger shorter than warning"
    ]


# -- the audience's question on screen ---------------------------------------------------------


def test_show_question_puts_the_text_on_screen_and_undo_takes_it_off() -> None:
    shown = run(live_s1(), (T0 + 5000, "show_question", ARGS["show_question"]))
    question = projection.view(P, shown, T0 + 6000)["question"]
    assert question == {"id": "q1", "text": "Why <b>now</b>?", "name": "Ann"}
    assert shown.last_change and shown.last_change.summary == "show_question: q1"
    assert run(shown, (T0 + 7000, "undo", {})).live.question is None
    cleared = run(shown, (T0 + 8000, "clear_question", {}))
    assert cleared.live.question is None
    assert run(cleared, (T0 + 9000, "undo", {})).live.question == shown.live.question


def test_a_question_stays_on_screen_when_the_speaker_changes() -> None:
    shown = run(live_s1(), (T0 + 5000, "show_question", ARGS["show_question"]))
    assert run(shown, (T0 + 6000, "next", {})).live.question == shown.live.question


def test_show_question_without_its_text_is_refused_and_changes_nothing() -> None:
    """The live layer fills in the text; a command without it names no known question."""
    state = live_s1()
    with pytest.raises(InvalidTransition, match="approve it first"):
        engine.apply(P, state, cmd("show_question", question_id="q9"), T0 + 1)
    shown = run(state, (T0 + 5000, "show_question", ARGS["show_question"]))
    with pytest.raises(InvalidTransition, match="already on screen"):
        engine.apply(P, shown, cmd("show_question", **ARGS["show_question"]), T0 + 6000)

"""Property-based tests of the engine over random action sequences.

A shadow model, kept by the test independently of the engine, tracks what the speaker's
timer must show: its duration and how long it has run. The engine must agree with it
after every step, however the moderators mash the buttons.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from podium.core import booth, engine, projection
from podium.core.commands import ACTIONS
from podium.core.errors import InvalidTransition
from podium.core.state import Live, State, initial_state
from podium.core.wire.server import StateView
from tests.unit.test_engine import T0, P, cmd

SESSION_IDS = [s.id for s in P.sessions]
SPEAKER_IDS = [sp.id for s in P.sessions for sp in s.speakers]
TARGETS = ["screen", "viewers", "all"]

ARGUMENTS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "start_session": st.fixed_dictionaries({"session_id": st.sampled_from(SESSION_IDS)}),
    "goto": st.fixed_dictionaries({"speaker_id": st.sampled_from(SPEAKER_IDS)}),
    "add_time": st.fixed_dictionaries({"seconds": st.integers(-900, 900).filter(bool)}),
    "show_message": st.fixed_dictionaries(
        {"text": st.text(min_size=1, max_size=20).filter(str.strip)},
        optional={"target": st.sampled_from(TARGETS), "pinned": st.booleans()},
    ),
    "clear_message": st.fixed_dictionaries({}, optional={"target": st.sampled_from(TARGETS)}),
    "blackout": st.fixed_dictionaries({"on": st.booleans()}),
    "set_plan_date": st.fixed_dictionaries(
        {"date": st.sampled_from(["2021-11-29", "2021-11-30", "2026-11-30"])}
    ),
    "cue": st.fixed_dictionaries({"kind": st.sampled_from(["wrap_up", "stop"])}),
    "show_question": st.fixed_dictionaries(
        {"question_id": st.sampled_from(["q1", "q2"]), "text": st.just("Why?")}
    ),
    "booth_signal": st.fixed_dictionaries(
        {"signal": st.sampled_from(["slow_down", "louder", "no_sound"])}
    ),
}
actions = st.sampled_from(ACTIONS).flatmap(
    lambda a: st.tuples(st.just(a), ARGUMENTS.get(a, st.just({})))
)
steps = st.lists(st.tuples(actions, st.integers(0, 400_000)), min_size=5, max_size=80)


@dataclass(frozen=True)
class Shadow:
    """What the current timer must show, tracked without the engine."""

    duration: int = 0
    ran: int = 0  # ms run before ``since``
    since: int | None = None  # running since (None: paused or stopped)

    def remaining(self, now: int) -> int:
        return self.duration - self.ran - (now - self.since if self.since is not None else 0)


def _shadow_after(action: str, fields: dict[str, Any], new: State, old: Shadow, now: int) -> Shadow:
    if action in ("start_session", "next", "previous", "goto"):
        return Shadow(duration=new.live.timer.allocation_ms, since=now)
    if action == "pause":
        return Shadow(old.duration, old.ran + now - (old.since or now), None)
    if action == "resume":
        return replace(old, since=now)
    if action == "add_time":
        return replace(old, duration=old.duration + fields["seconds"] * 1000)
    if action == "end_session":
        return Shadow()
    return old


@settings(max_examples=300, deadline=None)
@given(steps)
def test_random_sequences_keep_every_invariant(
    sequence: list[tuple[tuple[str, dict], int]],
) -> None:
    state = initial_state(P, T0)
    now = T0
    shadow = Shadow()
    history: list[tuple[Live, Shadow]] = []
    for (action, fields), dt in sequence:
        now += dt
        try:
            applied = engine.apply(P, state, cmd(action, **fields), now)
        except InvalidTransition as exc:
            assert exc.message and exc.message == exc.message.strip()
            assert action != "undo" or not history, "undo refused with history to restore"
            continue
        new = applied.state
        assert new.version == state.version + 1
        assert new.updated_at == now
        if action == "undo":
            live, shadow = history.pop()
            assert new.live == live
        elif action == "booth_signal":  # the booth's, not the moderator's: nothing to undo
            assert new.live == state.live and new.undo == state.undo
        else:
            history = [*history, (state.live, shadow)][-engine.UNDO_DEPTH :]
            shadow = _shadow_after(action, fields, new, shadow, now)
        state = new
        view = projection.view(P, state, now)
        StateView.model_validate(view)  # the documented shape, every time
        timer = view["timer"]
        if view["phase"] == "live":
            assert view["session"] is not None
            assert timer["remaining_ms"] == shadow.remaining(now)
            assert timer["duration_ms"] == shadow.duration
            assert (timer["status"] == "running") == (timer["ends_at"] is not None)
            assert timer["status"] != "stopped"
            later = projection.view(P, state, now + 1234)["timer"]["remaining_ms"]
            assert later == shadow.remaining(now + 1234)
        else:
            assert view["session"] is None and view["speaker"] is None
            assert timer["status"] == "stopped"
        # a cue is for the speaker it was given to: never left over for the next one
        if view["cue"] is not None:
            assert view["cue"]["speaker_id"] == (view["speaker"] or {}).get("id")
        # and so is a booth signal, for 15 s at most
        if view["booth_signal"] is not None:
            assert view["booth_signal"]["speaker_id"] == (view["speaker"] or {}).get("id")
            assert now - view["booth_signal"]["at"] < booth.SHOWN_MS
        statuses = [row["status"] for row in view["schedule"]]
        assert statuses.count("live") == (1 if view["phase"] == "live" else 0)
        assert statuses.count("next") <= 1
        # idle always names the session to come; finished has none (the screen never waits
        # for a next session it cannot name)
        if view["phase"] != "live":
            assert statuses.count("next") == (1 if view["phase"] == "idle" else 0)
        assert isinstance(view["drift_ms"], int)
        for row in view["schedule"]:
            if row["projected_start"] is not None and row["status"] in ("next", "upcoming"):
                assert row["projected_start"] >= row["planned_start"]
                assert row["projected_start"] >= now

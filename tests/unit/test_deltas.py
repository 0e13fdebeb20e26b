"""Changes, not states: a client that holds a snapshot and applies every delta holds, at
every version, exactly the snapshot a client joining then would get, however the
moderators mash the buttons (random command sequences, as in test_engine_properties)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from podium.core import engine
from podium.core.errors import InvalidTransition
from podium.core.state import initial_state
from podium.core.wire.delta import diff, merge, view_held
from podium.core.wire.lean import DeltaOut, LeanSnapshotOut
from podium.core.wire.protocol import delta_message, state_message
from tests.unit.test_engine import T0, P, cmd
from tests.unit.test_engine_properties import steps


def versions(sequence: list[tuple[tuple[str, dict], int]]) -> list[tuple[int, int, Any]]:
    """(version, now, state) after each command the engine applied, the first state too."""
    state = initial_state(P, T0)
    now = T0
    made = [(state.version, now, state)]
    for (action, fields), dt in sequence:
        now += dt
        try:
            state = engine.apply(P, state, cmd(action, **fields), now).state
        except InvalidTransition:
            continue
        made.append((state.version, now, state))
    return made


@settings(max_examples=150, deadline=None)
@given(steps, st.integers(1, 3_600_000))
def test_the_state_from_deltas_is_the_snapshot_at_every_version(
    sequence: list[tuple[tuple[str, dict], int]], later: int
) -> None:
    made = versions(sequence)
    _, now, state = made[0]
    held = base = view_held(P, state, now)
    for version, now, state in made[1:]:
        running = state.programme(P)  # the plan as it runs at this version, as the room's
        new = view_held(running, state, now)
        text = delta_message(P.id, version, version - 1, now, diff(base, new))
        message = DeltaOut.model_validate_json(text).model_dump()  # the documented shape
        held = merge(held, message["patch"], message["removed"])
        base = new
        # a client joining now, or a second to an hour later, gets this snapshot
        joined = view_held(running, state, now + later)
        snapshot = state_message("snapshot", P.id, version, now + later, joined)
        LeanSnapshotOut.model_validate_json(snapshot)
        assert held == joined == json.loads(snapshot)["state"]
        # as text too: a value that compares equal in Python (1, 1.0, True) is not in JS
        assert json.dumps(held, sort_keys=True) == json.dumps(joined, sort_keys=True)


def test_a_pause_sends_the_timer_and_the_change_only() -> None:
    start = engine.apply(P, initial_state(P, T0), cmd("start_session", session_id="session-1"), T0)
    paused = engine.apply(P, start.state, cmd("pause"), T0 + 40_000).state
    before = view_held(P, start.state, T0)
    patch, removed = diff(before, view_held(P, paused, T0 + 40_000))
    assert removed == []
    assert set(patch) == {"timer", "undo", "last_change"}
    assert patch["timer"] == {"status": "paused", "remaining_ms": 460_000, "ends_at": None}


def test_no_programme_text_and_nothing_the_clock_moves_is_held() -> None:
    state = engine.apply(P, initial_state(P, T0), cmd("start_session", session_id="session-1"), T0)
    held = view_held(P, state.state, T0 + 1_000)
    text = json.dumps(held, ensure_ascii=False)
    session = P.sessions[1]
    for said in (session.title, session.speakers[0].name, session.speakers[0].affiliation):
        assert said not in text
    assert held["timer"]["remaining_ms"] is None  # running: ends_at - server_time
    assert "remaining_ms" not in held["session"] and "drift_ms" not in held
    assert held == view_held(P, state.state, T0 + 90_000)


def test_merge_removes_paths_and_leaves_what_it_was_given() -> None:
    old = {"a": {"b": 1, "c": {"d": 2}}, "e": None}
    new = {"a": {"b": 1, "c": {}}, "e": [1], "f": None}
    patch, removed = diff(old, new)
    assert (patch, removed) == ({"e": [1], "f": None}, [["a", "c", "d"]])
    assert merge(old, patch, removed) == new
    assert old == {"a": {"b": 1, "c": {"d": 2}}, "e": None}
    assert diff({"x": 0}, {"x": False}) == ({"x": False}, [])  # JSON false is not 0

"""A room's frames built ahead (``Pushed.prepare``, while the store writes) are the frames
``change`` would build then, and are built again when another state was adopted between:
a delta always follows the version a client holds."""

from __future__ import annotations

import json
from typing import Any

from podium.core import engine
from podium.core.state import State, initial_state
from podium.core.wire.delta import merge, view_held
from podium.live.rooms.pushed import Pushed
from tests.unit.test_engine import T0, P, cmd


def pushed_at(now: int) -> Pushed:
    return Pushed(P.id, P, lambda: now)


def after(state: State, action: str, **fields: Any) -> State:
    return engine.apply(P, state, cmd(action, **fields), T0).state


def delta(frame: bytes) -> dict[str, Any]:
    """The JSON of a server text frame (``runtime/frames.py``: a 2- or 4-byte header)."""
    return json.loads(frame[frame.index(b"{") :])


START = after(initial_state(P, T0), "start_session", session_id="session-1")


def test_frames_built_ahead_are_the_frames_built_on_adopting() -> None:
    ahead, plain = pushed_at(T0), pushed_at(T0)
    for pushed in (ahead, plain):
        pushed.change(START)
    paused = after(START, "pause")
    ahead.prepare(paused)
    built, fresh = ahead.change(paused), plain.change(paused)
    assert built.delta == fresh.delta and built.full == fresh.full
    assert delta(built.delta)["base"] == START.version


def test_frames_built_ahead_are_built_again_when_another_state_came_first() -> None:
    """Another process's change was adopted while this one was being written: the delta
    built ahead would start from the wrong version, so it is not sent."""
    pushed = pushed_at(T0)
    pushed.change(START)
    mine = after(START, "pause")
    pushed.prepare(mine)
    theirs = after(START, "next")  # the same version, another state: the store's notice
    first = delta(pushed.change(theirs).delta)
    assert (first["version"], first["base"]) == (START.version + 1, START.version)
    later = after(theirs, "pause")
    second = delta(pushed.change(later).delta)
    assert second["base"] == theirs.version
    held = merge(merge(view_held(P, START, T0), first["patch"]), second["patch"])
    assert held == view_held(P, later, T0)


def test_frames_built_for_a_state_never_adopted_are_dropped() -> None:
    """The commit failed (a full disk): the next state adopted is built from the state the
    clients hold, not from the one that was refused."""
    pushed = pushed_at(T0)
    pushed.change(START)
    pushed.prepare(after(START, "pause"))  # refused by the store
    retried = after(START, "next")
    frame = delta(pushed.change(retried).delta)
    assert frame["base"] == START.version
    assert merge(view_held(P, START, T0), frame["patch"]) == view_held(P, retried, T0)

"""The bench's command mix (``bench/moderator.py``) walks the seed day: every command it
plans from the state a page holds applies, and each change's delta is a fraction of the
whole state (the targets in bytes are the bench's: docs/performance.md)."""

from __future__ import annotations

from collections import Counter

from podium.bench.moderator import MIX, plan
from podium.core import engine, projection
from podium.core.state import initial_state
from podium.core.wire.delta import diff, view_held
from podium.core.wire.protocol import delta_message, state_message
from tests.unit.test_engine import T0, P, cmd


def test_the_mix_walks_the_seed_day_and_every_command_applies() -> None:
    state = engine.apply(P, initial_state(P, T0), cmd("start_session", session_id="session-1"), T0)
    state, now = state.state, T0
    held = view_held(P, state, now)
    done: Counter[str] = Counter()
    ratios: list[float] = []
    for index in range(300):
        now += 20_000
        command = plan(index, held)
        action = command.pop("action")
        state = engine.apply(P, state, cmd(action, **command), now).state  # never refused
        done[action] += 1
        new = view_held(P, state, now)
        delta = delta_message(P.id, state.version, state.version - 1, now, diff(held, new))
        whole = state_message("state", P.id, state.version, now, projection.view(P, state, now))
        ratios.append(len(delta) / len(whole))
        held = new
    assert set(done) == set(MIX) | {"undo"}  # the day's last session ended: undone
    assert max(ratios) < 0.4 and sorted(ratios)[len(ratios) // 2] < 0.2

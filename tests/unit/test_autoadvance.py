"""Items that end themselves (``on_end = "next"``), in the programme and in the engine:
pure and exact, with the clock passed in. The server's timer: test_autoadvance_live.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from podium.cli.ctl import build_command
from podium.core import engine, projection
from podium.core.commands import SYSTEM, parse_command, signed
from podium.core.config import programme_file
from podium.core.config.programme import Programme
from podium.core.errors import InvalidInput, InvalidTransition, ProgrammeError
from podium.core.state import State, initial_state
from tests.helpers import SEED, podium

P = programme_file.load(SEED)
T0 = 1_700_000_000_000
GIUSTI_MS = 750_000  # John Giusti's recorded speech: session-3's third of four speakers


def apply(state: State, at: int, action: str, actor: str | None = None, **fields: Any) -> State:
    command = parse_command({"action": action, **fields})
    return engine.apply(P, state, signed(command, actor or "ws:test"), at).state


def giusti_on(at: int = T0) -> State:
    state = initial_state(P, T0)
    return apply(state, at, "goto", speaker_id="john-giusti")


def due(state: State) -> dict[str, Any] | None:
    seen: dict[str, Any] | None = projection.view(P, state, T0)["auto_advance"]
    return seen


# -- the programme ---------------------------------------------------------------------------


def test_the_seed_marks_the_recorded_speech_and_nobody_else() -> None:
    marked = [sp.id for s in P.sessions for sp in s.speakers if sp.on_end]
    assert marked == ["john-giusti"]
    shown = P.public_dict(P.plan_date_for(T0))["sessions"][3]["speakers"]
    assert [sp["on_end"] for sp in shown] == [None, None, "next", None]


SESSION = """
[event]
id = "e"
title = "T"
timezone = "UTC"

[[sessions]]
id = "a"
title = "A"
start = "09:00"
duration = "30m"
{session_on_end}
[[sessions.speakers]]
id = "x"
name = "X"
{speaker_on_end}
[[sessions.speakers]]
id = "y"
name = "Y"

[[sessions]]
id = "b"
title = "B"
duration = "10m"
{empty_on_end}
"""


def _load(tmp_path: Path, **keys: str) -> Programme:
    values = {"session_on_end": "", "speaker_on_end": "", "empty_on_end": ""} | keys
    path = tmp_path / "p.toml"
    path.write_text(SESSION.format(**values))
    return programme_file.load(path)


def test_a_session_gives_its_speakers_on_end_and_a_speaker_may_stay(tmp_path: Path) -> None:
    both = _load(tmp_path, session_on_end='on_end = "next"')
    assert [sp.on_end for sp in both.sessions[0].speakers] == ["next", "next"]
    one = _load(tmp_path, session_on_end='on_end = "next"', speaker_on_end='on_end = "stay"')
    assert [sp.on_end for sp in one.sessions[0].speakers] == [None, "next"]


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (
            {"empty_on_end": 'on_end = "next"'},
            "sessions[1].on_end: b has no speakers, so nothing in it can advance by itself;"
            " remove on_end (end the session from the console) or add speakers",
        ),
        (
            {"speaker_on_end": 'on_end = "skip"'},
            "sessions[0].speakers[0].on_end: 'skip' is not an on_end; use 'next' (the item"
            " advances by itself when its time is up, e.g. a recorded speech) or 'stay'"
            " (the default)",
        ),
        (
            {"session_on_end": "on_end = true"},
            "sessions[0].on_end: true is not an on_end; use 'next'",
        ),
    ],
)
def test_a_wrong_on_end_says_what_to_do(
    tmp_path: Path, keys: dict[str, str], expected: str
) -> None:
    with pytest.raises(ProgrammeError) as err:
        _load(tmp_path, **keys)
    assert any(p.startswith(expected) for p in err.value.problems), err.value.problems


def test_podium_check_refuses_on_end_on_a_session_without_speakers(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        SESSION.format(session_on_end="", speaker_on_end="", empty_on_end='on_end = "next"')
    )
    result = podium("check", str(path), timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "sessions[1].on_end: b has no speakers" in result.stderr
    assert "remove on_end" in result.stderr


# -- the engine: when ------------------------------------------------------------------------


def test_the_moment_is_the_end_of_the_running_timer() -> None:
    state = giusti_on()
    assert due(state) == {"action": "next", "at": T0 + GIUSTI_MS, "held": False}
    assert due(apply(state, T0 + 1000, "next")) is None  # Xinhui WANG stays on at his end


def test_after_the_last_speaker_the_session_ends() -> None:
    path_p = programme_file.parse(
        {
            "event": {"id": "e", "title": "T", "timezone": "UTC"},
            "sessions": [
                {"id": "a", "title": "A", "start": "09:00", "duration": "10m",
                 "speakers": [{"id": "x", "name": "X"},
                              {"id": "y", "name": "Y", "on_end": "next"}]},
            ],
        }
    )  # fmt: skip
    state = initial_state(path_p, T0)
    state = engine.apply(
        path_p, state, parse_command({"action": "goto", "speaker_id": "y"}), T0
    ).state
    seen = projection.view(path_p, state, T0)["auto_advance"]
    assert seen == {"action": "end_session", "at": T0 + 300_000, "held": False}


def test_pausing_and_adding_time_move_the_moment() -> None:
    state = giusti_on()
    paused = apply(state, T0 + 100_000, "pause")
    assert due(paused) == {"action": "next", "at": None, "held": False}
    resumed = apply(paused, T0 + 160_000, "resume")  # paused for 60 s
    assert due(resumed) == {"action": "next", "at": T0 + GIUSTI_MS + 60_000, "held": False}
    longer = apply(resumed, T0 + 200_000, "add_time", seconds=30)
    assert due(longer) == {"action": "next", "at": T0 + GIUSTI_MS + 90_000, "held": False}
    shorter = apply(longer, T0 + 210_000, "add_time", seconds=-120)
    assert due(shorter) == {"action": "next", "at": T0 + GIUSTI_MS - 30_000, "held": False}


# -- the engine: hold and undo ---------------------------------------------------------------


def test_hold_keeps_the_item_on_and_is_versioned_and_undoable() -> None:
    state = giusti_on()
    held = apply(state, T0 + 1000, "hold")
    assert held.version == state.version + 1
    assert due(held) == {"action": "next", "at": None, "held": True}
    assert held.last_change is not None and held.last_change.summary == (
        "hold: Mr. John Giusti stays on"
    )
    released = apply(held, T0 + 2000, "hold", on=False)
    assert due(released) == due(state)
    assert due(apply(held, T0 + 2000, "undo")) == due(state)
    # held survives pause, resume and add_time; the next speaker starts unheld
    kept = apply(
        apply(apply(held, T0 + 3000, "pause"), T0 + 4000, "resume"),
        T0 + 5000,
        "add_time",
        seconds=10,
    )
    assert due(kept) == {"action": "next", "at": None, "held": True}
    back = apply(apply(kept, T0 + 6000, "next"), T0 + 7000, "previous")
    assert due(back) == {"action": "next", "at": T0 + 7000 + GIUSTI_MS, "held": False}


def test_hold_is_refused_where_it_means_nothing() -> None:
    state = giusti_on()
    with pytest.raises(InvalidTransition, match="is not held; send hold with on true"):
        apply(state, T0, "hold", on=False)
    held = apply(state, T0, "hold")
    with pytest.raises(InvalidTransition, match="is already held; send hold with on false"):
        apply(held, T0, "hold")
    other = apply(state, T0, "next")
    with pytest.raises(
        InvalidTransition, match=r"the one on now \(Mr. Xinhui WANG\) does not advance by itself"
    ):
        apply(other, T0, "hold")
    with pytest.raises(InvalidTransition, match="no session is live"):
        apply(initial_state(P, T0), T0, "hold")
    with pytest.raises(InvalidInput, match="hold: on: input should be a valid boolean"):
        parse_command({"action": "hold", "on": "yes"})


def test_undoing_the_automatic_advance_brings_the_speech_back_held() -> None:
    state = giusti_on()
    at = T0 + GIUSTI_MS + 300  # the server applies it a moment after the end
    advanced = apply(state, at, "next", actor=SYSTEM)
    assert advanced.last_change is not None and advanced.last_change.actor == "system"
    undone = apply(advanced, at + 5000, "undo")
    assert undone.live.timer.ends_at == T0 + GIUSTI_MS  # its end time unchanged
    assert projection.view(P, undone, at + 5000)["speaker"]["id"] == "john-giusti"
    assert due(undone) == {"action": "next", "at": None, "held": True}  # not again at once
    # an undone advance of the moderator's is restored as it was
    by_hand = apply(apply(state, at, "next"), at + 5000, "undo")
    assert by_hand.live == state.live


def test_only_the_server_acts_as_system() -> None:
    with pytest.raises(InvalidInput, match="actor 'system' is the server's own"):
        parse_command({"action": "next", "actor": "system"})


def test_podium_ctl_sends_hold_and_its_release() -> None:
    assert build_command("hold", [], None) == {"action": "hold"}
    assert build_command("hold", ["off"], 7) == {
        "action": "hold",
        "on": False,
        "expected_version": 7,
    }

"""Automations in the pure core: what an ``[[automations]]`` entry may say, and the events
a change of state makes and the moments the timed ones fall due. Exact, with the clock
passed in. Delivery to real receivers: test_automations_live.py."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from podium.core import engine
from podium.core.commands import parse_command, signed
from podium.core.config import programme_file
from podium.core.config.automations import Automation
from podium.core.errors import ProgrammeError
from podium.core.events import due, happened
from podium.core.state import State, initial_state
from tests.helpers import SEED

P = programme_file.load(SEED)
T0 = 1_700_000_000_000
QIN_MS = 600_000  # the opening session's 30 minutes shared by three speakers


def apply(state: State, at: int, action: str, **fields: Any) -> State:
    command = parse_command({"action": action, **fields})
    return engine.apply(P, state, signed(command, "ws:test"), at).state


def names(before: State, after: State) -> list[str]:
    return [e.name for e in happened(P, before, after)]


def test_a_day_makes_its_events_in_order_with_who_and_when() -> None:
    idle = initial_state(P, T0)
    started = apply(idle, T0, "start_session", session_id="opening-session")
    events = happened(P, idle, started)
    assert [e.name for e in events] == ["session_started", "speaker_started"]
    first = events[1].payload()
    assert first["room"] == "itu-miit-2021" and first["version"] == 1 and first["at"] == T0
    assert first["time"] == "2023-11-14T22:13:20.000Z"
    assert first["session"] == {"id": "opening-session", "title": "Opening Session"}
    assert first["speaker"] == {
        "id": "weizhong-qin",
        "name": "Weizhong QIN",
        "display_name": "H.E. Mr. Weizhong QIN",
        "presence": "in_room",
    }
    assert first["id"] == "itu-miit-2021/1/speaker_started/weizhong-qin@1700000000000"
    assert events[0].id == "itu-miit-2021/1/session_started/opening-session@1700000000000"

    moved = apply(started, T0 + 5_000, "next")
    events = happened(P, started, moved)
    assert [(e.name, e.turn and e.turn.speaker and e.turn.speaker.id) for e in events] == [
        ("speaker_ended", "weizhong-qin"),
        ("speaker_started", "houlin-zhao"),
    ]
    assert names(moved, apply(moved, T0 + 6_000, "pause")) == []
    shown = apply(moved, T0 + 7_000, "show_message", text="Wrap up <b>", target="all")
    [message] = happened(P, moved, shown)
    assert message.name == "message_shown"
    assert message.payload()["message"] == {
        "text": "Wrap up <b>",
        "target": "all",
        "at": T0 + 7_000,
    }
    cued = apply(shown, T0 + 8_000, "cue", kind="wrap_up")
    assert [(e.name, e.payload()["cue"]) for e in happened(P, shown, cued)] == [
        ("cue", {"kind": "wrap_up", "at": T0 + 8_000})
    ]
    assert names(cued, apply(cued, T0 + 9_000, "clear_cue")) == []
    ended = apply(cued, T0 + 10_000, "end_session")
    assert names(cued, ended) == ["speaker_ended", "session_ended"]
    assert happened(P, cued, ended)[1].payload()["speaker"]["id"] == "houlin-zhao"
    # undo brings the session, the speaker, the message and the cue back: each is news
    assert names(ended, apply(ended, T0 + 11_000, "undo")) == [
        "session_started",
        "speaker_started",
        "message_shown",
        "cue",
    ]


def test_a_session_without_speakers_starts_and_ends_without_speaker_events() -> None:
    idle = initial_state(P, T0)
    started = apply(idle, T0, "start_session", session_id="appreciation")
    assert names(idle, started) == ["session_started"]
    assert happened(P, idle, started)[0].payload()["speaker"] is None
    assert names(started, apply(started, T0 + 1, "end_session")) == ["session_ended"]
    assert [e.name for e in due(P, started)] == ["warning", "danger", "overtime"]


def test_timed_events_fall_due_from_ends_at_and_move_with_pause_resume_and_added_time() -> None:
    state = apply(initial_state(P, T0), T0, "start_session", session_id="opening-session")
    ends_at = T0 + QIN_MS
    timed = {e.name: e.at for e in due(P, state)}
    assert timed == {"warning": ends_at - 120_000, "danger": ends_at, "overtime": ends_at}
    ids = {e.name: e.id for e in due(P, state)}
    assert ids["warning"] == "itu-miit-2021/warning/weizhong-qin@1700000000000"

    paused = apply(state, T0 + 100_000, "pause")
    assert due(P, paused) == []
    resumed = apply(paused, T0 + 160_000, "resume")  # 60 s later: everything 60 s later
    assert {e.name: e.at for e in due(P, resumed)} == {k: v + 60_000 for k, v in timed.items()}
    longer = apply(resumed, T0 + 170_000, "add_time", seconds=30)
    assert {e.name: e.at for e in due(P, longer)}["overtime"] == ends_at + 90_000
    # the same turn: the same ids, whatever the version, so each goes out once per turn
    assert {e.name: e.id for e in due(P, longer)} == ids
    again = apply(apply(longer, T0 + 171_000, "next"), T0 + 172_000, "previous")
    assert {e.name: e.id for e in due(P, again)} != ids  # previous: a fresh turn


def test_the_thresholds_are_the_speakers_own() -> None:
    data = tomllib.loads(SEED.read_text())
    data["sessions"][0]["speakers"][0] |= {"warning": "3m", "danger": "1m"}
    programme = programme_file.parse(data, base=SEED.parent)  # the seed's logo is there
    state = initial_state(programme, T0)
    command = signed(parse_command({"action": "start_session", "session_id": "opening-session"}),
                     "ws:test")  # fmt: skip
    state = engine.apply(programme, state, command, T0).state
    ends_at = T0 + QIN_MS
    assert {e.name: e.at for e in due(programme, state)} == {
        "warning": ends_at - 180_000,
        "danger": ends_at - 60_000,
        "overtime": ends_at,
    }
    assert due(programme, state)[0].payload()["timer"] == {
        "ends_at": ends_at,
        "warning_ms": 180_000,
        "danger_ms": 60_000,
    }


def with_automations(*entries: dict[str, Any]) -> dict[str, Any]:
    data = tomllib.loads(SEED.read_text())
    data["automations"] = list(entries)
    return data


def test_good_automations_load_and_the_secret_stays_hidden() -> None:
    programme = programme_file.parse(
        base=SEED.parent,
        data=with_automations(
            {
                "on": ["speaker_started", "overtime"],
                "url": "https://u:pw@mixer.local/p",
                "secret": "s3cret-value",
            },
            {"on": ["speaker_started"], "osc": "127.0.0.1:53000", "address": "/cue/{event}/go"},
            {"on": ["cue"], "osc": "[::1]:9000"},
        ),
    )
    hook, osc, default = programme.automations
    assert hook.kind == "webhook" and hook.target == "https://***@mixer.local/p"
    assert "s3cret" not in repr(hook) and "s3cret" not in str(programme.model_dump())
    assert "s3cret" not in str(programme.public_dict(programme.plan_date_for(T0)))
    assert osc.osc_address("speaker_started") == "/cue/speaker_started/go"
    assert default.target == "osc://[::1]:9000/podium/{event}"


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        (
            {"on": ["speaker_start"], "url": "http://x/"},
            "automations[0].on: 'speaker_start' is not",
        ),
        ({"on": [], "url": "http://x/"}, "automations[0].on: no events; list at least one"),
        ({"on": ["cue"], "url": "ftp://x/"}, "automations[0].url: 'ftp://x/' is not an http"),
        ({"on": ["cue"], "url": "http://x:99999/"}, "has a bad port"),
        ({"on": ["cue"], "osc": "localhost"}, "automations[0].osc: 'localhost' is not host:port"),
        ({"on": ["cue"], "osc": "bad host:53000"}, "is not a host name or IP address"),
        ({"on": ["cue"], "osc": "h:1", "address": "podium"}, "'podium' is not an OSC address"),
        ({"on": ["cue"], "osc": "h:1", "address": "/a b"}, "is not an OSC address"),
        ({"on": ["cue"]}, "automations[0]: give either url"),
        ({"on": ["cue"], "url": "http://x/", "osc": "h:1"}, "give either url"),
        ({"on": ["cue"], "osc": "h:1", "secret": "x"}, "secret signs a webhook"),
        ({"on": ["cue"], "url": "http://x/", "adress": "/a"}, "adress: unknown field"),
    ],
)
def test_bad_automations_are_refused_with_what_to_do(entry: dict[str, Any], says: str) -> None:
    with pytest.raises(ProgrammeError) as caught:
        programme_file.parse(with_automations(entry), base=SEED.parent)
    assert any(says in problem for problem in caught.value.problems), caught.value.problems


def test_an_automation_is_a_plain_model() -> None:
    assert Automation(on=("cue",), url="http://127.0.0.1:1/").kind == "webhook"

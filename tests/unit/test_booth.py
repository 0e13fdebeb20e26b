"""The languages in the room, in the core: the programme's languages, materials, scripts and
``[interpretation]`` (checked, every problem with a fix), and the booth's signals through
the engine (stored apart from ``live``, shown 15 s or until the speaker changes, never a
conflict for a console). Plain, synchronous and exact."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from podium.cli.main import main
from podium.core import booth, engine, projection
from podium.core.config import programme_file
from podium.core.errors import InvalidTransition, ProgrammeError
from podium.core.wire.server import StateView
from podium.store.base import LogRecord
from podium.store.replay import replay
from tests.helpers import seed_with
from tests.unit.test_engine import T0, P, cmd, fresh, live_s1, run

SIGNAL = {"signal": "slow_down"}


def signalled(state: Any, at: int, what: str = "slow_down") -> Any:
    return engine.apply(P, state, cmd("booth_signal", signal=what), at).state


def test_a_signal_is_stored_apart_from_live_and_shown_for_the_speaker_on_now() -> None:
    state = live_s1()
    after = signalled(state, T0 + 1000)
    assert after.version == state.version + 1 and after.updated_at == T0 + 1000
    assert (after.live, after.undo, after.last_change) == (state.live, state.undo,
                                                           state.last_change)  # fmt: skip
    view = projection.view(P, after, T0 + 1000)
    assert view["booth_signal"] == {
        "signal": "slow_down", "at": T0 + 1000, "speaker_id": "hequan-wu", "language": "zh",
        "until": T0 + 16_000,
    }  # fmt: skip
    StateView.model_validate(view)
    assert projection.view(P, after, T0 + 15_999)["booth_signal"] is not None
    assert projection.view(P, after, T0 + 16_000)["booth_signal"] is None  # 15 s, exactly
    moved = run(after, (T0 + 2000, "next", {}))  # the speaker changes: it goes with them
    assert projection.view(P, moved, T0 + 2000)["booth_signal"] is None
    assert projection.view(P, run(moved, (T0 + 3000, "undo", {})), T0 + 3000)["booth_signal"]
    # undo undoes the moderator's last action, never the booth's signal
    to_next = signalled(moved, T0 + 4000)
    undone = run(to_next, (T0 + 5000, "undo", {}))  # brings hequan-wu back, keeps the signal
    assert undone.live.speaker_index == 0 and undone.booth_signal == to_next.booth_signal
    assert projection.view(P, undone, T0 + 5000)["booth_signal"] is None  # not theirs


def test_a_signal_needs_someone_on_stage_and_in_a_slot_goes_in_the_first_language() -> None:
    with pytest.raises(InvalidTransition, match="nobody is on stage"):
        signalled(fresh(), T0)
    slot = run(fresh(), (T0, "start_session", {"session_id": "appreciation"}))
    view = projection.view(P, signalled(slot, T0 + 1, "no_sound"), T0 + 2)
    assert view["booth_signal"]["speaker_id"] is None
    assert view["booth_signal"]["language"] == "zh"  # the event's first


def test_only_signals_since_a_version_leave_it_current_for_a_console() -> None:
    state = live_s1()  # version 1
    once = signalled(state, T0 + 1)
    twice = signalled(once, T0 + 2, "louder")
    assert (twice.version, twice.booth_signal.since) == (3, 1)
    assert all(booth.unchanged_since(twice, v) for v in (1, 2, 3))
    assert not booth.unchanged_since(twice, 0)  # start_session came after version 0
    paused = run(twice, (T0 + 3, "pause", {}))
    assert booth.unchanged_since(paused, 4) and not booth.unchanged_since(paused, 3)
    again = signalled(paused, T0 + 4)
    assert again.booth_signal.since == 4 and not booth.unchanged_since(again, 3)


# -- the programme ----------------------------------------------------------------------------


def base() -> dict[str, Any]:
    return {
        "event": {"id": "e", "title": "E", "timezone": "UTC", "languages": ["zh", "en"]},
        "sessions": [{"id": "s", "title": "S", "start": "09:00", "duration": "30m",
                      "speakers": [{"id": "a", "name": "A"},
                                   {"id": "b", "name": "B", "language": "en"}]}],
    }  # fmt: skip


def problems(data: dict[str, Any], folder: Path | None = None) -> list[str]:
    with pytest.raises(ProgrammeError) as err:
        programme_file.parse(data, base=folder)
    return err.value.problems


def test_languages_default_and_the_programme_says_them_without_the_script(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "b.md").write_text("# B\n\nHello.\n", encoding="utf-8")
    data = base()
    data["sessions"][0]["speakers"][1] |= {
        "materials": [{"title": "Slides", "url": "https://example.org/b.pdf"}],
        "script": "scripts/b.md",
    }
    data["interpretation"] = {"handover": "20m"}
    p = programme_file.parse(data, base=tmp_path)
    a, b = p.sessions[0].speakers
    assert (a.language, b.language) == ("zh", "en")
    assert b.script_path == tmp_path / "scripts" / "b.md"
    public = p.public_dict(p.plan_date_for(0))
    assert public["languages"] == ["zh", "en"]
    assert public["interpretation"] == {"handover_ms": 20 * 60_000}
    shown = public["sessions"][0]["speakers"][1]
    assert shown["materials"] == [{"title": "Slides", "url": "https://example.org/b.pdf"}]
    assert shown["has_script"] is True and "script_path" not in shown and "Hello" not in str(public)
    plain = programme_file.parse({"event": {"id": "e", "title": "E", "timezone": "UTC"},
                                  "sessions": base()["sessions"][:1]})  # fmt: skip
    assert plain.event.languages == ("en",) and plain.interpretation.handover == 30 * 60_000


def test_wrong_languages_and_materials_are_refused_with_a_fix() -> None:
    data = base()
    data["event"]["languages"] = ["zh", "zh"]
    data["sessions"][0]["speakers"][0] |= {"language": "Chinese"}
    data["sessions"][0]["speakers"][1] |= {
        "materials": [{"title": "x", "url": "javascript:alert(1)"}]
    }
    found = problems(data)
    assert any("event.languages: a language is listed twice" in p for p in found), found
    assert (
        "sessions[0].speakers[0].language: 'Chinese' is not a language tag; write it like"
        " 'zh', 'en' or 'pt-BR'" in found
    )
    assert any("materials[0].url: 'javascript:alert(1)' is not a web address" in p
               for p in found), found  # fmt: skip
    data = base()
    data["sessions"][0]["speakers"][0] |= {"language": "fr"}
    assert problems(data) == [
        "sessions[0].speakers[0].language: 'fr' is not one of the meeting's languages (zh, en);"
        " use one of them or add it to event.languages"
    ]


@pytest.mark.parametrize(
    ("script", "content", "says"),
    [
        ("scripts/missing.md", None, "no script at"),
        ("big.md", b"x" * (1024 * 1024 + 1), "make it at most 1 MiB"),
        ("speech.pdf", b"%PDF", "is not a text or Markdown file"),
        ("latin.txt", "Grüße".encode("latin-1"), "is not UTF-8 text"),
        ("/etc/passwd.txt", None, "is absolute"),
        ("../outside.md", None, "leads outside the programme's folder"),
    ],
)
def test_a_missing_big_or_outside_script_is_refused(
    tmp_path: Path, script: str, content: bytes | None, says: str
) -> None:
    folder = tmp_path / "event"
    folder.mkdir()
    (tmp_path / "outside.md").write_text("secret")
    if content is not None:
        (folder / script).write_bytes(content)
    data = copy.deepcopy(base())
    data["sessions"][0]["speakers"][0]["script"] = script
    found = problems(data, folder)
    assert len(found) == 1 and found[0].startswith("sessions[0].speakers[0].script: "), found
    assert says in found[0]


def test_a_script_of_exactly_1_mib_loads(tmp_path: Path) -> None:
    (tmp_path / "s.md").write_bytes(b"x" * (1024 * 1024))
    data = base()
    data["sessions"][0]["speakers"][0]["script"] = "s.md"
    assert programme_file.parse(data, base=tmp_path).sessions[0].speakers[0].script_path


def test_podium_check_refuses_a_script_outside_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "event"
    folder.mkdir()
    seed = seed_with(folder, "")
    assert main(["check", str(seed)]) == 0
    assert "[en]  [script john-giusti.md]" in capsys.readouterr().out
    (tmp_path / "secret.md").write_text("not for the booth")
    text = seed.read_text().replace('"scripts/john-giusti.md"', '"../secret.md"')
    seed.write_text(text)
    assert main(["check", str(seed)]) == 1
    err = capsys.readouterr().err
    assert "sessions[3].speakers[2].script: '../secret.md' leads outside the programme's" in err


def test_an_undo_past_a_signal_brings_back_the_state_before_the_moderators_command() -> None:
    """The one replay (the room's and the report's) names for each undo the step whose
    state it brought back: a booth signal between is no step of the undo stack."""
    log = [{}, {"action": "start_session", "session_id": "session-1"}, {"action": "next"},
           {"action": "booth_signal", "signal": "slow_down"}, {"action": "undo"}]  # fmt: skip
    records = [
        LogRecord(version=v, at=T0 + v * 1000, actor="console:a", command=c, summary="")
        for v, c in enumerate(log)
    ]
    steps = replay(P, None, records).steps
    assert [s.restores for s in steps] == [None, None, None, None, 1]
    assert steps[4].state.live == steps[1].state.live
    assert steps[4].state.booth_signal == steps[3].state.booth_signal

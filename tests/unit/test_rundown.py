"""The plan's commands in the engine: plain, synchronous and exact, each with its undo."""

from __future__ import annotations

import json
from typing import Any

import pytest

from podium.agenda.running import running_file
from podium.core import engine, projection
from podium.core.commands import Command, parse_command
from podium.core.config import diff, programme_file
from podium.core.errors import InvalidInput, InvalidTransition
from podium.core.state import State, initial_state
from podium.core.wire.programme import ProgrammeView
from tests.helpers import SEED

P = programme_file.load(SEED)
T0 = 1_700_000_000_000
S3 = [sp.id for sp in P.sessions[3].speakers]  # session-3: four named of "6 speakers"


def cmd(action: str, **fields: Any) -> Command:
    return parse_command({"action": action, **fields})


def apply(state: State, action: str, at: int = T0, **fields: Any) -> State:
    return engine.apply(P, state, cmd(action, **fields), at).state


def fresh() -> State:
    return initial_state(P, T0)


def plan(state: State) -> dict[str, list[str]]:
    return {s.id: [sp.id for sp in s.speakers] for s in state.programme(P).sessions}


def speaker(state: State, speaker_id: str) -> Any:
    found = state.programme(P).find_speaker(speaker_id)
    assert found is not None
    return found[0].speakers[found[1]]


def refused(state: State, action: str, **fields: Any) -> str:
    with pytest.raises(InvalidTransition) as err:
        apply(state, action, **fields)
    return err.value.message


def undone(state: State) -> State:
    return apply(state, "undo", T0 + 1)


# -- each command, and its undo -----------------------------------------------------------


def test_add_speaker_goes_at_the_end_or_before_one_with_an_id_made_from_the_name() -> None:
    new = {"name": "Ana María López", "allocation": "8m", "presence": "remote"}
    state = apply(fresh(), "add_speaker", session_id="session-3", speaker=new)
    assert plan(state)["session-3"] == [*S3, "ana-maria-lopez"]
    added = speaker(state, "ana-maria-lopez")
    assert added.allocation_ms == 480_000 and added.presence == "remote"
    assert state.version == 1 and state.plan_revision == 1
    state = apply(state, "add_speaker", session_id="session-3", before=S3[1],
                  speaker={"name": "Ana María López"})  # fmt: skip
    assert plan(state)["session-3"] == [S3[0], "ana-maria-lopez-2", *S3[1:], "ana-maria-lopez"]
    assert diff.marks(P.sessions, state.programme(P).sessions) == {
        "ana-maria-lopez": ["added"], "ana-maria-lopez-2": ["added"]
    }  # fmt: skip
    back = undone(state)
    assert plan(back)["session-3"] == [*S3, "ana-maria-lopez"] and back.plan_revision == 3
    assert plan(undone(back)) == plan(fresh())


def test_update_speaker_changes_the_fields_given_and_undo_restores_them() -> None:
    fields = {"affiliation": "ITU", "allocation": "5m", "affiliation_zh": "国际电联"}
    state = apply(fresh(), "update_speaker", speaker_id=S3[0], fields=fields)
    changed = speaker(state, S3[0])
    before = speaker(fresh(), S3[0])
    assert (changed.affiliation, changed.allocation_ms) == ("ITU", 300_000)
    assert changed.name == before.name
    assert state.last_change is not None and state.last_change.edits == (
        {"item": "speaker", "id": S3[0], "kind": "changed", "label": changed.display_name,
         "fields": ["affiliation", "affiliation_zh", "allocation_ms"], "session_id": "session-3"},
    )  # fmt: skip
    assert speaker(undone(state), S3[0]) == before


def test_a_new_allocation_for_the_live_speaker_moves_the_timer_end_as_add_time_would() -> None:
    state = apply(fresh(), "start_session", session_id="session-3")
    ends = state.live.timer.ends_at
    assert ends is not None
    state = apply(
        state, "update_speaker", T0 + 5000, speaker_id=S3[0], fields={"allocation": "10m"}
    )
    old = speaker(fresh(), S3[0]).allocation_ms
    assert state.live.timer.ends_at == ends + 600_000 - old
    assert projection.view(P, state, T0 + 5000)["timer"]["duration_ms"] == 600_000
    assert undone(state).live.timer.ends_at == ends


def test_remove_speaker_is_refused_for_the_live_speaker_and_who_has_spoken() -> None:
    state = apply(fresh(), "start_session", session_id="session-3")
    assert "on now" in refused(state, "remove_speaker", speaker_id=S3[0])
    state = apply(state, "next", T0 + 60_000)
    assert "already spoken" in refused(state, "remove_speaker", speaker_id=S3[0])
    state = apply(state, "remove_speaker", T0 + 61_000, speaker_id=S3[3])
    assert plan(state)["session-3"] == S3[:3]
    assert state.live.speaker_index == 1  # still S3[1], on now
    assert plan(undone(state))["session-3"] == S3


def test_move_speaker_within_a_session_keeps_the_live_speaker_on_by_id() -> None:
    state = apply(fresh(), "start_session", session_id="session-3")
    state = apply(state, "move_speaker", speaker_id=S3[3], before=S3[0])
    assert plan(state)["session-3"] == [S3[3], *S3[:3]]
    assert state.live.speaker_index == 1
    assert projection.view(P, state, T0)["speaker"]["id"] == S3[0]
    assert diff.marks(P.sessions, state.programme(P).sessions) == {S3[3]: ["moved"]}
    state = apply(state, "move_speaker", speaker_id=S3[3])  # to the end again
    assert plan(state)["session-3"] == S3
    assert state.live.speaker_index == 0


def test_move_speaker_to_another_session_not_yet_run() -> None:
    s2 = plan(fresh())["session-2"]
    state = apply(fresh(), "move_speaker", speaker_id=S3[0], session_id="session-2", before=s2[0])
    assert plan(state)["session-2"] == [S3[0], *s2] and plan(state)["session-3"] == S3[1:]
    assert speaker(state, S3[0]).session_id == "session-2"
    ran = apply(apply(fresh(), "start_session", session_id="session-2"), "end_session")
    assert "already run" in refused(ran, "move_speaker", speaker_id=S3[0], session_id="session-2")
    assert plan(undone(state)) == plan(fresh())


def test_update_add_and_remove_session() -> None:
    state = apply(fresh(), "update_session", session_id="session-3",
                  fields={"duration": "40m", "title": "Session 3 (short)"})  # fmt: skip
    s3 = state.programme(P).session("session-3")
    assert s3 is not None and s3.duration_ms == 2_400_000 and s3.title == "Session 3 (short)"
    state = apply(state, "add_session", before="appreciation",
                  session={"title": "Coffee", "duration": "15m",
                           "speakers": [{"name": "Barista"}]})  # fmt: skip
    ids = [s.id for s in state.programme(P).sessions]
    assert ids[-2:] == ["coffee", "appreciation"] and plan(state)["coffee"] == ["barista"]
    coffee = state.programme(P).session("coffee")
    assert coffee is not None and coffee.start.isoformat() == "11:50:00"  # after session-3 (40m)
    state = apply(state, "remove_session", session_id="coffee")
    assert "coffee" not in plan(state)
    assert plan(undone(state))["coffee"] == ["barista"]


def test_remove_session_is_refused_for_the_live_session_and_one_that_has_run() -> None:
    state = apply(fresh(), "start_session", session_id="session-1")
    assert "is live" in refused(state, "remove_session", session_id="session-1")
    state = apply(state, "end_session")
    assert "has run" in refused(state, "remove_session", session_id="session-1")


@pytest.mark.parametrize(
    ("action", "fields", "says"),
    [
        ("add_speaker", {"session_id": "nope", "speaker": {"name": "A"}}, "session_id: no session"),
        ("add_speaker", {"session_id": "session-3", "speaker": {"name": "A", "id": "session-1"}},
         "speaker.id: 'session-1' is already used"),
        ("add_speaker", {"session_id": "session-3", "speaker": {"name": "A"},
                         "before": "hequan-wu"},
         "before: 'hequan-wu' is not a speaker of 'session-3'"),
        ("update_speaker", {"speaker_id": "nobody", "fields": {"name": "B"}},
         "speaker_id: no speaker"),
        ("move_speaker", {"speaker_id": "nobody"}, "speaker_id: no speaker"),
        ("update_session", {"session_id": "nope", "fields": {}}, "session_id: no session"),
        ("add_session", {"session": {"title": "X", "duration": "5m", "id": "hequan-wu"}},
         "session.id: 'hequan-wu' is already used"),
    ],
)  # fmt: skip
def test_a_plan_command_that_names_what_is_not_there_changes_nothing(
    action: str, fields: dict[str, Any], says: str
) -> None:
    assert says in refused(fresh(), action, **fields)


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"speaker_id": "jing-sun", "fields": {"allocation": "soon"}}, "fields.allocation"),
        ({"speaker_id": "jing-sun", "fields": {"name": "x" * 4001}}, "fields.name"),
        ({"speaker_id": "jing-sun", "fields": {"affiliation": "x" * 4001}}, "fields.affiliation"),
        ({"speaker_id": "jing-sun", "fields": {"presence": "away"}}, "fields.presence"),
        ({"speaker_id": "jing-sun", "fields": {"shoe_size": 9}}, "fields.shoe_size"),
    ],
)
def test_bad_fields_are_refused_naming_the_field(fields: dict[str, Any], says: str) -> None:
    with pytest.raises(InvalidInput) as err:
        cmd("update_speaker", **fields)
    assert f"update_speaker: {says}" in err.value.message


def test_reload_applies_the_files_differences_to_the_running_plan() -> None:
    s1 = P.sessions[1]
    file = list(P.sessions)
    renamed = s1.speakers[0].model_copy(update={"name": "Hequan WU Jr"})
    extra = s1.speakers[1].model_copy(update={"id": "new-one", "name": "New One"})
    file[1] = s1.model_copy(
        update={"speakers": (renamed, s1.speakers[1], extra, *s1.speakers[2:5])}
    )
    state = apply(fresh(), "add_speaker", session_id="session-3", speaker={"name": "Live Edit"})
    state = apply(state, "reload", sessions=[s.model_dump(mode="json") for s in file])
    assert state.last_change is not None and state.last_change.edits is not None
    kinds = {(c["id"], c["kind"]) for c in state.last_change.edits}
    assert kinds == {(s1.speakers[0].id, "renamed"), ("new-one", "added"),
                     (s1.speakers[5].id, "removed")}  # fmt: skip
    assert "live-edit" in plan(state)["session-3"]  # the live edit stays
    assert speaker(state, s1.speakers[0].id).name == "Hequan WU Jr"
    back = undone(state)
    assert plan(back) == plan(apply(fresh(), "add_speaker", session_id="session-3",
                                    speaker={"name": "Live Edit"}))  # fmt: skip


def test_the_day_ends_or_opens_again_with_the_plans_last_session() -> None:
    state = fresh()
    for s in P.sessions[:-1]:
        state = apply(apply(state, "start_session", session_id=s.id), "end_session")
    assert state.live.phase == "idle"  # the appreciation is still to come
    state = apply(state, "remove_session", session_id="appreciation")
    assert state.live.phase == "finished"
    state = apply(state, "add_session", session={"title": "Encore", "duration": "5m"})
    assert state.live.phase == "idle"
    assert projection.view(P, state, T0)["schedule"][-1]["status"] == "next"


def test_reload_moves_speakers_through_added_and_removed_sessions_and_keeps_live_edits() -> None:
    by_id = {s.id: s for s in P.sessions}
    s2, s3 = by_id["session-2"], by_id["session-3"]
    omo = next(sp for sp in s2.speakers if sp.id == "john-omo")
    sun = next(sp for sp in s3.speakers if sp.id == "jing-sun")
    cun = s2.speakers[0].model_copy(update={"name": "Cun XIE (renamed)"})
    fresh_one = omo.model_copy(update={"id": "fresh", "name": "Fresh"})
    extra = s3.model_copy(update={"id": "extra", "title": "Extra", "speakers": (omo, fresh_one)})
    kept = [cun, *(sp for sp in s2.speakers[1:] if sp.id != "john-omo"), sun]
    s2_file = s2.model_copy(update={"speakers": tuple(kept)})
    file = [by_id["opening-session"], by_id["session-1"], s2_file, extra, by_id["appreciation"]]
    state = apply(fresh(), "remove_speaker", speaker_id=s2.speakers[0].id)  # a live edit
    state = apply(state, "reload", sessions=[s.model_dump(mode="json") for s in file])
    got = plan(state)
    assert list(got) == ["opening-session", "session-1", "session-2", "extra", "appreciation"]
    assert got["session-2"] == [sp.id for sp in s2.speakers[1:] if sp.id != "john-omo"] + [
        "jing-sun"
    ]
    assert got["extra"] == ["john-omo", "fresh"]
    assert speaker(state, "jing-sun").session_id == "session-2"
    assert plan(undone(state)) == plan(apply(fresh(), "remove_speaker", speaker_id=cun.id))


def test_the_programme_view_has_its_documented_shape_with_revision_and_marks() -> None:
    state = apply(fresh(), "add_speaker", session_id="session-3", speaker={"name": "New"})
    state = apply(state, "move_speaker", speaker_id="xinhui-wang", before=S3[0])
    view = ProgrammeView.model_validate(projection.programme_view(P, state))
    assert view.revision == 2
    s3 = next(s for s in view.sessions if s.id == "session-3")
    assert s3.marks is None
    assert {sp.id: sp.marks for sp in s3.speakers if sp.marks} == {
        "new": ["added"], "xinhui-wang": ["moved"]
    }  # fmt: skip
    assert ProgrammeView.model_validate(projection.programme_view(P, fresh())).revision == 0


@pytest.mark.parametrize(
    "command",
    [
        {"action": "add_speaker", "session_id": "session-3", "before": "jing-sun",
         "speaker": {"name": "A", "allocation": "8m20s", "presence": "remote", "on_end": "next"}},
        {"action": "add_speaker", "session_id": "session-3", "speaker": {"name": "B",
                                                                        "allocation": 90.5}},
        {"action": "update_speaker", "speaker_id": "jing-sun", "fields": {"allocation": 600}},
        {"action": "update_session", "session_id": "session-3",
         "fields": {"duration": "1h", "start": "11:15", "moderators": [{"name": "M"}]}},
        {"action": "add_session", "session": {"title": "C", "duration": "15m", "start": "12:00",
                                              "speakers": [{"name": "D", "allocation": "5m"}]}},
        {"action": "reload", "sessions": [s.model_dump(mode="json") for s in P.sessions]},
    ],
)  # fmt: skip
def test_a_plan_command_as_logged_reads_back_the_same(command: dict[str, Any]) -> None:
    """The log keeps a command as JSON (``Room``: ``model_dump(mode="json", ...)``); read
    back for a replay it is the same command, so the replay makes the same plan."""
    first = cmd(**command)
    logged = json.loads(json.dumps(first.model_dump(mode="json", exclude_none=True,
                                                    exclude_unset=True)))  # fmt: skip
    assert parse_command(logged) == first


# -- the programme's later fields: a session's day and kind, a speaker's language -------------

WRITTEN: dict[str, Any] = {
        "event": {"id": "e", "title": "E", "timezone": "UTC", "languages": ["zh", "en"]},
        "sessions": [
            {"id": "s1", "title": "S1", "start": "09:00", "duration": "30m", "date": "2026-04-27",
             "speakers": [{"id": "a", "name": "A", "language": "en",
                           "materials": [{"title": "Slides", "url": "https://example.org/a.pdf"}]},
                          {"id": "b", "name": "B"}]},
            {"id": "s2", "title": "S2", "start": "10:00", "duration": "30m", "date": "2026-04-28"},
        ],
}  # fmt: skip
LANGUAGES = programme_file.parse(WRITTEN)


def on(state: State, action: str, **fields: Any) -> State:
    return engine.apply(LANGUAGES, state, cmd(action, **fields), T0).state


def test_a_session_edit_sets_its_day_and_kind_and_a_speaker_keeps_language_and_materials() -> None:
    state = on(initial_state(LANGUAGES, T0), "update_session", session_id="s2",
               fields={"kind": "break", "date": "2026-04-27", "title": "Coffee"})  # fmt: skip
    s2 = state.programme(LANGUAGES).sessions[1]
    assert (s2.kind, s2.date.isoformat(), s2.title) == ("break", "2026-04-27", "Coffee")
    state = on(state, "update_session", session_id="s2", fields={"kind": None})
    assert state.programme(LANGUAGES).sessions[1].kind == "break"  # null: the kind stays

    state = on(state, "update_speaker", speaker_id="a", fields={"name": "Anne"})
    state = on(state, "move_speaker", speaker_id="a", session_id="s2")
    moved = state.programme(LANGUAGES).sessions[1].speakers[0]
    assert (moved.id, moved.name, moved.language) == ("a", "Anne", "en")
    assert [m.title for m in moved.materials] == ["Slides"]


def test_a_speakers_language_is_one_of_the_events_and_a_new_one_speaks_the_first() -> None:
    state = on(initial_state(LANGUAGES, T0), "add_speaker", session_id="s2",
               speaker={"id": "c", "name": "C"})  # fmt: skip
    state = on(state, "update_speaker", speaker_id="b", fields={"language": "en"})
    speakers = {sp.id: sp.language for s in state.programme(LANGUAGES).sessions
                for sp in s.speakers}  # fmt: skip
    assert speakers == {"a": "en", "b": "en", "c": "zh"}
    for action, fields in [
        ("update_speaker", {"speaker_id": "b", "fields": {"language": "fr"}}),
        ("add_speaker", {"session_id": "s2", "speaker": {"name": "D", "language": "fr"}}),
    ]:
        with pytest.raises(InvalidTransition) as err:
            on(state, action, **fields)
        assert "language: 'fr' is not one of the meeting's languages (zh, en)" in err.value.message


def test_the_running_plan_exported_keeps_days_kinds_languages_and_materials() -> None:
    state = on(initial_state(LANGUAGES, T0), "update_session", session_id="s2",
               fields={"kind": "break"})  # fmt: skip
    state = on(state, "add_speaker", session_id="s1", speaker={"name": "C", "language": "en"})
    ran = state.programme(LANGUAGES)
    again = programme_file.parse(running_file(WRITTEN, ran))

    def kept(p: Any) -> list[Any]:
        return [(s.id, s.kind, s.date, [(sp.id, sp.language, sp.materials) for sp in s.speakers])
                for s in p.sessions]  # fmt: skip

    assert kept(again) == kept(ran)
    assert kept(ran)[1][1] == "break" and kept(ran)[0][3][2] == ("c", "en", ())

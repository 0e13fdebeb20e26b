"""Agenda import (plain text and CSV) and CSV export, through the code and the CLI."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podium.agenda.names import segment_id
from podium.agenda.spreadsheet import CsvError, export_csv, import_csv
from podium.agenda.text import import_text
from podium.agenda.toml import to_toml
from podium.cli.main import main
from podium.core.config import programme_file
from podium.core.config.programme import Programme
from tests.helpers import ROOT, SEED

AGENDA = ROOT / "config" / "samples" / "itu-miit-2021-agenda.txt"


def loaded(data: dict) -> Programme:
    """What a programme file written from ``data`` loads as."""
    return programme_file.parse(tomllib.loads(to_toml(data)))


# what neither an agenda nor a CSV says: the languages in the room (issue 29)
LANGUAGE_KEYS = ("languages", "language", "materials", "script", "interpretation")


def without_hand_edits(data: Any, keys: tuple[str, ...] = ("on_end", "branding")) -> Any:
    """A programme mapping without what the seed adds by hand to the imported agenda: its
    Chinese texts (the ``_zh`` keys), which items end themselves (``on_end``), its look
    (``branding``) and its languages; with ``keys`` given, only those."""
    chinese = "on_end" in keys
    if isinstance(data, dict):
        return {
            k: without_hand_edits(v, keys)
            for k, v in data.items()
            if not (chinese and k.endswith("_zh")) and k not in (*keys, *LANGUAGE_KEYS)
        }
    if isinstance(data, list):
        return [without_hand_edits(v, keys) for v in data]
    return data


# The agenda pasted from the ITU website starts with the site's banner, which the importer
# reads as the subtitle (the short lines above the title); the seed's subtitle is the
# seminar's theme instead, set by hand (issue 26).
AGENDA_BANNER = "ITU's 160 anniversary · Committed to connecting the world"


def as_imported(data: dict) -> dict:
    """The seed's mapping as the agenda gives it: without its hand edits, the banner back."""
    english = without_hand_edits(data)
    english["event"]["subtitle"] = AGENDA_BANNER
    return english


SEED_DATA = tomllib.loads(SEED.read_text(encoding="utf-8"))
SEED_IN_ENGLISH = programme_file.parse(as_imported(SEED_DATA))
SEED_WITHOUT_LANGUAGES = programme_file.parse(without_hand_edits(SEED_DATA, ()), base=SEED.parent)


def test_the_seed_agenda_gives_the_seed_programme() -> None:
    """The agenda is English only: it gives the seed without the seed's Chinese titles."""
    imported = import_text(AGENDA.read_text(encoding="utf-8"))
    seed = programme_file.load(SEED)
    assert seed.sessions[1].title_zh.startswith("第一节")
    assert seed.event.subtitle == "Digital Connecting World: Past, Present and Future"
    assert loaded(imported.data) == SEED_IN_ENGLISH  # every field, ids included
    notes = {note.line: note.message for note in imported.notes}
    assert set(notes) == {61, 72}
    assert "announces 6 speakers but lists 4" in notes[61]
    assert "no time and no length" in notes[72] and "10m assumed" in notes[72]


def test_ids_follow_one_rule() -> None:
    assert segment_id("Session 1: Coordinated Efforts") == "session-1"
    assert segment_id("Appreciation for the Contributions by Chinese Entities") == "appreciation"
    assert segment_id("Keynote Sessions: Collaboration with ITU") == "keynote-sessions"
    assert segment_id("Opening Session") == "opening-session"


SMALL = """\
Tagline
Small Forum 2030

A description that is long enough to be a paragraph, held in Geneva, in hybrid mode.

10:00 - 10:45
UTC+5 (Atlantis)
Panel: Things
(moderated 40 mins, 2 speakers)
- Dr. Ada Lovelace, Analytical Engine Society (remote)
- Prof Alan Turing, Bletchley Park,
  Government Code and Cypher School
Stray text after the speaker list.
GMT+1 (Paris)
Closing
"""


def test_what_cannot_be_read_is_said_with_its_line() -> None:
    imported = import_text(SMALL)
    data = imported.data
    assert data["event"]["title"] == "Small Forum 2030" and data["event"]["subtitle"] == "Tagline"
    assert data["event"]["venue"] == "Geneva (hybrid)"
    assert data["event"]["timezone"] == "Etc/GMT-5"  # no such city: a fixed offset, said so
    panel = data["sessions"][0]
    assert (panel["id"], panel["start"], panel["end"]) == ("panel", "10:00", "10:45")
    ada, alan = panel["speakers"]
    assert (ada["honorific"], ada["name"], ada["presence"]) == ("Dr.", "Ada Lovelace", "remote")
    assert alan["honorific"] == "Prof"
    assert alan["affiliation"] == "Bletchley Park, Government Code and Cypher School"
    notes = {note.line: note.message for note in imported.notes}
    assert "names no known city" in notes[7]
    assert "time range and a length" in notes[8]
    assert "not understood after the speaker list" in notes[13]
    assert "differs from the first time zone note" in notes[14]
    assert "no time and no length" in notes[15]
    assert loaded(data).sessions[1].start.isoformat() == "10:45:00"


def test_an_agenda_without_zone_or_sessions_says_so() -> None:
    imported = import_text("Just A Title\n\n- Mr. Nobody, Nowhere\n")
    messages = " ".join(note.message for note in imported.notes)
    assert "no time zone note" in messages and "no sessions found" in messages
    assert "speaker outside any session" in messages


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_any_text_survives_the_toml_writer(text: str) -> None:
    data = {"event": {"id": "x", "title": "T", "description": text, "theme": text}}
    written = tomllib.loads(to_toml({**data, "sessions": []}))
    assert written["event"]["description"] == text and written["event"]["theme"] == text


def test_export_then_import_gives_the_same_sessions() -> None:
    csv_text = export_csv(SEED)
    header = csv_text.splitlines()[0]
    assert header.startswith("session_id,session,group,start,duration")
    imported = import_csv(csv_text, "Annual ITU-MIIT Seminar 2021", "Asia/Shanghai")
    got = programme_file.parse(imported.data)
    assert got.event.id == "itu-miit-2021"
    assert got.sessions == SEED_WITHOUT_LANGUAGES.sessions  # a CSV carries no languages


def test_csv_errors_name_row_and_column() -> None:
    bad = (
        "Session,Start,Duration,Speaker,Presence,Allocation\n"
        "S1,9:00,50,Mr. A,remote,\n"
        "S1,,40,B,zoom,5x\n"
        "S2,,10,,,\n"
        "S1,,,C,,\n"
    )
    with pytest.raises(CsvError) as caught:
        import_csv(bad, "X", "UTC")
    assert caught.value.problems == [
        "row 3, column C (Duration): '40m' differs from '50m' in row 2; a session's fields"
        " must agree on all its rows",
        "row 3, column E (Presence): 'zoom' is not a presence; use in_room, remote or recorded",
        "row 3, column F (Allocation): '5x' is not a length; write minutes ('50') or text like"
        " '8m20s'",
        "row 5: session 'S1' appears again after other sessions (first at row 2); keep its rows"
        " together",
    ]
    with pytest.raises(CsvError, match="row 2: speakers: allocations"):
        import_csv(
            "session,start,duration,speaker,allocation\nS,9:00,10,A,8\nS,,,B,8\n", "X", "UTC"
        )
    with pytest.raises(CsvError, match="no 'speaker' column"):
        import_csv("session,start,who\nS,9:00,A\n", "X", "UTC")


def test_the_cli_imports_and_exports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "seed.toml"
    assert main(["import", str(AGENDA), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "itu-miit-2021-agenda.txt:61: " in err and "announces 6 speakers but lists 4" in err
    assert programme_file.load(out) == SEED_IN_ENGLISH
    assert "#   line 61: " in out.read_text()  # the file says what to check, too

    csv_path = tmp_path / "seed.csv"
    assert main(["export", str(out), "-o", str(csv_path)]) == 0
    assert main(["import", str(csv_path)]) == 2  # no title or zone for a CSV
    assert "--title" in capsys.readouterr().err
    args = ["import", str(csv_path), "--title", "Seminar", "--timezone", "Asia/Shanghai"]
    assert main([*args, "-o", str(tmp_path / "again.toml")]) == 0
    assert programme_file.load(tmp_path / "again.toml").sessions == SEED_IN_ENGLISH.sessions

    broken = tmp_path / "broken.csv"
    broken.write_text("session,speaker,presence\nS1,A,zoom\n")
    args = ["import", str(broken), "--title", "X", "--timezone", "UTC"]
    assert main([*args, "-o", str(tmp_path / "x")]) == 1
    assert "row 2, column C (presence)" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


COMPACT = """\
Regional Workshop on Spectrum 2024

A workshop held in Nairobi, Kenya.

UTC+3 (Nairobi)
09:00 - 09:20 Welcome
1. Ms. Amina Odhiambo, Communications Authority of Kenya
2. Dr. Kwame Mensah, Ministry of Communications
09:20 Keynote: Satellites
(30 min)
- Prof. Li Wei (video message)
"""


def test_a_compact_agenda_with_titles_on_the_time_line_and_numbered_speakers() -> None:
    imported = import_text(COMPACT)
    assert imported.notes == []
    event = imported.data["event"]
    assert (event["id"], event["timezone"], event["venue"]) == (
        "regional-spectrum-2024",
        "Africa/Nairobi",
        "Nairobi, Kenya",
    )
    welcome, keynote = loaded(imported.data).sessions
    assert (welcome.id, welcome.start.isoformat(), welcome.duration_ms) == (
        "welcome",
        "09:00:00",
        1_200_000,
    )
    assert [s.id for s in welcome.speakers] == ["amina-odhiambo", "kwame-mensah"]
    assert welcome.speakers[1].honorific == "Dr." and welcome.speakers[1].allocation_ms == 600_000
    assert (keynote.id, keynote.start.isoformat(), keynote.duration_ms) == (
        "keynote",
        "09:20:00",
        1_800_000,
    )
    assert keynote.speakers[0].presence.value == "recorded"


PASTED = ROOT / "tests" / "data" / "pasted-agenda-cet.txt"


def test_a_zone_on_the_time_line_is_the_zone_never_the_title() -> None:
    """The reported agenda: `10:00 - 10:40 CET` lines, a title above its subtitle."""
    imported = import_text(PASTED.read_text(encoding="utf-8"))
    assert imported.notes == []
    event = imported.data["event"]
    assert event["title"] == "Regional Dialogue on Spectrum Policy 2025"
    assert event["subtitle"] == "Sharing the airwaves across borders"
    assert event["timezone"] == "Europe/Zurich"  # CET, and the venue (Geneva) is on CET
    programme = loaded(imported.data)
    assert [(s.title, f"{s.start:%H:%M}", s.duration_ms // 60_000) for s in programme.sessions] == [
        ("Opening and Welcome", "10:00", 40),
        ("Panel: Sharing the Upper 6 GHz Band", "10:40", 50),
        ("Closing Remarks", "11:30", 15),
    ]
    opening = programme.sessions[0]
    assert opening.description == "" and opening.moderators[0].name == "Anna KELLER"
    assert programme.sessions[1].description.startswith("How can Wi-Fi")


def agenda(time_line: str, preamble: str = "Some Forum 2025\n\nAgenda\n") -> tuple[dict, str]:
    imported = import_text(f"{preamble}\n{time_line}\nOpening\n- Ms. A B, C\n")
    notes = " | ".join(str(n) for n in imported.notes)
    return imported.data, notes


@pytest.mark.parametrize(
    ("line", "zone", "title", "warning"),
    [
        ("10:00 - 10:40 CET", "Europe/Brussels", "Opening", ""),  # tzdata's CET
        ("10:00 - 10:40 CEST", "Europe/Brussels", "Opening", ""),
        ("10:00 - 10:40 UTC", "UTC", "Opening", ""),
        ("10:00 - 10:40 (GMT+8)", "Etc/GMT-8", "Opening", "no daylight saving time"),
        ("10:00 - 10:40 UTC+01:00 Keynote", "Etc/GMT-1", "Keynote", "names no known city"),
        ("10:00 - 10:40 +0530", "UTC", "Opening", "cannot tell the time zone"),
        ("10:00 - 10:40 Europe/Paris", "Europe/Paris", "Opening", ""),
        ("09:00 - 09:30 Asia/Shanghai - Welcome", "Asia/Shanghai", "Welcome", ""),
        ("10:00 - 10:40 CST", "America/Chicago", "Opening", "'CST' is ambiguous"),
        ("10:00 - 10:40 XYZT", "UTC", "Opening", "podium does not know"),
        ("10:00 - 10:40 ITU Day", "UTC", "ITU Day", "no time zone note"),  # a title, no zone
    ],
)
def test_zones_on_time_lines(line: str, zone: str, title: str, warning: str) -> None:
    data, notes = agenda(line)
    assert data["event"]["timezone"] == zone
    assert data["sessions"][0]["title"] == title
    assert (warning in notes) if warning else notes == "", notes


def test_the_venue_decides_what_an_abbreviation_or_offset_means() -> None:
    in_shenzhen = "Some Forum 2025\n\nThe forum is held in Shenzhen.\n"
    for line in ("10:00 - 11:00 CST", "10:00 - 11:00 +0800"):
        data, notes = agenda(line, in_shenzhen)
        assert (data["event"]["timezone"], notes) == ("Asia/Shanghai", "")
    data, notes = agenda("10:00 - 11:00 CET", in_shenzhen)
    assert data["event"]["timezone"] == "Europe/Brussels"
    assert "the venue is in Asia/Shanghai but the agenda says 'CET'" in notes


def test_several_zones_and_an_unclear_title_are_said() -> None:
    text = "Tagline One\nTagline Two\n\nAgenda\n\n10:00-11:00 CET\nA\n11:00-12:00 CEST\nB\n"
    text += "12:00-13:00 EST\nC\n"
    imported = import_text(text)
    assert imported.data["event"]["title"] == "Tagline One"
    assert imported.data["event"]["timezone"] == "Europe/Brussels"  # CET and CEST: one zone
    notes = {note.line: note.message for note in imported.notes}
    assert "cannot tell the event's title from its subtitle" in notes[1]
    assert "'EST' differs from the first time zone note 'CET'" in notes[10]
    assert set(notes) == {1, 10}


BILINGUAL = """\
Small Forum 2030
小型论坛2030

Agenda

10:00 - 10:45 UTC
Opening
开幕式
- Ms. Ann LEE, Some University
"""


def test_chinese_texts_through_text_import_csv_export_and_back(tmp_path: Path) -> None:
    imported = import_text(BILINGUAL)
    assert imported.notes == []
    assert imported.data["event"]["title_zh"] == "小型论坛2030"
    opening = imported.data["sessions"][0]
    assert (opening["title"], opening["title_zh"]) == ("Opening", "开幕式")
    # people's Chinese versions come from the TOML or a spreadsheet
    opening["moderators"] = [{"name": "Al B"}, {"name": "Mo SUN", "affiliation": "ITU",
                              "name_zh": "孙默", "affiliation_zh": "国际电联"}]  # fmt: skip
    opening["speakers"][0] |= {
        "name_zh": "李安",
        "honorific_zh": "女士",
        "affiliation_zh": "某大学",
    }
    path = tmp_path / "bilingual.toml"
    path.write_text(to_toml(imported.data), encoding="utf-8")
    csv_text = export_csv(path)
    assert "开幕式" in csv_text and ',"; 孙默, 国际电联",' in csv_text
    again = programme_file.parse(import_csv(csv_text, "Small Forum 2030", "UTC").data)
    assert again.sessions == programme_file.load(path).sessions
    speaker = again.sessions[0].speakers[0]
    assert (speaker.display_name_zh, speaker.affiliation_zh) == ("女士 李安", "某大学")


def test_a_repeated_long_title_keeps_its_ids_within_the_limit() -> None:
    """The 65-character crash: "-2" after a 64-character id made an id the file refuses."""
    title = "Participant Onsite Registration, Conference Material Collection Desk Services Hall"
    agenda = f"Forum 2024\n\n09:00 - 09:30 {title}\n10:00 - 10:30 {title}\n"
    data = import_text(agenda).data
    ids = [s["id"] for s in data["sessions"]]
    assert [len(i) for i in ids] == [64, 64] and ids[0] != ids[1]
    assert programme_file.parse(data).sessions[1].id.endswith("-2")

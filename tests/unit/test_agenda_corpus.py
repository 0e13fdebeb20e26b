# ruff: noqa: E501, RUF001, RUF002  (the agendas' own texts: long titles, dashes, quotes)
"""The corpus of real agendas (``tests/data/agendas/``, sources in its README), each held
to what a person reading it gets: the sessions with their days and times, the breaks, the
zone, the moderators and the speakers with their affiliations; and what the importer says
where it had to assume. Every one imports to a programme that loads."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from podium.agenda.plausible import warnings
from podium.agenda.text import import_text
from podium.agenda.toml import to_toml
from podium.cli.main import main
from podium.core.config import programme_file
from podium.core.config.programme import Programme
from tests.helpers import ROOT

CORPUS = ROOT / "tests" / "data" / "agendas"


def read(name: str) -> tuple[Programme, list[str]]:
    """The agenda imported and loaded, and its notes as "line N: ..." strings."""
    imported = import_text((CORPUS / name).read_text(encoding="utf-8"))
    return programme_file.parse(imported.data, name), [str(n) for n in imported.notes]


def outline(p: Programme) -> list[str]:
    """Each session as a reader sees it: its day (when the programme has dates), its times,
    its title, "(break)" for a break."""
    first = p.plan_date_for(0)
    rows = []
    for s in p.sessions:
        end = datetime.fromtimestamp((p.planned_start_ms(s, first) + s.duration_ms) / 1000, p.zone)
        day = f"{p.session_day(s, first)} " if p.days else ""
        kind = " (break)" if s.kind == "break" else ""
        rows.append(f"{day}{s.start:%H:%M}-{end:%H:%M} {s.title}{kind}")
    return rows


def people(p: Programme, session_id: str) -> tuple[list[str], list[str]]:
    """The session's moderators and speakers, as "Name | Affiliation"."""
    s = p.session(session_id)
    assert s is not None
    return (
        [f"{m.display_name} | {m.affiliation}" for m in s.moderators],
        [f"{sp.display_name} | {sp.affiliation}" for sp in s.speakers],
    )


OUTLINES = {
    "apc-igf-2012-pre-event.txt": [
        "10:30-11:00 Opening and Setting the Scene",
        "11:00-13:00 Taking Stock on government involvement in the Internet governance eco-system: Stakeholder perspectives on specific examples of perceived progress and failure since the WSIS",
        "13:00-14:30 Lunch (to be co-organised with other pre-events) (break)",
        "14:30-15:30 Critical reflection on what needs to be done",
        "15:30-15:45 Break (break)",
    ],
    "chemsoc-polysaccharide-2016.txt": [
        "2016-10-20 14:00-21:00 报到 (break)",
        "2016-10-21 08:00-09:00 报到 (break)",
        "2016-10-21 09:00-18:30 会议及闭幕",
        "2016-10-22 08:30-12:00 特邀专家研讨会(不对外开放)",
    ],
    "gsr-24-programme.txt": [
        "2024-07-01 09:00-09:15 Opening remarks",
        "2024-07-01 09:15-09:30 Presentation on the progress of the ITU Initiative “Digital Regulation Network (DRN) – A collaborative network of networks”",
        "2024-07-01 09:30-10:30 Discussion and interventions from the Regional Regulatory Associations",
        "2024-07-01 10:30-11:00 Coffee break – photo (break)",
        "2024-07-01 11:00-11:50 Development of harmonized broadband mapping systems",
        "2024-07-01 11:50-12:00 Closing",
        "2024-07-01 14:00-16:00 Heads of Regulators Executive Roundtable: Charting the course of transformative technologies",
    ],
    "icbea-2020.txt": [
        "2020-05-22 10:00-14:00 Participant Onsite Registration & Conference Material Collection (break)",
        "2020-05-22 14:00-16:30 Academic Visit",
        "2020-05-23 09:00-12:00 Opening Ceremony & Keynote Speech",
        "2020-05-23 12:00-13:30 Lunch (break)",
        "2020-05-23 13:30-18:00 Parallel Session Presentation",
        "2020-05-23 18:30-20:30 Dinner Banquet (break)",
        "2020-05-24 09:00-12:00 Keynote Speech and Invited Speech",
        "2020-05-24 12:00-13:30 Lunch (break)",
        "2020-05-24 13:30-17:00 Parallel Session Presentation",
    ],
    "igf-2009-main-sessions.txt": [
        "2009-11-15 10:00-11:30 Orientation Session",
    ],
    "igf-2015-wsis10-main-session.txt": [
        "09:00-09:15 PART 1: Setting the scene/ Info sharing",
        "09:15-09:45 Session at 09:15",
        "09:45-12:10 PART 2: Developing messages from the IGF community",
        "12:10-12:30 PART 3: Recap of key messages",
    ],
    "igf-2017-ws-256.txt": [
        "09:00-09:10 Scene setting: what is the mandate and scope of ITU for Internet Governance issues?",
        "09:10-09:30 What are the ongoing efforts at ITU on Internet Governance?",
        "09:30-09:40 Why should the different IG stakeholders care?",
        "09:40-10:00 What are the most pressing issues? Plenipot 2018? OTT re-regulation?",
        "10:00-10:30 Q&As and discussion",
    ],
    "itu-rdf-2008-accra.txt": [
        "2008-05-26 09:30-10:00 OPENING REMARKS: Welcome and Keynote addresses",
        "2008-05-26 10:00-10:30 COFFEE BREAK (break)",
        "2008-05-26 10:30-12:30 OPENING SESSION: Assessing needs and",
    ],
    "re2024-slide-room.txt": [
        "2024-03-15 15:00-18:30 试片室开放时间",
        "2024-03-16 07:30-18:30 试片室开放时间",
        "2024-03-17 07:30-12:00 试片室开放时间",
    ],
    "wtim-2012-bangkok.txt": [
        "2012-09-25 08:00-09:00 Delegates Registration in Bangkok Convention Center at Central World (break)",
        "2012-09-25 09:00-09:45 Opening ceremony",
        "2012-09-25 09:45-10:15 Coffee break (break)",
        "2012-09-25 10:15-10:30 Introduction to the WTIM 2012",
        "2012-09-25 10:30-12:30 High-level panel on national coordination of ICT statistics",
        "2012-09-25 12:30-14:00 Lunch break (break)",
        "2012-09-25 14:00-15:30 Session 1: ICT infrastructure and access indicators: EGTI results",
    ],
    "wtis-2014-agenda.txt": [
        "2014-11-23 09:00-09:10 All day pre-event",
        "2014-11-24 08:00-09:00 Delegates registration (break)",
        "2014-11-24 09:00-10:00 Opening ceremony",
        "2014-11-24 10:00-12:00 Ministerial roundtable: the post 2015 development agenda and future priorities for ICT for development (ICT4D) policy",
        "2014-11-24 12:00-13:30 Lunch break (break)",
        "2014-11-24 13:30-14:00 Launch of the Measuring the Information Society Report 2014",
        "2014-11-24 14:00-14:30 Press conference",
        "2014-11-24 14:30-16:00 Big Data for development and the future of ICT measurement",
    ],
    "wtis-2016-programme.txt": [
        "2016-11-21 09:00-10:00 Opening ceremony",
        "2016-11-21 10:00-10:30 Group picture and coffee break (break)",
        "2016-11-21 10:30-12:00 Ministerial Roundtable: Leaving no one behind",
        "2016-11-21 12:00-14:00 Lunch break (break)",
        "2016-11-21 14:00-15:30 Leaders’ Dialogue: Understanding the structural impact of ICTs",
    ],
}


def test_the_corpus_is_what_its_readme_lists() -> None:
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    files = sorted(f.name for f in CORPUS.glob("*.txt"))
    assert files == sorted(OUTLINES) and len(files) >= 12
    assert all(f"`{name}` | http" in readme for name in files)


@pytest.mark.parametrize("name", sorted(OUTLINES))
def test_each_agenda_reads_as_a_person_reads_it(name: str) -> None:
    p, _ = read(name)
    assert outline(p) == OUTLINES[name]
    assert all(len(sp.name) <= 120 for s in p.sessions for sp in s.speakers)
    assert all(len(s.id) <= 64 for s in p.sessions)


def test_wtim_2012_a_bangkok_meeting_runs_on_bangkok_time() -> None:
    """The venue named in the text sets the zone; banners are no title; breaks are breaks."""
    p, notes = read("wtim-2012-bangkok.txt")
    assert (p.event.title, p.event.timezone, p.event.venue) == (
        "WTIM 2012", "Asia/Bangkok", "Bangkok",
    )  # fmt: skip
    assert str(p.event.date) == "2012-09-25"  # "Tuesday, 25 September 2012"
    assert people(p, "high-level-panel") == (
        ["Brahima Sanou | Director, Telecommunication Development Bureau, ITU"],
        [],
    )  # fmt: skip  ("[biography]" is a link label, not part of the affiliation)
    assert "line 9: no time zone note; used Asia/Bangkok, the zone of Bangkok named here;" \
        " check event.timezone" in notes  # fmt: skip


def test_wtis_2014_glued_times_a_keynote_and_two_days() -> None:
    p, notes = read("wtis-2014-agenda.txt")
    assert [str(d) for d in p.days] == ["2014-11-23", "2014-11-24"]
    assert p.day_title(p.sessions[1], p.days[0]) == "Day 2 · Monday 24 November"
    assert people(p, "ministerial-roundtable") == (
        [
            "Cosmas Zavazava | Chief, Project Support and Knowledge Management Department,"
            " Telecommunication Development Bureau, ITU"
        ],
        [
            "Richard Heeks | Director, Centre for Development Informatics, University of"
            " Manchester, United Kingdom"
        ],
    )
    assert people(p, "launch") == (["Nisha Pillai | Journalist and Facilitator"], [])
    # "All day pre-event" has no time: assumed, said so, and marked for podium check
    assert "line 13: 'All day pre-event' is the first segment but has no start time; 09:00" \
        " assumed; set its start" in notes  # fmt: skip


def test_wtis_2016_a_title_on_the_line_after_its_time() -> None:
    p, _ = read("wtis-2016-programme.txt")
    assert people(p, "ministerial-roundtable") == (
        ["Dr Cosmas Zavazava | Chief of Department, Projects and Knowledge Management, ITU"],
        [],
    )
    roundtable = p.session("ministerial-roundtable")
    assert roundtable is not None and roundtable.description.startswith("The 2015 Agenda")


def test_gsr_24_items_inside_a_block_make_a_group() -> None:
    """ "09:00 – 12:00 Meeting" then "• 9h00-9h15 Opening remarks": the block is a group.
    (The speakers' cards pasted after the list are read as the last item's description
    and moderator: a reader would fix that one by hand.)"""
    p, notes = read("gsr-24-programme.txt")
    opening = p.session("opening-remarks")
    assert opening is not None and opening.group_title == "Regional Regulatory Associations (RA)"
    assert people(p, "opening-remarks")[1] == [
        "Dr Cosmas Luckyson Zavazava | BDT Director, ITU",
        "Dr Ally Yahaya Simba | Executive Secretary of the East African Communications"
        " Organization (EACO) and RA Chair",
    ]
    discussion = p.session("discussion")
    assert discussion is not None and discussion.speakers == ()  # "• Way forward" is a point
    assert discussion.description == "\u2022 Way forward"
    assert "line 9: 'Regional Regulatory Associations (RA)' holds the items from 09:00 to" \
        " 12:00 after it; read as their group" in notes  # fmt: skip


def test_itu_rdf_2008_roles_on_their_own_lines_and_wrapped_brackets() -> None:
    p, _ = read("itu-rdf-2008-accra.txt")
    assert (p.event.title, str(p.event.date)) == (
        "ITU Regional Development Forum 2008",
        "2008-05-26",
    )
    assert people(p, "opening-remarks") == (
        [
            "Godwin Avenorgbo | Retired Director of Radio, Ghana Broadcasting Corporation",
            "Jude Arthur | Chairman of the Board of the National Communications Authority"
            " (NCA), Ghana",
        ],
        [
            "Malcolm Johnson | Director of TSB",
            "Akossi Akossi | Secretary General of the African Telecommunications Union (ATU)",
            "H.E. Dr Benjamin Aggrey Ntim | Minister of Communications, Ghana",
        ],
    )
    assert people(p, "opening-session")[0] == [
        "Akossi Akossi | Secretary General of the African Telecommunications Union (ATU)"
    ]


def test_icbea_2020_three_days_in_a_table_and_an_overlap_settled() -> None:
    p, notes = read("icbea-2020.txt")
    assert [str(d) for d in p.days] == ["2020-05-22", "2020-05-23", "2020-05-24"]
    assert [s.kind for s in p.sessions].count("break") == 4  # registration, lunch, dinner
    assert "line 5: 'Participant Onsite Registration & Conference Material Collec' overlaps" \
        " the next segment; shortened to end at 14:00" in notes  # fmt: skip


def test_igf_2009_panellists_with_affiliations_on_the_next_line() -> None:
    p, _ = read("igf-2009-main-sessions.txt")
    assert (p.event.title, p.event.timezone, str(p.event.date)) == (
        "Internet Governance Forum (IGF) Meeting 2009", "Africa/Cairo", "2009-11-15",
    )  # fmt: skip
    moderators, speakers = people(p, "orientation-session")
    assert moderators == ["Markus Kummer | Executive Coordinator, IGF Secretariat"]
    assert speakers == [
        "N. Ravi Shanker | Joint Secretary, Department of Information Technology, Ministry of"
        " Information Technology, Government of India",
        "Nermine El Saadany | Director, International Relations Division, Ministry of"
        " Communications and Information Technology, Egypt",
        "Marilyn Cade | President, ICT Strategies, mCADE llc",
        "Rafik Dammak | Masters research student, Graduate School of Interdisciplinary"
        " Information Studies, University of Tokyo",
    ]


def test_apc_2012_moderator_and_panelists_on_one_line() -> None:
    p, _ = read("apc-igf-2012-pre-event.txt")
    moderators, speakers = people(p, "opening")
    assert moderators == ["Ayesha Hassan | "]
    assert speakers == [
        "Janis Karklins | IGO", "Bill Woodcock | TC", "Ambassador Benedicto Fonseca Filho | Gov",
        "Claudia Selli | PS", "Carlos Afonso | CS",
    ]  # fmt: skip
    assert len(people(p, "critical-reflection")[1]) == 7


def test_igf_2015_times_alone_and_moderators_in_one_list() -> None:
    p, notes = read("igf-2015-wsis10-main-session.txt")
    assert p.event.title == "WSIS+10 Main Session, 9AM/ Day 1"  # not the mail's date line
    assert people(p, "part-3")[0] == [
        "H.E. Amb. Benedicto Fonseca Filho | ", "Lynn St. Amour | ", "Ginger Paque | ",
    ]  # fmt: skip
    assert "line 25: a time without a title; titled it 'Session at 09:15'" in notes


def test_igf_2017_lengths_without_times() -> None:
    p, notes = read("igf-2017-ws-256.txt")
    assert [s.duration_ms // 60_000 for s in p.sessions] == [10, 20, 10, 20, 30]
    assert any("no start time; 09:00 assumed" in n for n in notes)


def test_chemsoc_2016_a_chinese_table_over_three_days_in_shanghai() -> None:
    p, _ = read("chemsoc-polysaccharide-2016.txt")
    assert (p.event.timezone, p.event.venue) == ("Asia/Shanghai", "Shanghai")
    assert [str(d) for d in p.days] == ["2016-10-20", "2016-10-21", "2016-10-22"]
    assert [s.kind for s in p.sessions] == ["break", "break", "session", "session"]  # 报到


def test_re2024_chinese_dates_and_times_without_titles() -> None:
    p, notes = read("re2024-slide-room.txt")
    assert [str(d) for d in p.days] == ["2024-03-15", "2024-03-16", "2024-03-17"]
    assert {s.title for s in p.sessions} == {"试片室开放时间"}  # the heading above the times
    assert "line 7: a time without a title; titled it '试片室开放时间'" in notes


def test_podium_check_warns_where_a_reading_is_implausible(tmp_path: Path) -> None:
    imported = import_text((CORPUS / "wtis-2014-agenda.txt").read_text(encoding="utf-8"))
    text = to_toml(imported.data, guessed=imported.guessed)
    p = programme_file.parse(imported.data)
    assert warnings(p, text) == [
        "all-day-pre-event: its length was guessed on import; set its duration or end"
    ]
    long_name = " ".join(["Ministers"] * 16)  # a list pasted without commas
    agenda = f"Spectrum Forum 2024\nHeld in Geneva, Switzerland.\n\n09:00 - 10:00 Opening\n- {long_name}\n"
    imported = import_text(agenda)
    assert imported.data["event"]["timezone"] == "Europe/Zurich"  # from "Held in Geneva"
    imported.data["event"]["timezone"] = "UTC"  # as if set by hand
    p = programme_file.parse(imported.data)
    assert warnings(p, to_toml(imported.data)) == [
        "opening: a speaker's name is 159 characters long ('Ministers Ministers Ministers"
        " Ministers '...); a list read as one person? give each person an entry of its own",
        "event.timezone is UTC but the event names Geneva (Europe/Zurich); set"
        " event.timezone to the venue's zone",
    ]


@pytest.mark.parametrize("name", sorted(OUTLINES))
def test_each_agenda_through_podium_import_then_podium_check(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "programme.toml"
    assert main(["import", str(CORPUS / name), "-o", str(out)]) == 0
    assert main(["check", str(out)]) == 0
    assert capsys.readouterr().out.rstrip().endswith("OK")

"""The forms issue 28 found wrong in real agendas, each in one made-up agenda of the same
shape: times glued to titles, days before and after times, a start alone, a venue that
sets the zone, a list head with names and affiliations on two lines, an indented numbered
list with countries, a facilitator, link labels, banners, breaks, and Chinese heads."""

from __future__ import annotations

from podium.agenda.text import import_text
from podium.core.config import programme_file

AGENDA = """\
Committed to connecting the world
Share on: Facebook Twitter
Regional Spectrum Forum 2017
The forum is held in Bangkok, Thailand.

Tuesday, 13 June 2017
09:45 - 11:10Sessions 1: Spectrum for all
High-Level Track Facilitator: Ms. Ann Lee, Director, Some Office
Panellists:
\u2022 Mr. Tom Okafor
  Director General, NCC Nigeria
\u2022 Ms. Mei Chen [ Biography ]
Tsinghua University
11:10 - 11:30 Coffee break
11:30 - 12:30 Country statements
    1. Kenya \u2013 H.E. Mr. Joe Mucheru, Cabinet Secretary, Ministry of ICT
    2. Thailand \u2013 H.E. Ms. Anna Tan, Minister of Digital Economy
16:45\u201317:30, Tuesday, 13 June 2017 Room X, Captioning for all
18:00 Closing remarks
18:30 Cocktail

14 June, 09:00 \u2013 09:30: Sessions 1: Spectrum for all
\u4e3b\u6301\u4eba\uff1a\u5f20\u4e09\uff0c\u5de5\u4e1a\u548c\u4fe1\u606f\u5316\u90e8
\u5609\u5bbe\uff1a\u674e\u56db\u3001\u738b\u4e94
"""

IMPORTED = import_text(AGENDA)
P = programme_file.parse(IMPORTED.data)
NOTES = [str(n) for n in IMPORTED.notes]


def test_banners_are_no_title_and_the_venue_sets_the_zone() -> None:
    assert (P.event.title, P.event.timezone) == ("Regional Spectrum Forum 2017", "Asia/Bangkok")
    assert "Share on" not in P.event.subtitle


def test_times_days_and_breaks() -> None:
    rows = [
        (str(s.date), f"{s.start:%H:%M}", s.duration_ms // 60_000, s.kind, s.title)
        for s in P.sessions
    ]
    assert rows == [
        ("2017-06-13", "09:45", 85, "session", "Sessions 1: Spectrum for all"),
        ("2017-06-13", "11:10", 20, "break", "Coffee break"),
        ("2017-06-13", "11:30", 60, "session", "Country statements"),
        ("2017-06-13", "16:45", 45, "session", "Captioning for all"),  # "Room X," dropped
        ("2017-06-13", "18:00", 30, "session", "Closing remarks"),  # a start alone: to 18:30
        ("2017-06-13", "18:30", 10, "break", "Cocktail"),  # the last start alone: guessed
        ("2017-06-14", "09:00", 30, "session", "Sessions 1: Spectrum for all"),
    ]
    assert [s.id for s in P.sessions][-1] == "sessions-1-2"  # a repeated title
    assert IMPORTED.guessed == {"cocktail"}
    assert "line 20: 'Cocktail' has a start time but no end; 10m assumed; set its end" in NOTES


def test_people_under_their_heads() -> None:
    first, _, statements, *_, chinese = P.sessions
    assert [(m.display_name, m.affiliation) for m in first.moderators] == [
        ("Ms. Ann Lee", "Director, Some Office")
    ]
    assert [(s.display_name, s.affiliation) for s in first.speakers] == [
        ("Mr. Tom Okafor", "Director General, NCC Nigeria"),
        ("Ms. Mei Chen", "Tsinghua University"),  # "[ Biography ]" is a link label
    ]
    assert [(s.display_name, s.affiliation) for s in statements.speakers] == [
        ("H.E. Mr. Joe Mucheru", "Cabinet Secretary, Ministry of ICT, Kenya"),
        ("H.E. Ms. Anna Tan", "Minister of Digital Economy, Thailand"),
    ]
    assert [(m.name, m.affiliation) for m in chinese.moderators] == [
        ("\u5f20\u4e09", "\u5de5\u4e1a\u548c\u4fe1\u606f\u5316\u90e8")
    ]
    assert [s.name for s in chinese.speakers] == ["\u674e\u56db", "\u738b\u4e94"]


def test_an_evening_that_ends_after_midnight() -> None:
    imported = import_text("Gala 2024\n\n22:00 - 01:00 Reception and music\n")
    session = programme_file.parse(imported.data).sessions[0]
    assert (f"{session.start:%H:%M}", session.duration_ms // 60_000) == ("22:00", 180)
    assert [str(n) for n in imported.notes][-1] == (
        "line 3: 'Reception and music' ends at 01:00, before it starts; read as ending the"
        " next day, 180 min"
    )


def test_page_chrome_is_the_share_buttons_not_a_line_that_starts_with_share() -> None:
    from podium.agenda.lines import is_chrome

    assert (
        is_chrome("Share on: Facebook Twitter") and is_chrome("Share") and is_chrome("Share this")
    )
    assert not is_chrome("share best practices on spectrum pricing across the region")

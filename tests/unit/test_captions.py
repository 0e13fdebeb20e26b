"""The caption line's checks and a session's WebVTT file (``core/captions.py``): exact
times from the session's start, cues that end at the next line (at least half a second,
at most six), interim lines and lines from before the start left out, text escaped."""

from __future__ import annotations

import pytest

from podium.core.captions import Caption, checked_final, checked_lang, checked_text, webvtt
from podium.core.errors import InvalidInput

T0 = 1_700_000_000_000


def line(at_ms: int, text: str, final: bool = True) -> Caption:
    return Caption(id=str(at_ms), text=text, final=final, at=T0 + at_ms, session_id="s")


def test_cues_are_timed_from_the_sessions_start_and_end_at_the_next_line() -> None:
    lines = [
        line(1_000, "Good morning."),
        line(1_500, "Good mor", final=False),  # interim: not in the file
        line(3_250, "Welcome <all> & everyone"),
        line(3_400, "Thank you."),
        line(3_723_004, "Later --> on"),
        line(-10, "before a restart"),  # the session was started again after this
    ]
    assert webvtt(lines, T0, "Opening Session") == (
        "WEBVTT - Opening Session\n\n"
        "1\n00:00:01.000 --> 00:00:03.250\nGood morning.\n\n"
        "2\n00:00:03.250 --> 00:00:03.750\nWelcome &lt;all&gt; &amp; everyone\n\n"
        "3\n00:00:03.400 --> 00:00:09.400\nThank you.\n\n"
        "4\n01:02:03.004 --> 01:02:09.004\nLater --&gt; on\n\n"
    )


def test_a_session_without_lines_is_an_empty_file() -> None:
    assert webvtt([], T0) == "WEBVTT\n"


def test_line_breaks_never_end_a_cue_early() -> None:
    assert "\n\n" not in webvtt([line(0, "one\n\ntwo\r\nthree")], T0).split("\n\n", 1)[1][:-2]


@pytest.mark.parametrize(
    ("check", "value", "says"),
    [
        (checked_text, "x" * 501, "at most 500"),
        (checked_text, "\u200b \n", "empty"),
        (checked_text, None, "must be a string"),
        (checked_lang, "en_US", "not a language tag"),
        (checked_lang, 3, "not a language tag"),
        (checked_final, "false", "final must be"),
    ],
)
def test_bad_values_are_refused_with_what_to_send(check: object, value: object, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        check(value)  # type: ignore[operator]


def test_good_values() -> None:
    assert checked_text("  " + "字" * 500 + " ") == "字" * 500
    assert checked_lang("zh-Hans") == "zh-Hans" and checked_lang(None) is None
    assert checked_final(None) is True and checked_final(False) is False

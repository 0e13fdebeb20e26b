"""The console on the live day (issue 10), in real Chromium: two consoles that would trip
over each other are asked first, undo says whose change it takes back, the stage's message
goes with its speaker, and a rehearsal without a programme date is not alarming."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import Server
from tests.web.test_web import WAIT, Faces, expect, wait_version

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.mark.slow
def test_a_press_right_after_another_consoles_change_is_held_and_asked_about(
    faces: Faces, server: Server
) -> None:
    a, b = faces.console(), faces.console()
    server.command("start_session", session_id="session-1")
    wait_version(a, 1)
    wait_version(b, 1)

    a.keyboard.press(" ")  # A pauses ...
    wait_version(b, 2)
    b.keyboard.press(" ")  # ... and B, a moment later, would resume: it asks instead
    dialog = b.locator("#confirm")
    expect(dialog).to_be_visible(timeout=WAIT)
    expect(b.locator("#confirm-text")).to_have_text(
        "Another console just paused the timer. Send your “Resume” anyway?"
    )
    b.keyboard.press("Escape")  # no
    expect(dialog).to_be_hidden()
    expect(b.locator("#feedback")).to_have_text("Not sent: “Resume”.")
    state = server.state()
    assert state["version"] == 2 and state["state"]["timer"]["status"] == "paused"

    # A resumes (Space decides by the state A holds: its own pause must have reached it,
    # or A would send a second pause, refused); B's "next" a moment later is asked about too
    wait_version(a, 2)
    a.keyboard.press(" ")
    wait_version(b, 3)
    a.keyboard.press("n")  # A skips Hequan WU ...
    wait_version(b, 4)
    b.keyboard.press("n")  # ... and B's Next, meant for him, is held
    expect(b.locator("#confirm-text")).to_have_text(
        "Another console just moved to Mr. Bilel Jamoussi. Send your “Next” anyway?", timeout=WAIT
    )
    b.keyboard.press("Enter")  # yes, by keyboard
    wait_version(a, 5)
    assert server.state()["state"]["speaker"]["id"] == "duo-liu"

    # A's undo names B's change, and asks before taking it back
    undo = a.locator("#btn-undo")
    expect(undo).to_have_attribute(
        "title", re.compile(r"^Undo Next by another console, \d+ s ago$")
    )
    a.keyboard.press("u")
    expect(a.locator("#confirm-text")).to_have_text(
        re.compile(r"^Undo Next by another console, \d+ s ago\?$"), timeout=WAIT
    )
    a.click("#confirm-ok")
    wait_version(b, 6)
    state = server.state()["state"]
    assert state["speaker"]["id"] == "bilel-jamoussi"
    assert state["last_change"]["actor"] == state["undo"]["actor"]  # A undid; A had moved
    expect(b.locator("#btn-undo")).to_have_attribute(
        "title", re.compile(r"^Undo Next by another console")
    )


def test_the_stage_message_goes_with_its_speaker_unless_pinned(
    faces: Faces, server: Server
) -> None:
    console = faces.console()
    screen = faces.open("/screen")
    viewer = faces.open("/viewer")
    server.command("start_session", session_id="session-1")
    wait_version(console, 1)
    console.fill("#message-text", "Please wrap up")
    console.click("#message-send")
    expect(screen.locator("#message-text")).to_have_text("Please wrap up", timeout=WAIT)
    console.keyboard.press("Escape")
    console.keyboard.press("n")
    expect(screen.locator("#message")).to_be_hidden(timeout=WAIT)
    expect(viewer.locator("#banner-text")).to_have_text("Please wrap up")  # viewers keep theirs

    console.check("#message-pin")
    console.click("label:has(input[value='screen'])")
    console.fill("#message-text", "Mic 2 is off")
    console.click("#message-send")
    expect(screen.locator("#message-text")).to_have_text("Mic 2 is off", timeout=WAIT)
    expect(console.locator("#message-screen-label")).to_have_text("On the stage screen (pinned):")
    console.keyboard.press("Escape")
    console.keyboard.press("n")
    wait_version(screen, 5)
    expect(screen.locator("#message-text")).to_have_text("Mic 2 is off")


@pytest.mark.slow
def test_a_rehearsal_without_a_date_is_not_alarming(faces: Faces, server: Server) -> None:
    console = faces.console()
    viewer = faces.open("/viewer")
    hint = console.locator("#date-form")
    expect(hint).to_be_visible()
    expect(console.locator("#date-hint-text")).to_contain_text("The programme has no date")
    expect(viewer.locator("#drift")).to_be_hidden()  # no lateness before the day begins

    yesterday = dt.datetime.now(ZONE).date() - dt.timedelta(days=1)
    console.fill("#date-value", yesterday.isoformat())
    console.click("#date-form button[type=submit]")
    expect(hint).to_be_hidden(timeout=WAIT)
    assert server.state()["state"]["plan_date"] == yesterday.isoformat()
    # yesterday's plan is more than 15 hours behind: said in hours and minutes
    late = re.compile(r"^Running \d+ h( \d+ min)? late$")
    expect(console.locator("#drift")).to_have_text(late, timeout=WAIT)
    expect(viewer.locator("#drift")).to_be_hidden()
    expect(viewer.locator(".v-session-facts[data-late]")).to_have_count(0)  # no shifts either

    server.command("start_session", session_id="opening-session")
    expect(viewer.locator("#drift")).to_have_text(late, timeout=WAIT)
    expect(viewer.locator(".v-session-facts[data-late]").first).to_contain_text(" h")

    console.keyboard.press("Escape")
    server.command("undo")  # back to the guessed day: the hint is back, and "Use today" sets it
    server.command("undo")
    expect(hint).to_be_visible(timeout=WAIT)
    console.click("#date-today")
    expect(hint).to_be_hidden(timeout=WAIT)
    assert server.state()["state"]["plan_date_from"] == "console"

"""A programme over two days with breaks, in real Chromium: the console and the viewer say
which day it is and head each day's sessions, a break is marked; during lunch the venue
screen says when we resume and the viewer until when the break runs. Screenshots:
``days-console``, ``days-viewer``, ``break-screen`` (``PODIUM_SCREENSHOTS_DIR``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from tests.helpers import ROOT, Server
from tests.web.test_web import SHIFTED_CLOCK, WAIT, Faces, make_faces, save

TWO_DAYS = ROOT / "tests" / "programmes" / "two-days.toml"
DAYS = ["Day 1 · Wednesday 26 April", "Day 2 · Thursday 27 April"]


@pytest.fixture
def days_faces(browser: Browser, tmp_path: Path) -> Iterator[tuple[Faces, Server]]:
    """The programme served with the clocks (server and browser alike) moved to noon on its
    second day, Thursday 27 April 2023 in Geneva, whatever the real date."""
    noon = datetime(2023, 4, 27, 12, 0, 0, 500_000, tzinfo=ZoneInfo("Europe/Zurich"))
    shift = round((noon.timestamp() - datetime.now().timestamp()) * 1000)
    (tmp_path / "clock").mkdir()
    (tmp_path / "clock" / "sitecustomize.py").write_text(SHIFTED_CLOCK)
    env = {"PYTHONPATH": str(tmp_path / "clock"), "PODIUM_TEST_CLOCK_SHIFT_MS": str(shift)}
    srv = Server(data_dir=tmp_path / "data", programmes=[TWO_DAYS], env=env).start()
    page_clock = (
        "Object.defineProperty(performance, 'timeOrigin',"
        f" {{ value: performance.timeOrigin + {shift} }});"
    )
    try:
        for faces in make_faces(browser, srv, font="noto", init_script=page_clock):
            yield faces, srv
    finally:
        srv.kill()


def test_two_days_and_a_break_on_console_viewer_and_screen(
    days_faces: tuple[Faces, Server],
) -> None:
    faces, server = days_faces
    # day 1 and the morning of day 2 ran; lunch starts on time at noon
    for session in ("opening", "coffee", "panel", "keynote"):
        server.command("start_session", session_id=session)
        server.command("end_session")
    assert server.command("start_session", session_id="lunch")[0] == 200
    resume = "14:00"

    screen = faces.open("/screen")
    expect(screen.locator("#speaker-name")).to_have_text(f"Lunch — we resume at {resume}")
    expect(screen.locator("body")).to_have_class("screen is-break", timeout=WAIT)
    # two hours to 14:00, counting down: 1:59:59 a second after the start, later on a machine
    # slow to open the page (the seconds are the clock's, not this test's to hold)
    expect(screen.locator("#countdown")).to_have_text(re.compile(r"^1:59:[0-5]\d$"), timeout=WAIT)
    screen.wait_for_timeout(300)  # fonts
    save(screen, "break-screen")

    viewer = faces.open("/viewer")
    expect(viewer.locator("#now-day")).to_have_text(DAYS[1])
    expect(viewer.locator("#now-label")).to_have_text(f"Break until {resume}")
    expect(viewer.locator(".v-day")).to_have_text(DAYS)
    expect(viewer.locator(".v-session.is-break")).to_have_count(2)
    viewer.wait_for_timeout(300)
    save(viewer, "days-viewer")

    chinese = faces.open("/viewer?lang=zh-CN")
    expect(chinese.locator("#now-day")).to_have_text("第2天 · 4月27日星期四")
    expect(chinese.locator("#now-label")).to_have_text("休息至 14:00")
    expect(chinese.locator("#now-name")).to_have_text("午餐")  # the programme's title_zh
    chinese.wait_for_timeout(300)
    save(chinese, "days-viewer-zh")

    console = faces.console()
    console.set_viewport_size({"width": 1280, "height": 800})
    expect(console.locator("#now-day")).to_have_text(DAYS[1])
    expect(console.locator("#now-session")).to_have_text("Lunch")
    expect(console.locator(".rd-day")).to_have_text(DAYS)
    expect(console.locator(".rd-session.is-break .chip-break")).to_have_text(["Break", "Break"])
    console.wait_for_timeout(300)
    save(console, "days-console")

    # the console ends the break like a session; the screen then waits for what comes next
    console.click("#btn-end")
    expect(console.locator("#confirm-text")).to_contain_text("Lunch")
    console.click("#confirm-ok")
    expect(screen.locator("#idle-next")).to_contain_text("Closing", timeout=WAIT)
    expect(screen.locator("body")).not_to_have_class("screen is-break")
    expect(viewer.locator("#now-day")).to_have_text(DAYS[1])  # the next session's day


def test_a_one_day_programme_shows_no_days(faces: Faces, server: Server) -> None:
    server.command("start_session", session_id="opening-session")
    viewer = faces.open("/viewer")
    expect(viewer.locator("#now-session")).to_have_text("Opening Session")
    expect(viewer.locator("#now-day")).to_be_hidden()
    expect(viewer.locator(".v-day")).to_have_count(0)
    console = faces.console()
    expect(console.locator("#now-day")).to_be_hidden()
    expect(console.locator(".rd-day")).to_have_count(0)

"""The pages draw when what they show may change (a state pushed, a second flipping, a
quarter second at most), not on every animation frame: in Chromium, each face counting the
animation frames it asks for while a timer runs, and its countdown still flipping."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.helpers import Server
from tests.web.test_web import READY

COUNT_FRAMES = """
window.__frames = 0;
const ask = window.requestAnimationFrame.bind(window);
window.requestAnimationFrame = (callback) => { window.__frames += 1; return ask(callback); };
"""
WATCH_S = 2.0


@pytest.mark.parametrize(
    ("face", "countdown"),
    [("/screen", "#countdown"), ("/viewer", "#left"), ("/overlay", None)],
)
def test_a_page_asks_for_a_few_frames_a_second_and_still_flips_its_seconds(
    browser: Browser, server: Server, face: str, countdown: str | None
) -> None:
    assert server.command("start_session", session_id="session-1")[0] == 200
    context = browser.new_context()
    context.add_init_script(COUNT_FRAMES)
    try:
        page = context.new_page()
        page.goto(server.url + face)
        page.wait_for_selector(READY, state="attached")
        shown = [page.inner_text(countdown)] if countdown else []
        before = page.evaluate("window.__frames")
        page.wait_for_timeout(WATCH_S * 1000)
        frames = page.evaluate("window.__frames") - before
        # at most: every 250 ms, and each second of the clock, the timer and the session
        # (~4 + 3 a second); every animation frame was ~60 a second
        assert frames <= WATCH_S * 8, frames
        assert frames >= WATCH_S * 3, frames  # it does keep drawing
        if countdown:
            shown.append(page.inner_text(countdown))
            assert shown[0] != shown[1], shown  # two seconds later, the countdown moved
    finally:
        context.close()

"""One countdown rule on the pages: ``countdown`` (``web/js/countdown.js``), run in
Chromium, against ``tests/data/countdown-cases.json``, the cases Python is held to
(``tests/unit/test_countdown.py``)."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.countdown_cases import CASES
from tests.helpers import Server

COUNTDOWN = """async (cases) => {
  const { countdown } = await import("/assets/js/countdown.js");
  return cases.map((c) => {
    const { text, seconds } = countdown(c.left_ms);
    return { left_ms: c.left_ms, text, seconds };
  });
}"""


def test_the_pages_show_each_case(browser: Browser, server: Server) -> None:
    page = browser.new_page()
    page.goto(server.url + "/")
    got = page.evaluate(COUNTDOWN, CASES)
    page.close()
    expected = [{k: case[k] for k in ("left_ms", "text", "seconds")} for case in CASES]
    assert got == expected

"""How long a change of the plan takes from a moderator's command to the pages showing it
(issue 25: "within a second"). Starts a real server with Session 3 live, opens the venue
screen, a viewer page and the speaker page of Mr. Jing SUN (who is next) in headless
Chromium, renames him over HTTP (``update_speaker``, back and forth) and records when each
page's DOM changed. A figure for the docs, never a test assertion::

    .venv/bin/python -m tests.measure_plan_pages [ROUNDS]
"""

from __future__ import annotations

import sys
import time

from playwright.sync_api import Page

from tests.measure_web_latency import WATCH, say, seed_served_in_chromium
from tests.server.test_speakers import links

NAMES = ("Jing SUN (renamed)", "Jing SUN")


def measure(rounds: int) -> dict[str, list[float]]:
    with seed_served_in_chromium() as (server, browser):
        server.command("start_session", session_id="session-3")
        pages: dict[str, tuple[Page, str]] = {}
        for name, path, selector in (
            ("screen", "/screen", "#next-speaker"),
            ("viewer", "/viewer", "#agenda"),
            ("speaker", links(server)["jing-sun"].removeprefix(server.url), "#name"),
        ):
            page = browser.new_page()
            page.goto(server.url + path)
            page.wait_for_selector("#podium-status[data-state='live']", state="attached")
            page.wait_for_function(
                "(s) => document.querySelector(s).textContent.includes('Jing SUN')", arg=selector
            )
            pages[name] = (page, selector)
        latencies: dict[str, list[float]] = {name: [] for name in pages}
        for i in range(rounds):
            for page, selector in pages.values():
                page.evaluate(WATCH, selector)
            sent = time.time() * 1000
            fields = {"name": NAMES[i % 2]}
            server.command("update_speaker", speaker_id="jing-sun", fields=fields)
            for name, (page, _) in pages.items():
                page.wait_for_function("() => window.__changes.length > 0")
                latencies[name].append(page.evaluate("window.__changes[0]") - sent)
            time.sleep(0.1)
        return latencies


if __name__ == "__main__":
    say(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 20))

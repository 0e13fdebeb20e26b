"""How long a change takes from a moderator's command to a page showing it.

Starts a real server, opens a venue screen and a viewer page in headless Chromium, sends
``next``/``previous`` over HTTP and records when each page's DOM changed. A figure for the
docs, never a test assertion::

    .venv/bin/python -m tests.measure_web_latency [ROUNDS]
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from tests.browsers import CHROMIUM_ARGS
from tests.helpers import Server
from tests.machine import find_chromium

WATCH = """(selector) => {
  window.__changes = [];
  new MutationObserver(() => window.__changes.push(Date.now())).observe(
    document.querySelector(selector), { childList: true, characterData: true, subtree: true });
}"""


@contextlib.contextmanager
def seed_served_in_chromium() -> Iterator[tuple[Server, Browser]]:
    """For a measurement: a real server for the seed on its own data dir, and a headless
    Chromium; exits saying why when there is no Chromium."""
    chromium, why = find_chromium()
    if chromium is None:
        sys.exit(why)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        server = Server(data_dir=Path(tmp) / "data").start()
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield server, browser
        finally:
            browser.close()
            server.kill()


def latencies(
    server: Server,
    browser: Browser,
    faces: list[tuple[str, str, str]],
    change: Callable[[int], object],
    rounds: int,
) -> dict[str, list[float]]:
    """Open each of ``faces`` (name, path, the selector to watch) once it shows something
    there, then ``rounds`` times: make ``change(i)`` and time each page's first DOM change
    under its selector."""
    pages: dict[str, tuple[Page, str]] = {}
    for name, path, selector in faces:
        page = browser.new_page()
        page.goto(server.url + path)
        page.wait_for_selector("#podium-status[data-state='live']", state="attached")
        page.wait_for_function(
            "(s) => document.querySelector(s).textContent.trim() !== ''", arg=selector
        )
        pages[name] = (page, selector)
    found: dict[str, list[float]] = {name: [] for name in pages}
    for i in range(rounds):
        for page, selector in pages.values():
            page.evaluate(WATCH, selector)
        sent = time.time() * 1000
        change(i)
        for name, (page, _) in pages.items():
            page.wait_for_function("() => window.__changes.length > 0")
            found[name].append(page.evaluate("window.__changes[0]") - sent)
        time.sleep(0.1)
    return found


def measure(rounds: int) -> dict[str, list[float]]:
    with seed_served_in_chromium() as (server, browser):
        server.command("start_session", session_id="session-1")
        faces = [("screen", "/screen", "#speaker-name"), ("viewer", "/viewer", "#now-name")]

        def move(i: int) -> object:
            return server.command("next" if i % 2 == 0 else "previous")

        return latencies(server, browser, faces, move, rounds)


def say(latencies: dict[str, list[float]]) -> None:
    """Print each page's median, p95 and max."""
    for name, values in latencies.items():
        values.sort()
        p95 = values[max(0, round(len(values) * 0.95) - 1)]
        print(
            f"{name}: median {statistics.median(values):.0f} ms, p95 {p95:.0f} ms,"
            f" max {values[-1]:.0f} ms over {len(values)} changes (HTTP command -> DOM)"
        )


def main() -> None:
    say(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 20))


if __name__ == "__main__":
    main()

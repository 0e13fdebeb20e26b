"""The Chromium the page tests drive, kept across the browser modules a pytest process runs
one after another: a launch (the Playwright driver and the browser) costs ~0.8 s of CPU,
and the browser tests span some thirty modules.

A sync Playwright holds its thread's event loop while it is open, and ``asyncio.run`` (which
the other tests use) refuses to start inside it, so the browser is closed before the first
test that does not use it (``tests/conftest.py``) and launched again by the next that does.
"""

from __future__ import annotations

from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.machine import chromium_or_skip

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Kept:
    """One Chromium at most, launched when first asked for."""

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    def browser(self) -> Browser:
        if self._browser is not None and self._browser.is_connected():
            return self._browser
        self.close()  # it crashed or was closed: start over
        executable = chromium_or_skip()
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS
        )
        return self._browser

    def close(self) -> None:
        if self._browser is not None and self._browser.is_connected():
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()
        self._browser = self._playwright = None


KEPT = Kept()

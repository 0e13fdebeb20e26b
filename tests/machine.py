"""What the suite needs from the machine beyond Python, and what a test does without it.

Chromium drives the pages' tests, ``redis-server`` the Redis store's, and root mounts the
tmpfs of the full-disk test. When one is missing its tests skip with a reason that starts
``needs PART:`` and names the command that installs it (``conftest.py`` sums these up at
the end of every run); ``PODIUM_REQUIRE_BROWSER=1`` / ``PODIUM_REQUIRE_REDIS=1`` (as
``.ci/run`` sets) make a missing browser or Redis a failure instead.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest


@dataclass(frozen=True)
class Part:
    name: str  # as the skip reason says it: "needs {name}: ..."
    install: str  # the one command (or step) that provides it
    require: str | None = None  # the variable that makes its absence a failure
    apt: str | None = None  # the Debian package that provides it

    @property
    def prefix(self) -> str:
        return f"needs {self.name}: "

    def missing(self, why: str) -> NoReturn:
        """Skip this test, or fail it when the part is required."""
        if self.require and os.environ.get(self.require) == "1":
            pytest.fail(f"{self.prefix}{why} ({self.require}=1 makes this a failure)")
        pytest.skip(f"{self.prefix}{why}")


BROWSER = Part(
    "Chromium",
    "sudo apt-get install chromium (or: .venv/bin/python -m playwright install chromium)",
    "PODIUM_REQUIRE_BROWSER",
    apt="chromium",
)
REDIS = Part(
    "redis-server", "sudo apt-get install redis-server", "PODIUM_REQUIRE_REDIS", apt="redis-server"
)
ROOT_MOUNT = Part("root to mount a tmpfs", "run as root, e.g. in a container as CI does")
# the fonts a venue PC with Chinese installed has (Debian's): the pages' layout tests run
# with them as well as with DejaVu; a browser test, so required with the browser
NOTO_CJK = Part(
    "Noto Sans CJK",
    "sudo apt-get install fonts-noto-cjk",
    "PODIUM_REQUIRE_BROWSER",
    apt="fonts-noto-cjk",
)
# the proxies docs/deploy.md configures, run by tests/web/test_proxies.py with its blocks
NGINX = Part("nginx", "sudo apt-get install nginx", apt="nginx")
HAPROXY = Part("haproxy", "sudo apt-get install haproxy", apt="haproxy")
OPENSSL = Part("openssl", "sudo apt-get install openssl", apt="openssl")
PARTS = (BROWSER, REDIS, NOTO_CJK, ROOT_MOUNT, NGINX, HAPROXY, OPENSSL)


def program_or_skip(part: Part, *paths: str) -> str:
    """The program ``part`` names, on PATH or at one of ``paths``; else this test skips."""
    found = shutil.which(part.name) or next((p for p in paths if _executable(p)), None)
    if found is None:
        part.missing(f"no {part.name} on PATH or at {', '.join(paths) or 'the usual places'}")
    return found


CHROMIUM_PATHS = [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
    "/snap/bin/chromium",
]
CHROMIUM_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
NO_CHROMIUM = (
    "no Chromium found (looked for PODIUM_CHROMIUM, "
    + ", ".join(CHROMIUM_NAMES)
    + " on PATH, "
    + ", ".join(CHROMIUM_PATHS)
    + " and Playwright's own download)"
)


def _executable(path: str | Path) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def playwrights_own() -> str | None:
    """The browser ``playwright install chromium`` downloaded, if it did."""
    from playwright.sync_api import Error, sync_playwright

    try:
        with sync_playwright() as pw:
            path = pw.chromium.executable_path
    except Error:
        return None
    return path if _executable(path) else None


@functools.cache
def find_chromium() -> tuple[str | None, str]:
    """The Chromium to drive and ``""``, or ``None`` and why there is none.

    ``PODIUM_CHROMIUM``, when set, is the only one considered; else the first of the
    usual names on ``PATH``, then the distributions' paths, then Playwright's download."""
    chosen = os.environ.get("PODIUM_CHROMIUM")
    if chosen is not None:
        if _executable(chosen):
            return chosen, ""
        return None, f"PODIUM_CHROMIUM={chosen} is not an executable file"
    on_path = (shutil.which(name) for name in CHROMIUM_NAMES)
    candidates = [*(p for p in on_path if p), *CHROMIUM_PATHS]
    found = next((p for p in candidates if _executable(p)), None) or playwrights_own()
    return (found, "") if found else (None, NO_CHROMIUM)


def chromium_or_skip() -> str:
    """The Chromium to drive; else this test skips (fails under PODIUM_REQUIRE_BROWSER=1)."""
    path, why = find_chromium()
    if path is None:
        BROWSER.missing(why)
    return path


def font_or_skip(family: str) -> None:
    """This test renders with ``family``; else it skips (fails under PODIUM_REQUIRE_BROWSER=1).
    DejaVu comes with Chromium's dependencies; Noto Sans CJK is asked of fontconfig."""
    try:
        found = subprocess.run(["fc-list", "-q", family], check=False).returncode == 0
    except FileNotFoundError:
        found = False
    if not found:
        (NOTO_CJK if "CJK" in family else BROWSER).missing(f"no font {family!r} (fc-list)")

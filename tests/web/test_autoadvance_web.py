"""The console and an item that ends itself, in real headless Chromium against a real server:
"advances by itself in 0:12" counts down, the hold button keeps the item on."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.helpers import Server
from tests.web.test_web import WAIT, Faces, make_faces, wait_version


@pytest.fixture
def auto_faces(browser: Browser, auto_server: Server) -> Iterator[Faces]:
    yield from make_faces(browser, auto_server)


@pytest.mark.slow
def test_the_console_counts_down_to_the_advance_and_can_keep_the_item_on(
    auto_faces: Faces,
) -> None:
    server = auto_faces.server
    console = auto_faces.console()
    line = console.locator("#auto-advance")
    expect(line).to_be_hidden()  # nothing live yet
    status, body = server.command("goto", speaker_id="clip")
    assert status == 200, body
    wait_version(console, body["version"])
    expect(line).to_be_visible()
    expect(console.locator("#auto-advance-text")).to_have_text(
        re.compile(r"^Advances by itself in 0:0[1-3]$")
    )
    console.keyboard.press("h")  # keep it on
    wait_version(console, body["version"] + 1)
    expect(console.locator("#auto-advance-text")).to_have_text(
        "Kept on: will not advance by itself"
    )
    expect(console.locator("#btn-hold")).to_have_attribute("aria-pressed", "true")
    assert server.state()["state"]["speaker"]["id"] == "clip"

    console.locator("#btn-hold").click()  # let it go: past its end, it advances at once
    wait_version(console, body["version"] + 3)
    expect(console.locator("#now-name")).to_have_text("Lee LIVE", timeout=WAIT)
    expect(line).to_be_hidden()
    last = server.state()["state"]["last_change"]
    assert last["actor"] == "system" and last["action"] == "next"
    expect(console.locator("#undo-sub")).to_contain_text("Podium, by itself")

    status, body = server.command("goto", speaker_id="outro")
    assert status == 200, body
    wait_version(console, body["version"])
    expect(console.locator("#auto-advance-text")).to_have_text(
        re.compile(r"^Ends the session by itself in 0:0[1-2]$|^Advancing by itself…$")
    )

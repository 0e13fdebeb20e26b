"""A private event in a real browser: the landing page says so, and the pages opened with
the viewer link (``#token=…``) read the programme and the live state with that token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.helpers import Server
from tests.web.test_web import Faces, make_faces

VIEWER_TOKEN = "viewer-token-abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def private_faces(browser: Browser, tmp_path: Path) -> Iterator[Faces]:
    srv = Server(data_dir=tmp_path / "data", env={"PODIUM_VIEWER_TOKEN": VIEWER_TOKEN}).start()
    try:
        yield from make_faces(browser, srv)
    finally:
        srv.kill()


def test_private_event_pages_use_the_viewer_link(private_faces: Faces) -> None:
    home = private_faces.open("/", ready="#private")
    expect(home.locator("#private")).to_be_visible()
    expect(home.locator("#private")).to_contain_text("private")
    for face in ("viewer", "screen", "overlay"):
        page = private_faces.open(f"/{face}#token={VIEWER_TOKEN}")
        assert "token" not in page.url  # taken from the address bar, kept in the tab
        expect(page.locator("#podium-status")).to_have_attribute("data-version", "0")
    server = private_faces.server
    assert server.command("start_session", session_id="session-1")[0] == 200
    expect(page.locator("#podium-status")).to_have_attribute("data-version", "1")
    with_link = private_faces.open(f"/#token={VIEWER_TOKEN}", ready="#private")
    expect(with_link.locator("#event-title")).to_contain_text("ITU-MIIT")


def test_private_event_pages_without_the_token_say_so(private_faces: Faces) -> None:
    for face in ("viewer", "screen"):  # the overlay stays transparent: OBS shows nothing
        page = private_faces.open(f"/{face}", ready=".podium-locked")
        expect(page.locator(".podium-locked")).to_contain_text("#token=")
        expect(page.locator("#podium-status")).to_have_attribute("data-version", "-1")
    overlay = private_faces.open("/overlay", ready=".podium-locked")  # it loads the branding
    expect(overlay.locator(".podium-locked")).to_be_hidden()


def test_private_event_console_signs_in_then_loads_the_programme(private_faces: Faces) -> None:
    page = private_faces.open("/console")
    expect(page.locator("#login")).to_be_visible()
    expect(page.locator(".podium-locked")).to_have_count(0)  # its own sign-in asks instead
    page.fill("#token", private_faces.server.token)
    page.click("#login button[type=submit]")
    expect(page.locator(".rd-session").first).to_be_visible()


def test_public_event_landing_page_has_no_notice(faces: Faces) -> None:
    home = faces.open("/", ready="#private")
    expect(home.locator("#event-title")).to_contain_text("ITU-MIIT")
    expect(home.locator("#private")).to_be_hidden()

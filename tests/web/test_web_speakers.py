"""The speakers' side in a real browser: a speaker's page through a whole turn (at a phone's
size and at 1280x720, in English and Chinese), cues on the venue screen and never on the
viewers' pages, the console's readiness live, links and QR codes, and a wrong or replaced
link. Screenshots of the speaker page go where ``tests/web/test_web.py`` puts them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers import Server
from tests.server.test_speakers import links as all_links
from tests.server.test_speakers import rotate_speaker_key
from tests.web.test_web import Faces, make_faces, save

SIZES = {"phone": {"width": 390, "height": 844}, "window": {"width": 1280, "height": 720}}
WORDS = {
    "en-GB": {"next": "You\u2019re next", "ended": "Your turn ended at", "stop": "Please stop now"},
    "zh-CN": {"next": "下一位就是您", "ended": "您的发言已于", "stop": "请立即结束"},
}


def links(server: Server) -> dict[str, str]:
    """Each speaker's link, as a path on the server."""
    return {sid: url.removeprefix(server.url) for sid, url in all_links(server).items()}


@dataclass
class Sized:
    faces: Faces
    size: str
    locale: str

    def open(self, path: str) -> Page:
        page = self.faces.open(path)
        page.set_viewport_size(SIZES[self.size])
        return page

    def shot(self, page: Page, phase: str) -> None:
        page.wait_for_timeout(300)  # fonts
        suffix = "" if self.locale == "en-GB" else "-zh"
        save(page, f"speaker-{self.size}-{phase}{suffix}")


@pytest.fixture(params=[(s, lang) for s in SIZES for lang in WORDS], ids=lambda p: "-".join(p))
def sized(request: pytest.FixtureRequest, browser: Browser, server: Server) -> Iterator[Sized]:
    size, locale = request.param
    for made in make_faces(browser, server, font="noto", locale=locale):
        yield Sized(made, size, locale)


@pytest.mark.slow
def test_a_speaker_page_through_a_whole_turn(sized: Sized, server: Server) -> None:
    words = WORDS[sized.locale]
    link = links(server)["bilel-jamoussi"]  # Session 1's second speaker
    server.command("start_session", session_id="session-1")
    page = sized.open(link)
    expect(page.locator("body")).to_have_attribute("data-phase", "before")
    expect(page.locator("#headline")).to_have_text(words["next"])
    expect(page.locator("#name")).to_have_text("Mr. Bilel Jamoussi")
    expect(page.locator("#start-event")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    expect(page.locator("#start-local")).to_have_text(re.compile(r"^\d\d:\d\d$"))  # Zurich
    page.fill("#note", "slides shared")
    page.click("#ready")
    expect(page.locator("#ready-state")).to_contain_text("slides shared")
    later = sized.open(links(server)["ran-xiao"])
    expect(later.locator("#headline")).to_have_text(re.compile(r"\b[3-9]\b"))
    later.close()
    if sized.size == "phone":
        sized.shot(page, "before")

    screen = sized.open("/screen")
    server.command("next")
    expect(page.locator("body")).to_have_attribute("data-phase", "during")
    left = server.state()["state"]["timer"]["remaining_ms"] // 1000
    server.command("add_time", seconds=-(left - 60))  # a minute left: under the 2 min warning
    for face in (page, screen):
        expect(face.locator("body")).to_have_attribute("data-zone", "amber")
    server.command("pause")  # the same countdown, to the second, frozen to compare
    expect(page.locator("#paused")).to_be_visible()
    expect(screen.locator("#paused-badge")).to_be_visible()  # both hold the paused state
    expect(page.locator("#countdown")).to_have_text(screen.locator("#countdown").inner_text())
    server.command("resume")
    server.command("cue", kind="stop")
    server.command("show_message", text="<i>Questions in the chat</i>", target="screen")
    for face in (page, screen):
        expect(face.locator("#cue")).to_have_text(words["stop"], ignore_case=True)
        expect(face.locator("#cue")).to_have_class(re.compile(r"\bis-flashing\b"))
    expect(page.locator("#message")).to_have_text("<i>Questions in the chat</i>")
    expect(page.locator("#cue")).not_to_have_class(re.compile(r"\bis-flashing\b"))  # steady
    sized.shot(page, "during")

    server.command("next")
    expect(page.locator("body")).to_have_attribute("data-phase", "after")
    expect(page.locator("#after-text")).to_contain_text(words["ended"])
    expect(page.locator("#cue")).to_be_hidden()
    expect(screen.locator("#cue")).to_be_hidden()  # the cue went with its speaker
    if sized.size == "phone":
        sized.shot(page, "after")
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")


def test_the_console_sees_readiness_live_and_cues_by_key(faces: Faces, server: Server) -> None:
    faces.context.grant_permissions(["clipboard-read", "clipboard-write"])
    console = faces.console()
    row = console.locator(".rd-ready[data-speaker='duo-liu']")
    expect(row).to_have_attribute("data-ready", "none")
    speaker = faces.open(links(server)["duo-liu"])
    expect(row).to_have_attribute("data-ready", "connected")
    expect(row.locator(".ready-facts")).to_have_text(re.compile(r"RTT \d+ ms"))
    speaker.fill("#note", "<b>audio only</b>")
    speaker.click("#ready")
    expect(row).to_have_attribute("data-ready", "ready")
    expect(row.locator(".ready-note")).to_have_text("“<b>audio only</b>”")  # as text
    speaker.close()
    expect(row).to_have_attribute("data-ready", "none")
    expect(row.locator(".ready-facts")).to_have_text(re.compile(r"^seen \d\d:\d\d$"))
    # a speaker in the room, marked present with one click
    present = console.locator(".rd-ready[data-speaker='hequan-wu'] .ready-present")
    present.click()
    expect(present).to_have_attribute("aria-pressed", "true")
    expect(console.locator(".rd-ready[data-speaker='hequan-wu']")).to_have_attribute(
        "data-ready", "ready"
    )
    # the link: copied, and as a QR code
    console.locator(".rd-ready[data-speaker='duo-liu'] >> text=Copy link").click()
    expect(console.locator("#feedback")).to_have_text("Link for Ms. Duo LIU copied")
    url = server.url + links(server)["duo-liu"]
    assert console.evaluate("navigator.clipboard.readText()") == url
    console.locator(".rd-ready[data-speaker='duo-liu'] >> text=QR").click()
    expect(console.locator("#link-dialog")).to_be_visible()
    expect(console.locator("#link-url")).to_have_value(url)
    assert console.locator("#link-code").get_attribute("src").startswith("data:image/svg+xml")
    console.click("#link-close")
    # cues from the keyboard: on the screen, never on the viewers' pages or the overlay
    server.command("start_session", session_id="session-1")
    expect(console.locator(".rd-ready[data-speaker='hequan-wu']")).to_have_attribute(
        "data-ready", "on"
    )
    console.keyboard.press("w")
    expect(console.locator("#btn-cue-wrap-up")).to_have_attribute("aria-pressed", "true")
    assert server.state()["state"]["cue"]["kind"] == "wrap_up"
    screen = faces.open("/screen")
    expect(screen.locator("#cue")).to_be_visible()
    for path in ("/viewer", "/overlay"):
        page = faces.open(path)
        page.wait_for_timeout(300)
        assert "wrap up" not in page.inner_text("body").lower()
        assert page.locator(".cue").count() == 0
    save(console, "console-readiness")
    console.keyboard.press("q")
    expect(console.locator("#btn-cue-clear")).to_be_disabled()
    expect(screen.locator("#cue")).to_be_hidden()


def test_a_wrong_or_replaced_link_says_what_to_do(faces: Faces, server: Server) -> None:
    for path in ("/speaker", "/speaker#token=not-a-speaker-token"):
        page = faces.open(path, ready="body")
        expect(page.locator("#refused")).to_be_visible()
        expect(page.locator("#refused-text")).to_contain_text("organiser")
        expect(page.locator("#main")).to_be_hidden()
    page = faces.open(links(server)["cun-xie"])
    expect(page.locator("body")).to_have_attribute("data-phase", "before")
    rotate_speaker_key(server)
    expect(page.locator("#refused")).to_be_visible(timeout=10_000)
    expect(page.locator("#refused-text")).to_contain_text("made new links")


def test_a_speaker_link_opens_its_page_on_a_private_event(browser: Browser, tmp_path: Path) -> None:
    private = Server(data_dir=tmp_path / "data", env={"PODIUM_VIEWER_TOKEN": "v" * 32}).start()
    try:
        private.command("start_session", session_id="session-1")
        for faces in make_faces(browser, private):
            page = faces.open(links(private)["bilel-jamoussi"])
            expect(page.locator("body")).to_have_attribute("data-phase", "before")
            expect(page.locator("#headline")).to_have_text("You\u2019re next")
            expect(page.locator("#on-now")).to_have_text("On now: Mr. Hequan WU")
    finally:
        private.kill()

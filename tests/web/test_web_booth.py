"""The interpreters' booth in real Chromium: /booth announces the next speaker's change of
floor language before it happens, sends "slow down", and the live speaker's page, the venue
screen and the console show it in the speaker's language; the script view (the booth's,
the speaker's own with ?mirror=1, the console's). Screenshots of /booth go where
``tests/web/test_web.py`` puts them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers import Server, seed_with
from tests.web.test_web import (
    SHIFTED_CLOCK,
    WAIT,
    Faces,
    make_faces,
    morning_in_shenzhen,
    save,
)
from tests.web.test_web_speakers import links

BOOTH = "interpreter-token-0123456789abcdefghij"
SLIDES = '{ title = "Slides", url = "https://example.org/giusti-slides.pdf" }'


@pytest.fixture
def shift(tmp_path: Path) -> int:
    """Server and browser clocks moved to 09:35 in Shenzhen, as for every screenshot."""
    (tmp_path / "clock").mkdir()
    (tmp_path / "clock" / "sitecustomize.py").write_text(SHIFTED_CLOCK)
    return morning_in_shenzhen()[0]


@pytest.fixture
def booth_server(tmp_path: Path, shift: int) -> Iterator[Server]:
    env = {"PODIUM_INTERPRETER_TOKEN": BOOTH, "PYTHONPATH": str(tmp_path / "clock"),
           "PODIUM_TEST_CLOCK_SHIFT_MS": str(shift)}  # fmt: skip
    (tmp_path / "event").mkdir()
    seed = seed_with(tmp_path / "event", "")  # John Giusti's slides: a material to click
    script = 'script = "scripts/john-giusti.md"'
    seed.write_text(seed.read_text().replace(script, f"{script}\nmaterials = [{SLIDES}]"))
    srv = Server(data_dir=tmp_path / "data", programmes=[seed], env=env).start()
    yield srv
    srv.kill()


@pytest.fixture(params=["en-GB", "zh-CN"])
def faces(
    request: pytest.FixtureRequest, browser: Browser, booth_server: Server, shift: int
) -> Iterator[Faces]:
    page_clock = (
        "Object.defineProperty(performance, 'timeOrigin',"
        f" {{ value: performance.timeOrigin + {shift} }});"
    )
    size = {"width": 1280, "height": 800}  # a laptop in the booth
    yield from make_faces(browser, booth_server, font="noto", locale=request.param,
                          viewport=size, init_script=page_clock)  # fmt: skip


def ok(server: Server, action: str, **fields: str) -> None:
    status, body = server.command(action, **fields)
    assert status == 200, body


def booth(faces: Faces) -> Page:
    page = faces.open(f"/booth#token={BOOTH}")
    expect(page.locator("#main")).to_be_visible()
    return page


def test_the_booth_announces_a_language_change_and_slow_down_reaches_the_stage(
    faces: Faces, booth_server: Server
) -> None:
    ok(booth_server, "goto", speaker_id="hequan-wu")  # zh; next: Bilel Jamoussi, en
    page = booth(faces)
    zh = page.evaluate("document.documentElement.lang") == "zh-CN"
    expect(page.locator("#now-lang")).to_have_text("ZH")
    expect(page.locator("#change")).to_be_visible()
    expect(page.locator("#change")).to_contain_text("(ZH) → ")
    expect(page.locator("#change")).to_contain_text("(EN)")
    expect(page.locator("#change")).to_contain_text("Bilel Jamoussi")
    first = page.locator(".bt-item").first
    expect(first).to_have_class("bt-item is-switch")
    expect(first.locator(".bt-lang-badge")).to_have_text("EN")
    speaker = faces.open(links(booth_server)["hequan-wu"])
    screen = faces.open("/screen")
    console = faces.console()
    page.click("[data-signal='slow_down']")
    for face in (speaker, screen):
        expect(face.locator("#booth-signal")).to_have_text("请放慢语速", timeout=WAIT)
        expect(face.locator("#booth-signal")).to_have_attribute("lang", "zh")
    said = "请放慢语速" if zh else "请放慢语速 · Please slow down"
    expect(console.locator("#booth-signal")).to_have_text(said, timeout=WAIT)
    expect(page.locator("#signal-state")).to_contain_text("请放慢语速")
    expect(page.locator("[data-signal='slow_down']")).to_have_class("btn bt-signal is-on")
    if not zh:
        faces_shot = (screen, "screen-booth-signal"), (speaker, "speaker-booth-signal"), (
            console, "console-booth-signal")  # fmt: skip
        for face, name in faces_shot:
            face.bring_to_front()
            face.wait_for_timeout(300)  # fonts
            save(face, name)
    page.bring_to_front()  # a tab behind others runs no transitions
    page.wait_for_timeout(300)  # fonts, and the button's colour change
    save(page, f"booth{'-zh' if zh else ''}")
    ok(booth_server, "next")  # the speaker changes: the signal goes with them
    for face in (speaker, screen, console):
        expect(face.locator("#booth-signal")).to_be_hidden(timeout=WAIT)
    expect(page.locator("#now-lang")).to_have_text("EN")


def test_recorded_items_come_with_their_script_in_the_booth_and_on_the_speakers_glass(
    faces: Faces, booth_server: Server
) -> None:
    ok(booth_server, "goto", speaker_id="jing-sun")  # next: John Giusti, recorded, en
    page = booth(faces)
    giusti = page.locator(".bt-item[data-speaker='john-giusti']")
    expect(giusti.locator(".bt-recorded")).to_be_visible()
    slides = giusti.locator("a.bt-material")
    expect(slides).to_have_text("Slides")
    expect(slides).to_have_attribute("href", "https://example.org/giusti-slides.pdf")
    expect(slides).to_have_attribute("rel", "noopener noreferrer")
    giusti.locator(".bt-script").click()
    view = page.locator(".script-view")
    expect(view).to_be_visible()
    expect(view.locator(".script-heading")).to_contain_text("John Giusti, GSMA")
    expect(view.locator(".script-note")).to_contain_text("PLACEHOLDER")
    view.locator(".script-text").click()  # a tap starts (and stops) the scroll
    expect(view).to_have_attribute("data-scrolling", "on")
    view.locator(".script-text").click()
    expect(view).to_have_attribute("data-scrolling", "")
    if faces.context.pages[0] is page and page.evaluate("document.documentElement.lang") == "en":
        page.wait_for_timeout(300)  # fonts
        save(page, "booth-script")
    page.keyboard.press("Escape")
    expect(view).to_be_hidden()
    own = faces.open(links(booth_server)["john-giusti"].replace("?", "?mirror=1&script=1&", 1))
    glass = own.locator(".script-view")
    expect(glass).to_be_visible()
    expect(glass).to_have_class("script-view is-mirrored")
    expect(glass.locator(".script-note")).to_contain_text("PLACEHOLDER")
    console = faces.console()
    console.locator(".rd-ready[data-speaker='john-giusti'] .rd-script").click()
    expect(console.locator(".script-view .script-note")).to_contain_text("PLACEHOLDER")
    console.keyboard.press("ArrowRight")  # the view's key now, not the console's "next"
    console.keyboard.press("Escape")
    expect(console.locator(".script-view")).to_be_hidden()
    console.click("#btn-plus")  # the console's commands go in order: any "next" went first
    expect(console.locator("#feedback")).to_have_attribute("data-kind", "ok", timeout=WAIT)
    state = booth_server.state()["state"]
    assert state["speaker"]["id"] == "jing-sun" and state["timer"]["added_ms"] == 60_000


def test_a_wrong_token_is_refused_and_the_handover_timer_is_kept(
    faces: Faces, booth_server: Server
) -> None:
    page = faces.open("/booth#token=not-the-booth-token-0123456789abc", ready="#login")
    expect(page.locator("#login-error")).to_be_visible(timeout=WAIT)
    page.fill("#token", BOOTH)
    page.click("#login button[type=submit]")
    expect(page.locator("#main")).to_be_visible(timeout=WAIT)
    expect(page.locator("#handover-time")).not_to_have_text("")
    page.click("#handover")
    expect(page.locator("#handover-time")).to_contain_text("30:00")
    page.reload()
    kept = re.compile(r"(30:00|29:5\d)")  # from the stored moment, not from the reload
    expect(page.locator("#handover-time")).to_have_text(kept, timeout=WAIT)

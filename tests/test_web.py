"""The four faces in a real browser: headless Chromium (Playwright) against a real server.

Skipped with a reason when there is no Chromium at /usr/bin/chromium, unless
``PODIUM_REQUIRE_BROWSER=1`` (CI), when that is a failure. Screenshots of every face go to
``test-artifacts/screenshots/``; set ``PODIUM_SCREENSHOTS_DIR=docs/screenshots`` to refresh
the ones the README shows.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import ROOT, SEED, TOKEN, Server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHORT = ROOT / "tests" / "programmes" / "short.toml"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
READY = "#podium-status[data-state='live']"
WAIT = 5_000  # ms a page may take to show a pushed change (typically ~50 ms; see docs)

if not CHROMIUM.exists():
    if os.environ.get("PODIUM_REQUIRE_BROWSER") == "1":
        raise RuntimeError("PODIUM_REQUIRE_BROWSER=1 but there is no Chromium at /usr/bin/chromium")
    pytest.skip(
        "no Chromium at /usr/bin/chromium (apt-get install chromium, or run .ci/run);"
        " set PODIUM_REQUIRE_BROWSER=1 to make this a failure",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Faces:
    """Pages of one server in one browser context; every page's script errors and CSP
    violations are collected, and a test fails if there are any."""

    def __init__(self, context: BrowserContext, server: Server) -> None:
        self.context = context
        self.server = server
        self.problems: list[str] = []

    def open(self, path: str, ready: str = READY) -> Page:
        page = self.context.new_page()
        page.on("pageerror", lambda exc: self.problems.append(f"{path}: {exc}"))
        page.on(
            "console",
            lambda msg: (
                self.problems.append(f"{path}: {msg.text}")
                if "Content Security Policy" in msg.text
                else None
            ),
        )
        page.goto(self.server.url + path)
        page.wait_for_selector(ready, state="attached")
        return page

    def console(self) -> Page:
        page = self.open(f"/console#token={self.server.token}")
        expect(page.locator("#desk")).to_be_visible()
        expect(page.locator(".rd-session").first).to_be_visible()
        return page


def make_faces(browser: Browser, server: Server, **options: Any) -> Iterator[Faces]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 720},
        timezone_id=options.pop("timezone_id", "Europe/Zurich"),
        locale=options.pop("locale", "en-GB"),
        **options,
    )
    faces = Faces(context, server)
    yield faces
    context.close()
    assert faces.problems == []


@pytest.fixture
def faces(browser: Browser, server: Server) -> Iterator[Faces]:
    yield from make_faces(browser, server)


@pytest.fixture
def short_server(tmp_path: Path) -> Iterator[Server]:
    srv = Server(data_dir=tmp_path / "data", programmes=[SHORT]).start()
    yield srv
    srv.kill()


@pytest.fixture
def short_faces(browser: Browser, short_server: Server) -> Iterator[Faces]:
    yield from make_faces(browser, short_server)


def status(page: Page) -> dict[str, str]:
    return page.eval_on_selector("#podium-status", "el => ({...el.dataset})")


def wait_version(page: Page, version: int) -> None:
    expect(page.locator("#podium-status")).to_have_attribute("data-version", str(version))


# -- the console drives every face ----------------------------------------------------------


def test_console_runs_session_1_by_button_and_keyboard(faces: Faces, server: Server) -> None:
    console = faces.console()
    screen = faces.open("/screen")
    viewer = faces.open("/viewer")

    console.click("[data-session='session-1']")
    expect(console.locator("#confirm")).to_be_visible()
    console.click("#confirm-ok")
    for page, name in ((screen, "#speaker-name"), (viewer, "#now-name")):
        expect(page.locator(name)).to_have_text("Mr. Hequan WU", timeout=WAIT)
    assert server.state()["state"]["session"]["id"] == "session-1"

    console.click("#btn-next")
    for page, name in ((screen, "#speaker-name"), (viewer, "#now-name")):
        expect(page.locator(name)).to_have_text("Mr. Bilel Jamoussi", timeout=WAIT)

    console.keyboard.press("ArrowRight")
    for page, name in ((screen, "#speaker-name"), (viewer, "#now-name")):
        expect(page.locator(name)).to_have_text("Ms. Duo LIU", timeout=WAIT)
    expect(screen.locator("#next-speaker")).to_have_text("Next: Mr. Luis Romero")
    expect(viewer.locator(".v-session.is-live .v-speaker.is-done")).to_have_count(2)
    expect(viewer.locator("#announce")).to_have_text(re.compile("^Now speaking: Ms. Duo LIU"))

    console.keyboard.press("Space")  # pause
    expect(screen.locator("#paused-badge")).to_be_visible(timeout=WAIT)
    console.keyboard.press("+")
    wait_version(console, 5)
    timer = server.state()["state"]["timer"]
    assert (timer["status"], timer["added_ms"]) == ("paused", 60_000)
    assert server.state()["state"]["speaker"]["id"] == "duo-liu"


def test_shortcuts_do_nothing_while_typing_a_message(faces: Faces, server: Server) -> None:
    server.command("start_session", session_id="session-1")
    console = faces.console()
    wait_version(console, 1)
    console.click("#message-text")
    console.keyboard.type("n p s")
    console.keyboard.press("ArrowRight")
    assert console.input_value("#message-text") == "n p s"
    assert server.state()["version"] == 1


# -- the countdown is the server's ---------------------------------------------------------


READ_SCREEN = """() => {
  const text = document.getElementById('countdown').textContent;
  return { text, at: Date.now() };
}"""


def implied_end(reading: dict[str, Any]) -> float:
    """The ``ends_at`` a screen's display implies: ``mm:ss`` is the remaining time
    rounded up, so the end is within the second before ``at + seconds``."""
    minutes, seconds = reading["text"].split(":")
    return reading["at"] + (int(minutes) * 60 + int(seconds) - 0.5) * 1000


def test_screens_show_the_servers_time_even_with_a_wrong_clock(
    browser: Browser, server: Server
) -> None:
    # one screen's own clock is 90 minutes and a bit fast: clock sync must hide that
    skewed = browser.new_context(viewport={"width": 1280, "height": 720})
    skewed.add_init_script(
        "Object.defineProperty(performance, 'timeOrigin',"
        " { value: performance.timeOrigin + 5_401_234 });"
    )
    plain = browser.new_context(viewport={"width": 1280, "height": 720})
    faces = [Faces(skewed, server), Faces(plain, server)]
    try:
        server.command("start_session", session_id="session-1")
        screens = [f.open("/screen") for f in faces]
        for page in screens:
            expect(page.locator("#podium-status")).not_to_have_attribute("data-rtt", "")
        offsets = [float(status(page)["offset"]) for page in screens]
        assert abs(offsets[0] + 5_401_234) < 500, offsets
        assert abs(offsets[1]) < 500, offsets
        ends_at = server.state()["state"]["timer"]["ends_at"]
        for _ in range(3):
            ends = [implied_end(page.evaluate(READ_SCREEN)) for page in screens]
            assert all(abs(end - ends_at) <= 1000 for end in ends), (ends, ends_at)
            assert abs(ends[0] - ends[1]) <= 1000, ends
            time.sleep(0.4)
    finally:
        skewed.close()
        plain.close()
    assert [p for f in faces for p in f.problems] == []


RECORD_COUNTDOWN = """() => {
  window.__seen = [];
  const countdown = document.getElementById('countdown');
  const look = () => {
    const text = countdown.textContent;
    const zone = document.body.dataset.zone;
    const last = window.__seen.at(-1);
    if (/\\d/.test(text) && (!last || last.text !== text || last.zone !== zone)) {
      const style = getComputedStyle(countdown);
      window.__seen.push({ text, zone, color: style.color, animation: style.animationName });
    }
    requestAnimationFrame(look);
  };
  look();
}"""


def test_amber_then_red_then_flashing_overtime(short_faces: Faces, short_server: Server) -> None:
    screen = short_faces.open("/screen?amber=2")
    screen.evaluate(RECORD_COUNTDOWN)  # every change of text or colour zone, frame by frame
    short_server.command("start_session", session_id="quick")  # Ada: 4 s
    expect(screen.locator("#countdown")).to_have_text("+00:02", timeout=WAIT + 4_000)
    assert short_server.state()["state"]["timer"]["remaining_ms"] < -2_000
    seen = screen.evaluate("window.__seen")
    zones = [s["zone"] for s in seen]
    assert sorted(set(zones), key=zones.index) == ["normal", "amber", "zero", "over"], seen
    for shown in seen:
        expected = {
            "normal": ({"00:04", "00:03"}, "rgb(255, 255, 255)", "none"),
            "amber": ({"00:02", "00:01"}, "rgb(255, 176, 32)", "none"),
            "zero": ({"00:00"}, "rgb(255, 69, 58)", "none"),
            "over": ({"+00:01", "+00:02"}, "rgb(255, 69, 58)", "screen-flash"),
        }[shown["zone"]]
        assert (shown["text"] in expected[0], shown["color"], shown["animation"]) == (
            True,
            *expected[1:],
        ), shown
    assert [s["text"] for s in seen][-5:] == ["00:02", "00:01", "00:00", "+00:01", "+00:02"]


# -- what moderators write is shown as text --------------------------------------------------


def test_a_message_with_markup_shows_literally(faces: Faces, server: Server) -> None:
    text = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"><b>bold</b>'
    console = faces.console()
    screen = faces.open("/screen")
    viewer = faces.open("/viewer")
    server.command("start_session", session_id="session-1")
    wait_version(console, 1)
    console.fill("#message-text", text)
    console.click("#message-send")
    expect(screen.locator("#message-text")).to_have_text(text, timeout=WAIT)
    expect(viewer.locator("#banner-text")).to_have_text(text, timeout=WAIT)
    expect(console.locator("#message-current-text")).to_have_text(text)
    for page in (console, screen, viewer):
        assert page.locator("main script, main img, main b").count() == 0
        assert page.evaluate("window.__pwned") is None
    assert server.state()["state"]["message"]["text"] == text

    console.click("label:has(input[value='viewers'])")
    console.fill("#message-text", "viewers only")
    console.keyboard.press("Enter")
    expect(viewer.locator("#banner-text")).to_have_text("viewers only", timeout=WAIT)
    expect(screen.locator("#message")).to_be_hidden()
    console.keyboard.press("Escape")
    console.keyboard.press("c")
    expect(viewer.locator("#banner")).to_be_hidden(timeout=WAIT)


# -- two moderators ---------------------------------------------------------------------------


def test_a_console_reports_a_conflict_when_another_acted_first(
    faces: Faces, server: Server
) -> None:
    held: list[str] = []
    holding: dict[str, Any] = {"on": False}

    def slow_network(ws: Any) -> None:
        holding["page_side"] = ws
        upstream = ws.connect_to_server()

        def to_page(message: str | bytes) -> None:
            if holding["on"] and '"type":"state"' in str(message):
                held.append(str(message))
            else:
                ws.send(message)

        upstream.on_message(to_page)

    first = faces.context.new_page()
    first.route_web_socket(re.compile(r".*/ws\?.*"), slow_network)
    first.goto(f"{server.url}/console#token={server.token}")
    expect(first.locator("#desk")).to_be_visible()
    second = faces.console()
    server.command("start_session", session_id="session-1")
    wait_version(first, 1)
    wait_version(second, 1)

    holding["on"] = True  # the first console stops hearing about changes
    second.click("#btn-next")
    wait_version(second, 2)
    first.click("#btn-next")  # it still believes version 1 is current
    feedback = first.locator("#feedback")
    expect(feedback).to_have_attribute("data-kind", "conflict", timeout=WAIT)
    expect(feedback).to_contain_text("Another moderator acted first")
    expect(feedback).to_contain_text("version 2")
    state = server.state()
    assert state["version"] == 2 and state["state"]["speaker"]["id"] == "bilel-jamoussi"

    holding["on"] = False
    assert held  # the push it missed arrives late, and the console catches up
    for message in held:
        holding["page_side"].send(message)
    expect(first.locator("#now-name")).to_have_text("Mr. Bilel Jamoussi", timeout=WAIT)
    wait_version(first, 2)


# -- the connection heals ---------------------------------------------------------------------


def test_pages_reconnect_after_a_server_restart(faces: Faces, server: Server) -> None:
    server.command("start_session", session_id="session-1")
    screen = faces.open("/screen")
    viewer = faces.open("/viewer")
    expect(screen.locator("#speaker-name")).to_have_text("Mr. Hequan WU")

    server.kill()
    for page in (screen, viewer):
        expect(page.locator("#podium-status")).to_have_attribute(
            "data-state", "reconnecting", timeout=WAIT
        )
    expect(screen.locator("#podium-status")).to_contain_text("Reconnecting")
    before = screen.locator("#countdown").text_content()
    expect(screen.locator("#countdown")).not_to_have_text(before or "", timeout=WAIT)

    server.start()
    server.command("next")
    for page, name in ((screen, "#speaker-name"), (viewer, "#now-name")):
        expect(page.locator(name)).to_have_text("Mr. Bilel Jamoussi", timeout=15_000)
        expect(page.locator("#podium-status")).to_have_attribute("data-state", "live")


# -- sign-in, layout, language --------------------------------------------------------------


def test_console_asks_for_the_token_and_refuses_a_wrong_one(faces: Faces, server: Server) -> None:
    page = faces.open("/console")
    expect(page.locator("#login")).to_be_visible()
    page.fill("#token", "not-the-token")
    page.click("#login button[type=submit]")
    expect(page.locator("#login-error")).to_be_visible(timeout=WAIT)
    expect(page.locator("#desk")).to_be_hidden()
    page.fill("#token", server.token)
    page.click("#login button[type=submit]")
    expect(page.locator("#desk")).to_be_visible(timeout=WAIT)

    with page.expect_popup(timeout=WAIT) as opened:  # the server's report, from a blob URL
        page.click("#report")
    expect(opened.value.locator("body")).to_contain_text("Annual ITU-MIIT Seminar 2021")


def no_scrollbars(page: Page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= innerWidth"
        " && document.documentElement.scrollHeight <= innerHeight"
    )


def test_screen_fills_hd_and_full_hd_and_viewer_fits_a_phone(faces: Faces, server: Server) -> None:
    server.command("start_session", session_id="session-1")
    server.command("show_message", text="Five minutes to the coffee break " * 6, target="all")
    screen = faces.open("/screen")
    expect(screen.locator("#message")).to_be_visible()
    for width, height in ((1280, 720), (1920, 1080)):
        screen.set_viewport_size({"width": width, "height": height})
        assert no_scrollbars(screen), (width, height)
    viewer = faces.open("/viewer")
    viewer.set_viewport_size({"width": 390, "height": 844})
    assert viewer.evaluate("() => document.documentElement.scrollWidth <= innerWidth")


def test_language_follows_the_browser_and_can_be_switched(browser: Browser, server: Server) -> None:
    for faces in make_faces(browser, server, locale="zh-CN"):
        viewer = faces.open("/viewer")
        expect(viewer.locator("#agenda-heading")).to_have_text("议程")
        assert viewer.evaluate("document.documentElement.lang") == "zh-CN"
        viewer.click("#lang")
        expect(viewer.locator("#agenda-heading")).to_have_text("Agenda")
        screen = faces.open("/screen")  # the choice is remembered
        expect(screen.locator("#fullscreen")).to_have_text("Full screen")


# -- screenshots ------------------------------------------------------------------------------


def seed_starting_now(tmp_path: Path) -> Path:
    """The seed event, planned so that the opening session started 35 minutes ago: the
    screenshots then show a realistic few minutes of drift, whatever the time of day."""
    zone = ZoneInfo("Asia/Shanghai")
    start = (dt.datetime.now(zone) - dt.timedelta(minutes=35)).replace(second=0, microsecond=0)
    text = SEED.read_text()
    text = text.replace(
        'start = "09:00"\nend = "09:30"',
        f'start = "{start:%H:%M}"\nend = "{start + dt.timedelta(minutes=30):%H:%M}"',
        1,
    )
    text = text.replace(
        'timezone = "Asia/Shanghai"', f'timezone = "Asia/Shanghai"\ndate = "{start:%Y-%m-%d}"', 1
    )
    path = tmp_path / "seed-now.toml"
    path.write_text(text)
    return path


def save(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(target))
    extra = os.environ.get("PODIUM_SCREENSHOTS_DIR")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(target, Path(extra) / target.name)


def test_screenshots_of_every_face(browser: Browser, tmp_path: Path) -> None:
    server = Server(data_dir=tmp_path / "data", programmes=[seed_starting_now(tmp_path)]).start()
    try:
        server.command("start_session", session_id="opening-session")
        server.command("end_session")
        server.command("start_session", session_id="session-1")
        for locale, suffix in (("en-GB", ""), ("zh-CN", "-zh")):
            for faces in make_faces(browser, server, locale=locale):
                for name, path in SHOTS:
                    page = faces.open(path, ready="body" if name == "index" else READY)
                    page.wait_for_timeout(700)  # fonts, the overlay's entrance
                    save(page, f"{name}{suffix}")
                server.command("show_message", text=MESSAGE[locale], target="viewers")
                viewer = faces.open("/viewer")
                expect(viewer.locator("#banner")).to_be_visible()
                viewer.wait_for_timeout(300)
                save(viewer, f"viewer{suffix}")
                viewer.set_viewport_size({"width": 390, "height": 844})
                save(viewer, f"viewer-phone{suffix}")
                server.command("clear_message")
    finally:
        server.kill()


SHOTS = [
    ("index", "/"),
    ("console", f"/console#token={TOKEN}"),
    ("screen", "/screen"),
    ("overlay", "/overlay?preview=1&timer=1"),
]
MESSAGE = {
    "en-GB": "Questions after the last speaker: write them in the chat.",
    "zh-CN": "最后一位发言人之后进入问答环节，请在聊天区提问。",  # noqa: RUF001
}

"""The four faces in a real browser: headless Chromium (Playwright) against a real server.

Skipped with a reason when no Chromium is found (``tests/machine.py`` says where it looks),
unless ``PODIUM_REQUIRE_BROWSER=1`` (CI), when that is a failure. Screenshots of every face go to
``test-artifacts/screenshots/``; set ``PODIUM_SCREENSHOTS_DIR=docs/screenshots`` to refresh
the ones the README shows.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.helpers import ROOT, TOKEN, Server
from tests.machine import font_or_skip

SHORT = ROOT / "tests" / "programmes" / "short.toml"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
READY = "#podium-status[data-state='live']"
WAIT = 5_000  # ms a page may take to show a pushed change (typically ~50 ms; see docs)
# The fonts a layout test renders the pages with (``make_faces(font=...)``, or the ``font``
# fixture for each in turn): DejaVu, what a machine without CJK fonts falls back to, and
# Noto Sans CJK (Debian's fonts-noto-cjk), which a venue PC with Chinese has and which the
# pages' font list then picks for Latin text too. Without ``font`` a page has the machine's.
FONTS = {"dejavu": "DejaVu Sans", "noto": "Noto Sans CJK SC"}
# set before the page's own styles apply, through the CSSOM (the CSP allows no inline style)
FONT_SCRIPT = """(family) => {
  const put = () => {
    const root = document.documentElement;
    if (root) root.style.setProperty('--font', `"${family}", sans-serif`);
    return Boolean(root);
  };
  if (!put()) {
    new MutationObserver((_, watch) => put() && watch.disconnect())
      .observe(document, { childList: true });
  }
}"""


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


def make_faces(
    browser: Browser, server: Server, font: str | None = None, **options: Any
) -> Iterator[Faces]:
    init_script = options.pop("init_script", None)
    context = browser.new_context(
        viewport=options.pop("viewport", {"width": 1280, "height": 720}),
        timezone_id=options.pop("timezone_id", "Europe/Zurich"),
        locale=options.pop("locale", "en-GB"),
        **options,
    )
    if init_script:
        context.add_init_script(init_script)
    if font:
        font_or_skip(FONTS[font])
        context.add_init_script(f"({FONT_SCRIPT})({FONTS[font]!r})")
    faces = Faces(context, server)
    yield faces
    context.close()
    assert faces.problems == []


def status(page: Page) -> dict[str, str]:
    return page.eval_on_selector("#podium-status", "el => ({...el.dataset})")


def wait_version(page: Page, version: int) -> None:
    expect(page.locator("#podium-status")).to_have_attribute("data-version", str(version))


# -- the console drives every face ----------------------------------------------------------


@pytest.mark.slow
def test_console_runs_session_1_by_button_and_keyboard(faces: Faces, server: Server) -> None:
    console = faces.console()
    screen = faces.open("/screen")
    viewer = faces.open("/viewer")

    console.focus("[data-session='session-1']")  # Tab to a rundown row, Enter, Enter
    console.keyboard.press("Enter")
    expect(console.locator("#confirm")).to_be_visible()
    expect(console.locator("#confirm-text")).to_contain_text("Session 1: Coordinated")
    console.keyboard.press("Enter")
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
    # on for a moment each here: "skipped" under 5 s (engine.SKIPPED_UNDER_MS), else done
    past = ".v-session.is-live :is(.v-speaker.is-done, .v-speaker.is-skipped)"
    expect(viewer.locator(past)).to_have_count(2)
    expect(viewer.locator("#announce")).to_have_text(re.compile("^Now speaking: Ms. Duo LIU"))

    # "s" is answered at once, not queued behind a command in flight: first the console's
    # own version 3, whose push follows the ack of the arrow's "next" ("Next done")
    wait_version(console, 3)
    console.keyboard.press("s")  # a session is live: says so rather than acting
    expect(console.locator("#feedback")).to_contain_text("is live: end it first")
    console.keyboard.press("Space")  # pause, then two quick minutes: one moderator's own
    console.keyboard.press("+")  # presses follow each other and never conflict
    console.keyboard.press("+")
    expect(screen.locator("#paused-badge")).to_be_visible(timeout=WAIT)
    wait_version(console, 6)
    timer = server.state()["state"]["timer"]
    assert (timer["status"], timer["added_ms"]) == ("paused", 120_000)
    expect(console.locator("#feedback")).to_have_attribute("data-kind", "ok")
    assert server.state()["state"]["speaker"]["id"] == "duo-liu"

    console.click("[data-speaker='ran-xiao']")  # a click in the rundown jumps, after a confirm
    console.click("#confirm-ok")
    expect(screen.locator("#speaker-name")).to_have_text("Mr. Ran XIAO", timeout=WAIT)


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


RECORD_COUNTDOWN = """() => {
  window.__seen = [];
  const countdown = document.getElementById('countdown');
  const look = () => {
    const text = countdown.textContent;
    const zone = document.body.dataset.zone;
    const last = window.__seen.at(-1);
    if (/\\d/.test(text) && (!last || last.text !== text || last.zone !== zone)) {
      const style = getComputedStyle(countdown);
      window.__seen.push({
        text, zone, at: Date.now(), color: style.color, animation: style.animationName });
    }
    requestAnimationFrame(look);
  };
  look();
}"""


def seconds_shown(text: str) -> int:
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + int(seconds)


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
        assert abs(offsets[0] + 5_401_234) < 1000, offsets
        assert abs(offsets[1]) < 1000, offsets
        for page in screens:
            page.evaluate(RECORD_COUNTDOWN)  # when each second flips, by the real clock
        for page in screens:  # the first text, then two flips
            page.wait_for_function("() => window.__seen.length >= 3", timeout=WAIT)
        ends_at = server.state()["state"]["timer"]["ends_at"]
        flips = [
            {s["text"]: s["at"] for s in page.evaluate("window.__seen")[1:]} for page in screens
        ]
        for flipped in flips:
            # a flip to mm:ss happens when exactly that much is left: it dates ends_at
            assert len(flipped) >= 2, flipped
            for text, at in flipped.items():
                assert abs(at + seconds_shown(text) * 1000 - ends_at) <= 1000, (text, at, ends_at)
        together = set(flips[0]) & set(flips[1])
        assert together, flips
        assert all(abs(flips[0][text] - flips[1][text]) <= 1000 for text in together), flips
    finally:
        skewed.close()
        plain.close()
    assert [p for f in faces for p in f.problems] == []


def test_amber_then_red_then_flashing_overtime(short_faces: Faces, short_server: Server) -> None:
    screen = short_faces.open("/screen?amber=2")
    screen.evaluate(RECORD_COUNTDOWN)  # every change of text or colour zone, frame by frame
    short_server.command("start_session", session_id="quick")  # Ada: 4 s
    expect(screen.locator("#countdown")).to_have_text("+00:02", timeout=WAIT + 4_000)
    assert short_server.state()["state"]["timer"]["remaining_ms"] < -2_000
    # the recorder looks on the next animation frame after the page wrote the text
    screen.wait_for_function("() => window.__seen.at(-1)?.text === '+00:02'")
    seen = screen.evaluate("window.__seen")
    zones = [s["zone"] for s in seen]
    assert sorted(set(zones), key=zones.index) == ["normal", "amber", "zero", "over"], seen
    for shown in seen:
        expected = {
            "normal": ({"00:04", "00:03"}, "rgb(255, 255, 255)", "none"),
            "amber": ({"00:02", "00:01"}, "rgb(255, 176, 32)", "none"),
            "zero": ({"00:00"}, "rgb(255, 69, 58)", "none"),
            "over": ({"+00:01", "+00:02"}, "rgb(255, 69, 58)", "none"),  # the frame flashes
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
    expect(console.locator("#message-screen-text")).to_have_text(text)
    for page in (console, screen, viewer):
        # the event's logo (branding) and the screen's QR code to ask between sessions are
        # the images of ours in a page's main part
        ours = "img:not(.brand-logo):not(#ask-qr)"
        assert page.locator(f"main script, main {ours}, main b").count() == 0
        assert page.evaluate("window.__pwned") is None
    assert server.state()["state"]["message"]["text"] == text

    console.click("label:has(input[value='viewers'])")
    console.fill("#message-text", "viewers only")
    console.keyboard.press("Enter")
    expect(viewer.locator("#banner-text")).to_have_text("viewers only", timeout=WAIT)
    expect(screen.locator("#message-text")).to_have_text(text)  # the stage keeps its own
    console.keyboard.press("Escape")
    console.keyboard.press("c")
    expect(viewer.locator("#banner")).to_be_hidden(timeout=WAIT)
    expect(screen.locator("#message")).to_be_hidden(timeout=WAIT)

    console.keyboard.press("b")
    expect(screen.locator("#blackout")).to_be_visible(timeout=WAIT)
    expect(console.locator("#btn-blackout")).to_have_attribute("aria-pressed", "true")
    console.keyboard.press("b")
    expect(screen.locator("#blackout")).to_be_hidden(timeout=WAIT)


# -- two moderators ---------------------------------------------------------------------------


class Withheld:
    """A page's WebSocket through the test (``page.route_web_socket(WS, withheld)``): the
    server's messages reach the page, except those of ``kind`` while ``on``, which are
    kept (``held``) until ``release()`` (a slow or lossy network; with ``once``, only the
    next one); ``opened`` gets each socket's URL."""

    def __init__(self, kind: str, on: bool = True, once: bool = False) -> None:
        self.kind = f'"type":"{kind}"'
        self.on = on
        self.once = once
        self.held: list[str] = []
        self.opened: list[str] = []
        self.page_side: Any = None

    def __call__(self, ws: Any) -> None:
        self.page_side = ws
        self.opened.append(ws.url)
        upstream = ws.connect_to_server()

        def to_page(message: str | bytes) -> None:
            if self.on and self.kind in str(message):
                self.held.append(str(message))
                self.on = not self.once
            else:
                ws.send(message)

        upstream.on_message(to_page)

    def release(self) -> None:
        self.on = False
        for message in self.held:
            self.page_side.send(message)


WS = re.compile(r".*/ws\?.*")  # a page's WebSocket, for ``route_web_socket``


def test_a_console_reports_a_conflict_when_another_acted_first(
    faces: Faces, server: Server
) -> None:
    slow_network = Withheld("delta", on=False)
    first = faces.context.new_page()
    first.route_web_socket(WS, slow_network)
    first.goto(f"{server.url}/console#token={server.token}")
    expect(first.locator("#desk")).to_be_visible()
    second = faces.console()
    server.command("start_session", session_id="session-1")
    wait_version(first, 1)
    wait_version(second, 1)

    slow_network.on = True  # the first console stops hearing about changes
    second.click("#btn-next")
    wait_version(second, 2)
    first.click("#btn-next")  # it still believes version 1 is current
    feedback = first.locator("#feedback")
    expect(feedback).to_have_attribute("data-kind", "conflict", timeout=WAIT)
    expect(feedback).to_contain_text("Another moderator acted first")
    expect(feedback).to_contain_text("version 2")
    state = server.state()
    assert state["version"] == 2 and state["state"]["speaker"]["id"] == "bilel-jamoussi"

    assert slow_network.held  # the push it missed arrives late, and the console catches up
    slow_network.release()
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


def test_overlay_lower_third_comes_and_goes_with_the_speaker(
    short_faces: Faces, short_server: Server
) -> None:
    overlay = short_faces.open("/overlay?timer=1")
    third = overlay.locator("#lower-third")
    assert overlay.evaluate("getComputedStyle(document.body).backgroundColor") == "rgba(0, 0, 0, 0)"
    expect(overlay.locator("#podium-status")).to_be_hidden()  # never on air
    expect(third).not_to_have_class(re.compile("is-in"))
    short_server.command("start_session", session_id="quick")
    expect(third).to_have_class(re.compile("is-in"), timeout=WAIT)
    expect(overlay.locator("#lt-name")).to_have_text("Ada LOVELACE")
    expect(overlay.locator("#lt-aff")).to_have_text("Analytical Engine Society")
    expect(overlay.locator("#lt-timer")).to_have_text(re.compile(r"^(00:0\d|\+00:\d\d)$"))
    short_server.command("next")
    expect(overlay.locator("#lt-name")).to_have_text("Grace HOPPER", timeout=WAIT)
    expect(overlay.locator("#lt-presence")).to_have_text("Remote")
    expect(third).to_have_class(re.compile("is-in"))
    short_server.command("end_session")
    expect(third).not_to_have_class(re.compile("is-in"), timeout=WAIT)


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
    report = opened.value
    assert report.url.startswith("blob:")
    expect(report.locator("body")).to_contain_text("Annual ITU-MIIT Seminar 2021")
    # its own stylesheet applies: the blob inherits the console's CSP, which allows it
    assert report.evaluate("getComputedStyle(document.querySelector('h1')).fontSize") == "22px"


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
    shanghai = [
        f"{dt.datetime.now(ZoneInfo('Asia/Shanghai')) + dt.timedelta(minutes=m):%H:%M}"
        for m in (0, 1)
    ]
    assert screen.locator("#local-clock").text_content()[:5] in shanghai
    expect(screen.locator("#local-zone")).to_have_text("GMT+8")
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
        viewer.reload()  # the choice is remembered, for this kind of page
        expect(viewer.locator("#agenda-heading")).to_have_text("Agenda")
        screen = faces.open("/screen")  # which the screen does not follow
        expect(screen.locator("#fullscreen")).to_have_text("全屏")


def test_pages_in_chinese_show_the_programmes_chinese_texts(faces: Faces) -> None:
    faces.server.command("start_session", session_id="session-1")
    session_zh = "第一节：协同推进国际信息通信技术标准化"  # noqa: RUF001 (the seed's)
    viewer = faces.open("/viewer?lang=zh-CN")
    expect(viewer.locator("#now-session")).to_have_text(session_zh)
    expect(viewer.locator("#event-title")).to_have_text("2021年国际电联—工业和信息化部年度研讨会")
    expect(viewer.locator(".v-session-title").first).to_have_text("开幕式")
    expect(viewer.locator("#now-name")).to_have_text("Mr. Hequan WU")  # names as written
    viewer.click("#lang")
    expect(viewer.locator("#now-session")).to_have_text(
        "Session 1: Coordinated Efforts on International ICT standardization"
    )
    expect(viewer.locator("#event-title")).to_have_text("Annual ITU-MIIT Seminar 2021")
    screen = faces.open("/screen?lang=zh-CN")
    expect(screen.locator("#session-title")).to_have_text(session_zh)


# -- screenshots ------------------------------------------------------------------------------


SHIFTED_CLOCK = """import os, time
_shift_ns = int(os.environ["PODIUM_TEST_CLOCK_SHIFT_MS"]) * 1_000_000
_time_ns, _time = time.time_ns, time.time
time.time_ns = lambda: _time_ns() + _shift_ns
time.time = lambda: _time() + _shift_ns / 1e9
"""


def morning_in_shenzhen(hour: int = 9, minute: int = 35) -> tuple[int, dt.datetime]:
    """How far to move the clocks (server and browser alike) for it to be 09:35 (or
    ``hour``:``minute``) in Shenzhen: at 09:35 the opening (09:00-09:30) has run and Session 1
    starts five minutes late, whatever the real time of day when the screenshots are taken."""
    now = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    morning = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return round((morning - now).total_seconds() * 1000), morning


def clocks_at(folder: Path, hour: int = 9, minute: int = 35) -> tuple[dict[str, str], str]:
    """The server's environment and the pages' init script that move both clocks to
    ``hour``:``minute`` in Shenzhen (``morning_in_shenzhen``)."""
    shift, _ = morning_in_shenzhen(hour, minute)
    (folder / "clock").mkdir()
    (folder / "clock" / "sitecustomize.py").write_text(SHIFTED_CLOCK)
    env = {"PYTHONPATH": str(folder / "clock"), "PODIUM_TEST_CLOCK_SHIFT_MS": str(shift)}
    page_clock = (
        "Object.defineProperty(performance, 'timeOrigin',"
        f" {{ value: performance.timeOrigin + {shift} }});"
    )
    return env, page_clock


def save(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # the overlay's stand-in picture is a gradient: JPEG keeps that file small
    target = ARTIFACTS / f"{name}.{'jpg' if name.startswith('overlay') else 'png'}"
    page.screenshot(path=str(target), quality=85 if target.suffix == ".jpg" else None)
    extra = os.environ.get("PODIUM_SCREENSHOTS_DIR")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(target, Path(extra) / target.name)


@pytest.mark.slow
def test_screenshots_of_every_face(browser: Browser, tmp_path: Path) -> None:
    _, morning = morning_in_shenzhen()
    env, page_clock = clocks_at(tmp_path)
    server = Server(data_dir=tmp_path / "data", env=env).start()
    try:
        server.command("start_session", session_id="opening-session")
        server.command("end_session")
        server.command("start_session", session_id="session-1")
        for locale, suffix in (("en-GB", ""), ("zh-CN", "-zh")):
            for faces in make_faces(
                browser, server, font="noto", locale=locale, init_script=page_clock
            ):
                for name, path in SHOTS:
                    if suffix and name == "overlay":
                        continue  # names only: the same picture in both languages
                    page = faces.open(path, ready="body" if name == "index" else READY)
                    if name == "console":  # the moderator's laptop
                        page.set_viewport_size({"width": 1280, "height": 800})
                    page.wait_for_timeout(500)  # fonts, the overlay's entrance
                    save(page, f"{name}{suffix}")
                    page.close()
                server.command("show_message", text=MESSAGE[locale], target="viewers")
                viewer = faces.open("/viewer")
                expect(viewer.locator("#banner")).to_be_visible()
                if not suffix:  # Session 1 started at 09:35, planned for 09:30
                    expect(viewer.locator("#drift")).to_have_text("Running 5 min late")
                    # the page paints from /api/first before its first pings measure the
                    # clock's offset: wait for that
                    expect(viewer.locator("#podium-status")).not_to_have_attribute(
                        "data-offset", ""
                    )
                    assert abs(float(status(viewer)["offset"])) < 1000  # both clocks moved
                    opening = viewer.locator(".v-session").first
                    zurich = morning.replace(minute=0).astimezone(ZoneInfo("Europe/Zurich"))
                    expect(opening.locator(".v-time-event")).to_have_text("09:00")
                    expect(opening.locator(".v-time-local")).to_have_text(
                        f"{zurich:%H:%M} {zurich.tzname()}"
                    )
                viewer.wait_for_timeout(300)
                save(viewer, f"viewer{suffix}")
                viewer.set_viewport_size({"width": 390, "height": 844})
                save(viewer, f"viewer-phone{suffix}")
                server.command("clear_message")
        for faces in make_faces(browser, server, font="noto", init_script=page_clock):
            screen = faces.open("/screen")
            over_by = server.state()["state"]["timer"]["remaining_ms"] // 1000 + 4
            server.command("add_time", seconds=-over_by)  # Mr. Hequan WU, 4 s over time
            expect(screen.locator("#countdown")).to_have_text(re.compile(r"^\+00:0\d$"))
            save(screen, "screen-overtime")
            server.command("end_session")
            server.command("start_session", session_id="appreciation")
            expect(screen.locator("#speaker-name")).to_contain_text("Appreciation")
            screen.wait_for_timeout(300)
            save(screen, "screen-closing")
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

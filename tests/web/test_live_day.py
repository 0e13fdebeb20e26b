"""The live day, rehearsed (issue 10): the seed day walked end to end in a real browser,
with every text of the venue screen, the viewer page and the overlay measured against the
viewport at the sizes they are shown at; and the page fixes that came out of it.

Layout is measured in the browser (``getBoundingClientRect`` of each text's own range,
``scrollWidth`` of the page), with the machine's default fonts (DejaVu on Debian).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.helpers import Server
from tests.web.test_web import WAIT, Faces, wait_version
from tests.web.test_web_stage import busy_problems, busy_stage

SIZES = [(1920, 1080), (1280, 720), (1024, 768), (390, 844)]

# Every visible text node: the box its glyphs take (clipped by an ancestor that clips,
# e.g. an ellipsis), which must lie inside the viewport; ``scrollY`` false for pages that
# scroll down (the viewer), where only the width counts.
TEXT_OUTSIDE = """async (scrollY) => {
  for (let i = 0; i < 2; i += 1) await new Promise(requestAnimationFrame); // the fit ran
  const width = document.documentElement.clientWidth;
  const height = innerHeight;
  const outside = [];
  if (document.documentElement.scrollWidth > innerWidth) {
    outside.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${innerWidth}`);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || el.closest('.visually-hidden')) continue;
    // not one hidden (an overlay's lower third out: opacity 0, its slide eased on a resize)
    if (!el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    let { left, right, top, bottom } = range.getBoundingClientRect();
    if (right - left < 1) continue;
    for (let a = el; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
      const box = a.getBoundingClientRect();
      left = Math.max(left, box.left);
      right = Math.min(right, box.right);
      top = Math.max(top, box.top);
      bottom = Math.min(bottom, box.bottom);
    }
    if (right <= left || bottom <= top) continue; // scrolled away inside a panel
    if (left < -1 || right > width + 1 || (scrollY && (top < -1 || bottom > height + 1))) {
      const [x0, x1, y0, y1] = [left, right, top, bottom].map(Math.round);
      outside.push(`${el.id || el.className} "${node.textContent.trim().slice(0, 40)}"`
        + ` at x ${x0}..${x1}, y ${y0}..${y1} in ${width}x${height}`);
    }
  }
  return outside;
}"""

# The screen's countdown: its glyphs inside the viewport and clear of every other block
# (across: the glyphs' width; up and down: its line box, as the font's content area is
# taller than the digits).
COUNTDOWN_CLEAR = """() => {
  const countdown = document.getElementById('countdown');
  const range = document.createRange();
  range.selectNodeContents(countdown);
  const glyphs = range.getBoundingClientRect();
  const line = countdown.getBoundingClientRect();
  const c = { left: glyphs.left, right: glyphs.right, top: line.top, bottom: line.bottom };
  const problems = [];
  if (c.left < 0 || c.top < 0 || c.right > innerWidth || c.bottom > innerHeight) {
    problems.push(`countdown at ${c.left}..${c.right} x ${c.top}..${c.bottom}`);
  }
  const others = ['.screen-session', '.screen-clock', '.screen-badges', '.screen-speaker',
    '.screen-bottom', '#message'];
  for (const selector of others) {
    const el = document.querySelector(selector);
    if (!el || !el.checkVisibility() || !el.textContent.trim()) continue;
    const o = el.getBoundingClientRect();
    const overlap = Math.min(c.right, o.right) - Math.max(c.left, o.left) > 1
      && Math.min(c.bottom, o.bottom) - Math.max(c.top, o.top) > 1;
    if (overlap) problems.push(`countdown overlaps ${selector}`);
  }
  return problems;
}"""


def fits(page: Page, scroll_y: bool) -> list[str]:
    page.bring_to_front()  # a page behind others draws a frame a second or less
    return page.evaluate(TEXT_OUTSIDE, scroll_y)


def check_layout(screen: Page, viewer: Page, overlay: Page, moment: str) -> None:
    """At every size: no text of the three faces outside the viewport, and the screen's
    countdown, clock, zone and session line fully there."""
    problems: list[str] = []
    for width, height in SIZES:
        for page, name in ((screen, "screen"), (viewer, "viewer"), (overlay, "overlay")):
            page.set_viewport_size({"width": width, "height": height})
            found = fits(page, scroll_y=name != "viewer")
            if name == "screen":
                found += page.evaluate(COUNTDOWN_CLEAR)
                for part in ("#countdown", "#local-clock", "#local-zone", "#session-title"):
                    if not screen.locator(part).text_content():
                        found.append(f"{part} is empty")
            problems += [f"{moment}, {name} {width}x{height}: {p}" for p in found]
    assert problems == [], "\n".join(problems)


def caught_up(server: Server, *pages: Page) -> None:
    version = server.state()["version"]
    for page in pages:
        wait_version(page, version)


@pytest.mark.slow
def test_the_seed_day_walked_end_to_end(faces: Faces, server: Server) -> None:
    first = faces.console()
    second = faces.console()
    screen = faces.open("/screen")
    viewer = faces.open("/viewer")
    overlay = faces.open("/overlay?timer=1")
    shown = (screen, viewer, overlay)
    programme = server.request("GET", "/api/programme")[1]
    sessions = {s["id"]: s for s in programme["sessions"]}

    def step(console: Page, key: str, confirm: bool = False) -> None:
        """A key on a console, and the change it made seen by that console."""
        console.bring_to_front()
        before = console.locator("#podium-status").get_attribute("data-version")
        console.keyboard.press(key)
        if confirm:
            console.click("#confirm-ok")
        expect(console.locator("#podium-status")).not_to_have_attribute(
            "data-version", str(before), timeout=WAIT
        )

    def walk(console: Page, session_id: str) -> None:
        """Start the session, then Next through every speaker, then end it."""
        console.bring_to_front()
        step(console, "s")
        speakers = sessions[session_id]["speakers"]
        for i, speaker in enumerate(speakers):
            expect(screen.locator("#speaker-name")).to_have_text(
                re.compile(re.escape(speaker["name"]))
            )
            if i + 1 < len(speakers):
                step(console, "ArrowRight")
        step(console, "e", confirm=True)

    # the opening, on the first console; a long affiliation measured on the way
    walk(first, "opening-session")

    # Session 1: Bilel Jamoussi runs over, then over by more than an hour
    first.wait_for_timeout(1_200)  # the other console's change is more than a second old
    second.bring_to_front()
    step(second, "s")
    step(second, "ArrowRight")
    # a cue, a question and a message up at once: the countdown keeps the stage (issue 22)
    busy_stage(server, approver=server.token)
    caught_up(server, *shown)
    screen.bring_to_front()
    assert busy_problems(screen) == []
    for clear in ("clear_cue", "clear_question", "clear_message"):
        server.command(clear)
    left = server.state()["state"]["timer"]["ends_at"] - server.state()["server_time"]
    server.command("add_time", seconds=-(left // 1000 + 4))
    caught_up(server, *shown)
    expect(screen.locator("#countdown")).to_have_text(re.compile(r"^\+00:0\d$"), timeout=WAIT)
    check_layout(screen, viewer, overlay, "overtime +00:0x")
    server.command("add_time", seconds=-3_720)
    caught_up(server, *shown)
    expect(screen.locator("#countdown")).to_have_text(re.compile(r"^\+1:02:\d\d$"), timeout=WAIT)
    check_layout(screen, viewer, overlay, "overtime +1:02:xx")
    for _ in range(4):
        step(second, "ArrowRight")
    step(second, "e", confirm=True)

    # Session 2: a jump over a speaker, undone, then made again (he is skipped)
    first.wait_for_timeout(1_200)
    first.bring_to_front()
    step(first, "s")
    first.click("[data-speaker='guiqing-liu']")
    first.click("#confirm-ok")
    expect(screen.locator("#speaker-name")).to_have_text(re.compile("Guiqing LIU"), timeout=WAIT)
    caught_up(server, *shown)
    step(first, "u")
    expect(screen.locator("#speaker-name")).to_have_text(re.compile("Cun XIE"), timeout=WAIT)
    first.click("[data-speaker='guiqing-liu']")
    first.click("#confirm-ok")
    expect(screen.locator("#speaker-name")).to_have_text(re.compile("Guiqing LIU"), timeout=WAIT)
    skipped = server.state()["state"]["speakers_run"].get("stephen-bereaux") or {}
    assert skipped.get("started_at") is None
    for _ in range(3):
        step(first, "ArrowRight")
    step(first, "e", confirm=True)

    # Session 3, with John Giusti's recorded speech
    first.wait_for_timeout(1_200)
    step(first, "s")
    step(first, "ArrowRight")
    step(first, "ArrowRight")
    expect(screen.locator("#presence-badge")).to_have_text("Recorded speech", timeout=WAIT)
    expect(viewer.locator("#now-label")).to_have_text("Recorded speech")
    step(first, "ArrowRight")
    step(first, "e", confirm=True)

    # the closing segment: no speakers, a long title in the name's place
    step(first, "s")
    closing = sessions["appreciation"]["title"]
    expect(screen.locator("#speaker-name")).to_have_text(closing, timeout=WAIT)
    check_layout(screen, viewer, overlay, "closing segment")
    left = server.state()["state"]["timer"]["ends_at"] - server.state()["server_time"]
    server.command("add_time", seconds=-(left // 1000 + 4))
    caught_up(server, *shown)
    expect(screen.locator("#countdown")).to_have_text(re.compile(r"^\+00:0\d$"), timeout=WAIT)
    check_layout(screen, viewer, overlay, "closing segment in overtime")
    step(first, "e", confirm=True)
    runs = server.state()["state"]["speakers_run"]
    everyone = {sp["id"] for s in programme["sessions"] for sp in s["speakers"]}
    spoke = {key for key, run in runs.items() if run.get("started_at") is not None}
    assert everyone - spoke == {"stephen-bereaux"}


# -- 1, 2: the screen's countdown fits; overtime stays readable ------------------------------


def test_overtime_flashes_the_frame_and_keeps_the_digits_bright(
    short_faces: Faces,
    short_server: Server,
) -> None:
    screen = short_faces.open("/screen")
    short_server.command("start_session", session_id="quick")
    short_server.command("add_time", seconds=-10)
    expect(screen.locator("#countdown")).to_have_text(re.compile(r"^\+00:0\d$"), timeout=WAIT)
    looks = screen.evaluate(
        """() => new Promise((done) => {
      const seen = [];
      const look = () => {
        const style = getComputedStyle(document.getElementById('countdown'));
        seen.push([style.opacity, style.color]);
        if (seen.length < 90) requestAnimationFrame(look); else done(seen);
      };
      look();
    })"""
    )
    assert {tuple(x) for x in looks} == {("1", "rgb(255, 69, 58)")}
    assert screen.evaluate("getComputedStyle(document.body).animationName") == "screen-flash"


# -- 4: each kind of page keeps its own language ----------------------------------------------


def test_the_console_in_chinese_leaves_the_screen_in_english(
    faces: Faces,
) -> None:
    console = faces.console()
    console.click("#lang")
    expect(console.locator("#btn-next")).to_contain_text("下一位")
    screen = faces.open("/screen")
    expect(screen.locator("#fullscreen")).to_have_text("Full screen")
    assert screen.evaluate("document.documentElement.lang") == "en"
    console.reload()  # the console's own choice is kept
    expect(console.locator("#btn-next")).to_contain_text("下一位")
    asked = faces.open("/console?lang=en")  # and ?lang= still wins
    expect(asked.locator("#btn-next")).to_contain_text("Next speaker")


# -- 9: presence on the faces ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "remote", "recorded"),
    [("en", "Speaking remotely", "Recorded speech"), ("zh-CN", "远程发言", "录播发言")],
)
def test_remote_and_recorded_speakers_say_so(
    short_faces: Faces,
    short_server: Server,
    lang: str,
    remote: str,
    recorded: str,
) -> None:
    screen = short_faces.open(f"/screen?lang={lang}")
    viewer = short_faces.open(f"/viewer?lang={lang}")
    short_server.command("start_session", session_id="quick")
    expect(screen.locator("#presence-badge")).to_be_hidden(timeout=WAIT)
    short_server.command("next")
    expect(screen.locator("#presence-badge")).to_have_text(remote, timeout=WAIT)
    expect(viewer.locator("#now-label")).to_have_text(remote, timeout=WAIT)
    short_server.command("next")
    expect(screen.locator("#presence-badge")).to_have_text(recorded, timeout=WAIT)
    expect(viewer.locator("#now-label")).to_have_text(recorded, timeout=WAIT)
    expect(screen.locator("#countdown")).to_have_text(re.compile(r"^00:\d\d$"))


# -- 11: smaller things on the pages ---------------------------------------------------------


def test_console_shortcuts_labels_and_disabled_next(faces: Faces, server: Server) -> None:
    console = faces.console()
    console.set_viewport_size({"width": 1280, "height": 800})
    server.command("start_session", session_id="session-1")
    wait_version(console, 1)
    console.keyboard.press("?")
    expect(console.locator("#keys")).to_have_attribute("open", "")
    last = console.locator("#keys dd").last
    expect(last).to_be_in_viewport(ratio=1)
    box = last.bounding_box()
    panel = console.locator(".panel.now").bounding_box()
    assert box and panel and box["y"] + box["height"] <= panel["y"] + panel["height"]

    expect(console.locator("#slot-sub")).to_contain_text("slot ends")
    expect(console.locator(".rd-session.is-live .rd-moved")).to_contain_text("projected end")

    accent = console.evaluate(
        "getComputedStyle(document.getElementById('btn-next')).backgroundColor"
    )
    for speaker in ("luis-romero", "ran-xiao", "heung-youl-youm"):
        server.command("goto", speaker_id=speaker)
    caught_up(server, console)
    next_button = console.locator("#btn-next")
    expect(next_button).to_be_disabled()
    # the buttons' background eases over 0.12 s: wait for the disabled colour, don't race it
    expect(next_button).not_to_have_css("background-color", accent)


def test_the_feedback_line_follows_a_language_switch(faces: Faces, server: Server) -> None:
    server.command("start_session", session_id="session-1")
    console = faces.console()
    wait_version(console, 1)
    console.keyboard.press("+")
    expect(console.locator("#feedback")).to_have_text("+1 min done", timeout=WAIT)
    console.click("#lang")
    expect(console.locator("#feedback")).to_have_text("+1 分钟：已完成")  # noqa: RUF001


def test_the_viewer_says_paused(faces: Faces, server: Server) -> None:
    server.command("start_session", session_id="session-1")
    viewer = faces.open("/viewer")
    expect(viewer.locator("#paused")).to_be_hidden()
    server.command("pause")
    expect(viewer.locator("#paused")).to_have_text("Paused", timeout=WAIT)
    viewer.click("#lang")
    expect(viewer.locator("#paused")).to_have_text("已暂停")
    server.command("resume")
    expect(viewer.locator("#paused")).to_be_hidden(timeout=WAIT)


def test_on_a_phone_the_reconnecting_banner_covers_nothing(
    faces: Faces,
    server: Server,
) -> None:
    server.command("start_session", session_id="session-1")
    viewer = faces.open("/viewer")
    viewer.set_viewport_size({"width": 390, "height": 844})
    expect(viewer.locator("#questions")).to_be_visible(timeout=WAIT)  # its module is in
    server.kill()
    banner = viewer.locator("#podium-status")
    expect(banner).to_have_attribute("data-state", "reconnecting", timeout=WAIT)
    expect(banner).to_have_text("Reconnecting…")
    covered: list[Any] = viewer.evaluate(
        """() => {
      const banner = document.getElementById('podium-status').getBoundingClientRect();
      return [...document.querySelectorAll('h1, h2, #now-session, #now-name, #left, #event-sub')]
        .filter((el) => {
          const r = el.getBoundingClientRect();
          return Math.min(r.bottom, banner.bottom) - Math.max(r.top, banner.top) > 0
            && Math.min(r.right, banner.right) - Math.max(r.left, banner.left) > 0;
        })
        .map((el) => el.id || el.tagName);
    }"""
    )
    assert covered == []
    server.start()
    expect(banner).to_have_attribute("data-state", "live", timeout=15_000)

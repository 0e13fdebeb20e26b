"""The live day, rehearsed (issue 10): the seed day walked end to end in a real browser,
with every text of the venue screen, the viewer page and the overlay measured against the
viewport at the sizes they are shown at; and the page fixes that came out of it. The walk
goes through what the second rehearsal broke (issue 22, items 1, 2, 3, 5 and 6) as a
moderator meets it, the faces checked at each size.

Layout is measured in the browser (``getBoundingClientRect`` of each text's own range,
``scrollWidth`` of the page), with the machine's default fonts (DejaVu on Debian).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers import Server
from tests.web.test_web import WAIT, Faces, make_faces, wait_version
from tests.web.test_web_stage import (
    BUSY,
    SHANGHAI,
    HeldClock,
    busy_problems,
    minutes,
    yesterday,
)

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


def in_view(page: Page, selector: str) -> None:
    """``selector`` inside the page's viewport (measured with the page in front)."""
    page.bring_to_front()
    expect(page.locator(selector)).to_be_in_viewport()


Check = Callable[[], None]  # expectations about the pages, made at one size


def holds(check: Check) -> list[str]:
    """What ``check`` found wrong: nothing, or its failure (what was expected, what was
    there, and of which locator)."""
    try:
        check()
    except AssertionError as failed:
        lines = str(failed).splitlines()
        said = lines[: lines.index("Call log:") + 2] if "Call log:" in lines else lines[:3]
        return [" / ".join(line.strip() for line in said if line.strip())]
    return []


def check_layout(
    screen: Page, viewer: Page, overlay: Page, moment: str, also: Check | None = None
) -> None:
    """At every size: no text of the three faces outside the viewport, and the screen's
    countdown (while a session is live), clock, zone and session line fully there; and
    ``also`` holds at each size."""
    problems: list[str] = []
    for width, height in SIZES:
        for page, name in ((screen, "screen"), (viewer, "viewer"), (overlay, "overlay")):
            page.set_viewport_size({"width": width, "height": height})
            found = fits(page, scroll_y=name != "viewer")
            if name == "screen" and screen.locator("#live").is_visible():
                found += page.evaluate(COUNTDOWN_CLEAR)
                for part in ("#countdown", "#local-clock", "#local-zone", "#session-title"):
                    if not screen.locator(part).text_content():
                        found.append(f"{part} is empty")
            problems += [f"{moment}, {name} {width}x{height}: {p}" for p in found]
        if also is not None:
            problems += [f"{moment}, {width}x{height}: {p}" for p in holds(also)]
    assert problems == [], "\n".join(problems)


def at_every_size(pages: Sequence[Page], moment: str, check: Check) -> None:
    """``check`` holds with ``pages`` at each of ``SIZES``."""
    problems = []
    for width, height in SIZES:
        for page in pages:
            page.set_viewport_size({"width": width, "height": height})
        problems += [f"{moment}, {width}x{height}: {p}" for p in holds(check)]
    assert problems == [], "\n".join(problems)


def caught_up(server: Server, *pages: Page) -> None:
    version = server.state()["version"]
    for page in pages:
        wait_version(page, version)


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


# -- the moderator's message controls, by mouse (issue 22 item 1) ---------------------------


def click_target(console: Page, target: str) -> None:
    """A click on the message's target: ``screen`` (Stage screen), ``viewers`` or ``all``."""
    console.bring_to_front()
    console.click(f".segmented label:has(input[value='{target}'])")
    expect(console.locator(f"input[value='{target}']")).to_be_checked()


def send_message(console: Page, text: str) -> None:
    """The message typed in its box and sent with Enter: once sent, the focus is the
    page's again (the next key is a shortcut) and the box is empty."""
    console.click("#message-text")
    console.keyboard.type(text)
    step(console, "Enter")
    assert console.evaluate("document.activeElement === document.body")
    expect(console.locator("#message-text")).to_have_value("")


def show_question(server: Server, text: str) -> None:
    """A viewer's question, approved by a moderator and put on screen."""
    status, asked = server.request("POST", "/api/questions", {"text": text})
    assert status == 201, asked
    server.request("POST", f"/api/questions/{asked['id']}", {"action": "approve"}, server.token)
    server.command("show_question", question_id=asked["id"])


# -- what each face shows, checked at every size (issue 22 items 2, 3, 6) ------------------

IN = re.compile(r"\bis-in\b")
UP_FOR = re.compile(r"^up (< 1 min|\d+ min)$")


def on_stage(screen: Page, viewer: Page, overlay: Page, name: str) -> Check:
    """``name`` is on: on the screen, the viewer's Now card and the overlay, in view."""

    def check() -> None:
        for page, part in ((screen, "#speaker-name"), (viewer, "#now-name")):
            expect(page.locator(part)).to_have_text(name, timeout=WAIT)
            in_view(page, part)
        expect(overlay.locator("#lt-name")).to_have_text(name, timeout=WAIT)

    return check


def stage_content(screen: Page, viewer: Page, overlay: Page, message: str, question: str) -> Check:
    """The stage's message and the audience's question up: on the screen, the question on
    the overlay and the viewer's page too."""

    def check() -> None:
        expect(screen.locator("#message-text")).to_have_text(message, timeout=WAIT)
        expect(screen.locator("#question-text")).to_have_text(question)
        for part in ("#message-text", "#question"):
            in_view(screen, part)
        expect(overlay.locator("#lt-question")).to_have_class(IN)
        expect(overlay.locator("#lt-question-text")).to_have_text(question)
        expect(viewer.locator("#shown-text")).to_have_text(question)

    return check


def stage_content_gone(screen: Page, viewer: Page, overlay: Page) -> Check:
    """Item 3: the stage's message (pinned too) and the question went with their session."""

    def check() -> None:
        expect(screen.locator("#message")).to_be_hidden(timeout=WAIT)
        expect(screen.locator("#question")).to_be_hidden()
        expect(overlay.locator("#lt-question")).not_to_have_class(IN)
        expect(viewer.locator("#shown")).to_be_hidden()

    return check


def viewers_notice(viewer: Page, text: str | None) -> Check:
    """Item 3: the viewers' message up (in view, above the Now card), or none (``None``)."""

    def check() -> None:
        if text is None:
            expect(viewer.locator("#banner")).to_be_hidden(timeout=WAIT)
            return
        expect(viewer.locator("#banner-text")).to_have_text(text, timeout=WAIT)
        in_view(viewer, "#banner-text")

    return check


def both(*checks: Check) -> Check:
    def check() -> None:
        for each in checks:
            each()

    return check


def expected_at(screen: Page, viewer: Page, at: dt.datetime) -> Check:
    """The screen's "next session" line and the viewer's Now card expect it at ``at`` (or
    within the two minutes after), in view."""

    def check() -> None:
        for page, part in ((screen, "#idle-next"), (viewer, "#now-upnext")):
            expect(page.locator(part)).to_contain_text(re.compile(rf"\b({minutes(at)})\b"))
            in_view(page, part)

    return check


def the_expected_start_moves(browser: Browser, server: Server) -> None:
    """Item 6, in a break of the day: a screen and a viewer opened on a clock of their own
    (``HeldClock``) say the next session is expected now, and seven minutes later (nothing
    pushed meanwhile) seven minutes later, at every size: never a time already past."""
    for faces in make_faces(browser, server):
        now = dt.datetime.now(SHANGHAI)  # before the pages: what they say is no earlier
        clock = HeldClock(faces)
        screen, viewer = clock.open("/screen"), clock.open("/viewer")
        expected_at(screen, viewer, now)()
        clock.later("07:00")
        later = expected_at(screen, viewer, now + dt.timedelta(minutes=7))
        at_every_size((screen, viewer), "7 min into the break", later)


COFFEE = "Coffee break after Session 1"
STAY = "Please stay for the closing words after Session 3"
STAGE_MESSAGE = BUSY["en"]["message"]
QUESTION = BUSY["en"]["question"]


@pytest.mark.slow
def test_the_seed_day_walked_end_to_end(browser: Browser, faces: Faces, server: Server) -> None:
    """The seed day as a moderator runs it, on two consoles (a 1280x800 laptop and a
    1024x768 one), the screen, the viewer and the overlay checked at every size."""
    # yesterday's plan: every session is late whatever the hour (the rehearsal ran 12 h
    # late), so between two sessions the next one is expected "now", as time passes
    server.command("set_plan_date", date=yesterday())
    first = faces.console()
    first.set_viewport_size({"width": 1280, "height": 800})
    second = faces.console()
    second.set_viewport_size({"width": 1024, "height": 768})
    screen = faces.open("/screen")
    viewer = faces.open("/viewer")
    overlay = faces.open("/overlay?timer=1")
    shown = (screen, viewer, overlay)
    programme = server.request("GET", "/api/programme")[1]
    sessions = {s["id"]: s for s in programme["sessions"]}

    def walk(console: Page, session_id: str) -> None:
        """Start the session, then Next through every speaker, then end it."""
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

    # Session 1, on the second console (1024x768)
    first.wait_for_timeout(1_200)  # the other console's change is more than a second old
    step(second, "s")
    # item 1: after a click on a target, → is the next speaker, not the next radio
    click_target(second, "viewers")
    step(second, "ArrowRight")
    expect(screen.locator("#speaker-name")).to_have_text("Mr. Bilel Jamoussi", timeout=WAIT)
    expect(second.locator("input[value='viewers']")).to_be_checked()
    # items 1, 3: the viewers' notice, sent with Enter
    send_message(second, COFFEE)
    expect(viewer.locator("#banner-text")).to_have_text(COFFEE, timeout=WAIT)
    # item 1: after ticking Pin, Space pauses (Pin stays ticked); again, it resumes
    click_target(second, "screen")
    second.click(".pin")
    expect(second.locator("#message-pin")).to_be_checked()
    step(second, "Space")
    expect(screen.locator("#paused-badge")).to_be_visible(timeout=WAIT)
    expect(second.locator("#message-pin")).to_be_checked()
    step(second, "Space")
    expect(screen.locator("#paused-badge")).to_be_hidden(timeout=WAIT)
    # items 1, 5: a pinned stage message sent with Enter, then W cues (no "w" in the box)
    send_message(second, STAGE_MESSAGE)
    step(second, "w")
    expect(screen.locator("#cue")).to_be_visible(timeout=WAIT)
    expect(second.locator("#message-text")).to_have_value("")
    # item 3: the console says how long each message has been up (below the message form:
    # at 1024x768 and 1280x800 the controls' panel scrolls down to it)
    for slot in ("screen", "viewers"):
        expect(second.locator(f"#message-{slot}-age")).to_have_text("up < 1 min")
        expect(second.locator(f"#message-{slot}-age")).to_be_visible()
    # item 5: a question too: with a cue, a question and a message up, the countdown
    # keeps the stage at every size
    show_question(server, QUESTION)
    caught_up(server, *shown)
    screen.bring_to_front()
    assert busy_problems(screen) == []

    # item 2: a jump to Session 2 from the rundown is one action, and one U undoes it
    before = server.state()["state"]
    jumped = server.state()["version"] + 1
    second.bring_to_front()
    second.click("[data-session='session-2']")
    expect(second.locator("#confirm-text")).to_contain_text("Session 2")
    second.click("#confirm-ok")
    wait_version(second, jumped)
    caught_up(server, *shown)
    # item 3: Session 1's stage message (pinned) and question went with it; not the notice
    at_every_size(
        shown,
        "jumped to Session 2",
        both(
            on_stage(screen, viewer, overlay, "Mr. Cun XIE"),
            stage_content_gone(screen, viewer, overlay),
            viewers_notice(viewer, COFFEE),
        ),
    )
    step(second, "u")
    assert server.state()["version"] == jumped + 1
    live = server.state()["state"]
    assert (live["phase"], (live["session"] or {}).get("id")) == ("live", "session-1")
    assert live["timer"]["ends_at"] == before["timer"]["ends_at"]  # his time ran on
    caught_up(server, *shown)
    for console in (first, second):
        expect(console.locator("#now-name")).to_have_text("Mr. Bilel Jamoussi")
    at_every_size(
        shown,
        "Session 1 back by one U",
        both(
            on_stage(screen, viewer, overlay, "Mr. Bilel Jamoussi"),
            stage_content(screen, viewer, overlay, STAGE_MESSAGE, QUESTION),
            viewers_notice(viewer, COFFEE),
        ),
    )

    # Bilel Jamoussi runs over, then over by more than an hour (the pinned message and the
    # question stay up)
    server.command("clear_cue")
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
    expect(screen.locator("#message-text")).to_have_text(STAGE_MESSAGE)  # pinned: past its speaker
    step(second, "e", confirm=True)

    # the break: item 3, what Session 1 showed is gone, the viewers' notice stays (and the
    # console says for how long); item 6, the next session's expected start moves
    caught_up(server, *shown)
    check_layout(
        screen,
        viewer,
        overlay,
        "between Session 1 and Session 2",
        also=both(stage_content_gone(screen, viewer, overlay), viewers_notice(viewer, COFFEE)),
    )
    expect(second.locator("#message-screen")).to_be_hidden()
    expect(second.locator("#message-viewers-age")).to_have_text(UP_FOR)
    the_expected_start_moves(browser, server)

    # Session 2: a jump over a speaker, undone, then made again (he is skipped)
    first.wait_for_timeout(1_200)
    step(first, "s")
    expect(viewer.locator("#banner-text")).to_have_text(COFFEE)  # item 3: the day's notice
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

    # Session 3, with John Giusti's recorded speech, on the first console (1280x800)
    first.wait_for_timeout(1_200)
    step(first, "s")
    expect(viewer.locator("#banner-text")).to_have_text(COFFEE)
    # item 1 again: Both, → the next speaker; Pin, Space pauses and resumes; a message
    # to both, pinned, sent with Enter; → the next speaker (not an arrow in the box)
    click_target(first, "all")
    step(first, "ArrowRight")
    expect(screen.locator("#speaker-name")).to_have_text("Mr. Jing SUN", timeout=WAIT)
    expect(first.locator("input[value='all']")).to_be_checked()
    first.click(".pin")
    step(first, "Space")
    expect(screen.locator("#paused-badge")).to_be_visible(timeout=WAIT)
    expect(first.locator("#message-pin")).to_be_checked()
    step(first, "Space")
    send_message(first, STAY)
    step(first, "ArrowRight")
    expect(screen.locator("#presence-badge")).to_have_text("Recorded speech", timeout=WAIT)
    expect(viewer.locator("#now-label")).to_have_text("Recorded speech")
    expect(screen.locator("#message-text")).to_have_text(STAY)  # pinned
    expect(viewer.locator("#banner-text")).to_have_text(STAY)
    step(first, "ArrowRight")
    step(first, "e", confirm=True)
    # item 3: the stage's half goes with Session 3, the viewers' half stays for the day
    caught_up(server, *shown)
    expect(first.locator("#message-screen")).to_be_hidden()
    expect(first.locator("#message-viewers-text")).to_have_text(STAY)
    at_every_size(
        shown,
        "after Session 3",
        both(stage_content_gone(screen, viewer, overlay), viewers_notice(viewer, STAY)),
    )

    # the closing segment: no speakers, a long title in the name's place
    step(first, "s")
    closing = sessions["appreciation"]["title"]
    expect(screen.locator("#speaker-name")).to_have_text(closing, timeout=WAIT)
    check_layout(screen, viewer, overlay, "closing segment", also=viewers_notice(viewer, STAY))
    left = server.state()["state"]["timer"]["ends_at"] - server.state()["server_time"]
    server.command("add_time", seconds=-(left // 1000 + 4))
    caught_up(server, *shown)
    expect(screen.locator("#countdown")).to_have_text(re.compile(r"^\+00:0\d$"), timeout=WAIT)
    check_layout(screen, viewer, overlay, "closing segment in overtime")
    expect(first.locator("#message-viewers-age")).to_have_text(UP_FOR)  # item 3
    step(first, "e", confirm=True)
    # item 3: the day is over: the viewers' message went with it
    caught_up(server, *shown)
    check_layout(screen, viewer, overlay, "the day is over", also=viewers_notice(viewer, None))
    for console in (first, second):
        expect(console.locator("#message-current")).to_be_hidden()
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

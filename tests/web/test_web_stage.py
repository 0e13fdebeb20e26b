"""The stage's pages after the second rehearsal (issue 22: items 4, 5, 6, 8 and 13's parts
for the venue screen, the overlay, the viewer and the speaker page), in real Chromium, with
DejaVu and with Noto Sans CJK (``FONTS`` in ``tests/web/test_web.py``), in English and Chinese.

Glyphs are measured by their text's own ranges (``Range.getClientRects()``: a line's
content area, from the font's ascent to its descent) against every ancestor that clips."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from tests.helpers import ASSISTANT, Server
from tests.web.test_web import READY, WAIT, Faces, make_faces, save, wait_version
from tests.web.test_web_speakers import links

SHANGHAI = ZoneInfo("Asia/Shanghai")
SIZES = [(1920, 1080), (1280, 720), (1024, 768), (390, 844)]
LANGS = ["en", "zh-CN"]
# what the rehearsal had up on the stage screen at once, with descenders to cut
BUSY = {
    "en": {
        "question": "How will the 5G rollout reach rural schools, and who is going to pay "
        "for the last mile in the villages?",
        "message": "Please wrap up: we are fixing the microphone for the panel",
    },
    "zh-CN": {
        "question": "5G网络如何覆盖农村学校？最后一公里的费用由谁承担？",  # noqa: RUF001
        "message": "请尽快结束：我们正在调试下一位发言人的麦克风",  # noqa: RUF001
    },
}

# Every visible text's lines (``getClientRects`` of its range) against every ancestor that
# clips (overflow hidden or clip): a line the ancestor shows in part has its glyphs cut; a
# line it hides whole is hidden on purpose (a line clamp). What shows must be in the viewport
# (across only, for a page that scrolls down: ``scrollY`` false).
CUT_GLYPHS = """(scrollY) => {
  const problems = [];
  const label = (el) => el.id ? `#${el.id}` : `.${[...el.classList].join('.')}`;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const text = node.textContent.trim();
    if (!text || el.closest('.visually-hidden')) continue;
    if (!el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
    const clips = [];
    for (let a = el; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (/hidden|clip/.test(style.overflowX + style.overflowY)) clips.push(a);
    }
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const line of range.getClientRects()) {
      if (line.width < 1) continue;
      let shown = true;
      for (const a of clips) {
        const box = a.getBoundingClientRect();
        if (line.bottom <= box.top + 0.5 || line.top >= box.bottom - 0.5) {
          shown = false; // hidden whole
          break;
        }
        const over = Math.max(box.top - line.top, line.bottom - box.bottom);
        if (over > 0.5) {
          problems.push(`${label(el)} "${text.slice(0, 30)}": ${over.toFixed(1)} px of its`
            + ` glyphs cut by ${label(a)}`);
        }
      }
      const across = line.left < -1 || line.right > innerWidth + 1 && !clips.length;
      if (shown && (across || scrollY && (line.top < -1 || line.bottom > innerHeight + 1))) {
        problems.push(`${label(el)} "${text.slice(0, 30)}" outside the viewport`);
      }
    }
  }
  return problems;
}"""

# The stage screen's blocks as they are laid out: each one's box, and the size of the texts
# that must stay readable.
BLOCKS = """() => {
  const blocks = {
    top: '.screen-top', badges: '.screen-badges', cue: '#cue', countdown: '#countdown',
    speaker: '.screen-speaker', question: '#question', message: '#message',
    bottom: '.screen-bottom',
  };
  const boxes = {};
  for (const [name, selector] of Object.entries(blocks)) {
    const el = document.querySelector(selector);
    const r = el.getBoundingClientRect();
    if (el.checkVisibility() && r.height > 0) {
      boxes[name] = { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    }
  }
  const digits = document.createRange();
  digits.selectNodeContents(document.getElementById('countdown'));
  const px = (id) => parseFloat(getComputedStyle(document.getElementById(id)).fontSize);
  return {
    boxes,
    digitsWidth: digits.getBoundingClientRect().width,
    sizes: Object.fromEntries(
      ['speaker-name', 'cue', 'question-text', 'message-text'].map((id) => [id, px(id)])),
  };
}"""

SETTLED = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


def glyphs_cut(page: Page, scroll_y: bool = True) -> list[str]:
    page.evaluate(SETTLED)  # the page's own fitting ran for this size
    return page.evaluate(CUT_GLYPHS, scroll_y)


def busy_stage(server: Server, lang: str = "en", approver: str = ASSISTANT) -> None:
    """Whoever is on cued to wrap up, with a question (approved by ``approver``: the
    assistant or a moderator) and a stage message up."""
    status, body = server.request("POST", "/api/questions", {"text": BUSY[lang]["question"]})
    assert status == 201, body
    server.request("POST", f"/api/questions/{body['id']}", {"action": "approve"}, approver)
    server.command("show_question", question_id=body["id"])
    server.command("show_message", text=BUSY[lang]["message"], target="screen")
    server.command("cue", kind="wrap_up")


def busy_problems(screen: Page, shots: str | None = None) -> list[str]:
    """What is wrong with the busy stage screen at each of ``SIZES`` (``shots``: save
    screenshots at 1920x1080 and 390x844, their names ending so)."""
    problems = []
    for width, height in SIZES:
        screen.set_viewport_size({"width": width, "height": height})
        found = glyphs_cut(screen) + stage_problems(screen.evaluate(BLOCKS), width, height)
        problems += [f"{width}x{height}: {p}" for p in found]
        if shots is not None and (width, height) in ((1920, 1080), (390, 844)):
            save(screen, f"screen-busy-{width}x{height}{shots}")
    return problems


def overlapping(a: dict[str, float], b: dict[str, float]) -> bool:
    across = min(a["right"], b["right"]) - max(a["left"], b["left"])
    down = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return across > 1 and down > 1


def stage_problems(layout: dict[str, Any], width: int, height: int) -> list[str]:
    """The countdown keeps the largest share, nothing overlaps, the texts stay readable."""
    boxes = layout["boxes"]
    problems = []
    clock = boxes["countdown"]
    tall = clock["bottom"] - clock["top"]
    for name, box in boxes.items():
        if name != "countdown" and box["bottom"] - box["top"] >= tall:
            problems.append(
                f"{name} is {box['bottom'] - box['top']:.0f} px tall, the digits {tall:.0f}"
            )
        if name != "countdown" and overlapping(clock, box):
            problems.append(f"the countdown overlaps {name}")
        if box["left"] < -1 or box["right"] > width + 1 or box["bottom"] > height + 1:
            problems.append(f"{name} is outside the screen: {box}")
    names = list(boxes)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            if first != "countdown" and overlapping(boxes[first], boxes[second]):
                problems.append(f"{first} overlaps {second}")
    # the floor: 30 % of the height in landscape; across a portrait screen, 70 % of its width
    if width > height and tall < 0.3 * height:
        problems.append(f"the digits are {tall:.0f} px of {height}")
    if width <= height and layout["digitsWidth"] < 0.7 * width:
        problems.append(f"the digits are {layout['digitsWidth']:.0f} px wide of {width}")
    for text, px in layout["sizes"].items():
        if px < 14:
            problems.append(f"#{text} shrank to {px:.1f} px")
    return problems


# -- 4, 5: the venue screen with everything up ------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_countdown_keeps_the_screen_with_a_cue_a_question_and_a_message(
    browser: Browser, qserver: Server, font: str, lang: str
) -> None:
    qserver.command("start_session", session_id="opening-session")  # Weizhong: a "g" to cut
    busy_stage(qserver, lang)
    for faces in make_faces(browser, qserver, font=font):
        screen = faces.open(f"/screen?lang={lang}")
        expect(screen.locator("#cue")).to_be_visible()
        expect(screen.locator("#cue")).not_to_have_class(re.compile(r"\bis-flashing\b"))
        expect(screen.locator("#message-text")).to_have_text(BUSY[lang]["message"])
        expect(screen.locator("#question-text")).to_have_text(BUSY[lang]["question"])
        expect(screen.locator("#speaker-name")).to_have_text("H.E. Mr. Weizhong QIN")
        suffix = "" if lang == "en" else "-zh"
        problems = busy_problems(screen, shots=suffix if font == "noto" else None)
        assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_no_glyph_is_cut_on_the_screen_and_the_overlay(
    browser: Browser, qserver: Server, font: str, lang: str
) -> None:
    qserver.command("start_session", session_id="opening-session")
    long = "fixing the sound in the hall, going on shortly; " * 4  # clamped: lines hidden
    qserver.command("show_message", text=long.strip(), target="screen")
    for faces in make_faces(browser, qserver, font=font):
        screen = faces.open(f"/screen?lang={lang}")
        overlay = faces.open(f"/overlay?lang={lang}&timer=1")
        expect(screen.locator("#speaker-name")).to_have_text("H.E. Mr. Weizhong QIN")
        expect(overlay.locator("#lower-third")).to_have_css("opacity", "1")
        problems = []
        for width, height in SIZES:
            for page, name in ((screen, "screen"), (overlay, "overlay")):
                page.set_viewport_size({"width": width, "height": height})
                problems += [f"{name} {width}x{height}: {p}" for p in glyphs_cut(page)]
        busy_question = BUSY[lang]["question"]
        _, body = qserver.request("POST", "/api/questions", {"text": busy_question})
        qserver.request("POST", f"/api/questions/{body['id']}", {"action": "approve"}, ASSISTANT)
        qserver.command("show_question", question_id=body["id"])
        expect(overlay.locator("#lt-question")).to_have_css("opacity", "1")
        for width, height in SIZES:
            overlay.set_viewport_size({"width": width, "height": height})
            problems += [f"overlay {width}x{height}: {p}" for p in glyphs_cut(overlay)]
        assert problems == [], "\n".join(problems)


def test_no_glyph_is_cut_in_the_consoles_undo_line(
    browser: Browser, server: Server, font: str
) -> None:
    server.command("start_session", session_id="session-1")
    for faces in make_faces(browser, server, font=font, locale="zh-CN"):
        console = faces.console()
        expect(console.locator("#undo-sub")).not_to_be_empty()
        assert [p for p in glyphs_cut(console, scroll_y=False) if "#undo-sub" in p] == []


# -- 13: the overlay keeps the name at 390 wide -----------------------------------------------


def test_the_overlay_keeps_the_name_on_a_narrow_source(browser: Browser, server: Server) -> None:
    server.command("start_session", session_id="session-3")
    server.command("goto", speaker_id="john-giusti")  # recorded: the badge and the timer
    for faces in make_faces(browser, server, font="noto"):
        overlay = faces.open("/overlay?timer=1")
        expect(overlay.locator("#lt-presence")).to_be_visible()
        expect(overlay.locator("#lower-third")).to_have_css("opacity", "1")
        for width, height in ((390, 844), (1280, 720)):
            overlay.set_viewport_size({"width": width, "height": height})
            overlay.evaluate(SETTLED)
            shown = overlay.eval_on_selector(
                "#lt-name",
                """el => {
                  const range = document.createRange();
                  range.selectNodeContents(el);
                  const text = range.getBoundingClientRect();
                  const box = el.getBoundingClientRect();
                  const shown = Math.min(text.right, box.right) - Math.max(text.left, box.left);
                  return [shown, text.width];
                }""",
            )
            assert shown[0] >= shown[1] - 1, (width, shown)  # "Mr. John Giusti", whole
            assert glyphs_cut(overlay) == [], width


# -- 6: between sessions, "expected" moves with the clock ---------------------------------------


def yesterday() -> str:
    return (dt.datetime.now(SHANGHAI).date() - dt.timedelta(days=1)).isoformat()


def minutes(at: dt.datetime) -> str:
    """The minute ``at`` and the next two, as a page may show them a moment later."""
    return "|".join(f"{at + dt.timedelta(minutes=m):%H:%M}" for m in range(3))


class HeldClock:
    """Pages of one context on Playwright's clock (installed for the context, before its
    pages open), whose offset to the server's clock is held once time is moved on: their
    pongs are dropped then, so a page keeps its offset and its own clock alone says how
    much time has passed (nothing is pushed in a break)."""

    def __init__(self, faces: Faces) -> None:
        self.faces = faces
        self.held = False
        faces.context.clock.install()
        faces.context.route_web_socket(re.compile(r".*/ws\?.*"), self.route)

    def route(self, ws: WebSocketRoute) -> None:
        server_side = ws.connect_to_server()
        server_side.on_message(
            lambda m: None if self.held and '"type":"pong"' in str(m) else ws.send(m)
        )

    def open(self, path: str) -> Page:
        """A page with its clock's offset measured (a round trip done)."""
        page = self.faces.open(path)
        expect(page.locator("#podium-status")).not_to_have_attribute("data-rtt", "")
        return page

    def later(self, duration: str) -> None:
        """``duration`` ("07:00") passes on the pages' clock, and no more on the server's."""
        self.held = True
        self.faces.context.clock.fast_forward(duration)


def test_the_expected_start_moves_with_the_clock_between_sessions(
    faces: Faces, server: Server
) -> None:
    # yesterday's plan: Session 1 was due long ago, so it is expected "now", whenever now is
    server.command("set_plan_date", date=yesterday())
    server.command("start_session", session_id="opening-session")
    server.command("end_session")
    now = dt.datetime.now(SHANGHAI)  # before the pages: what they say is no earlier
    clock = HeldClock(faces)
    screen, viewer = clock.open("/screen"), clock.open("/viewer")
    expect(screen.locator("#idle-next")).to_have_text(re.compile(rf"^({minutes(now)}) · "))
    expect(viewer.locator("#now-upnext")).to_contain_text(re.compile(minutes(now)))
    later = now + dt.timedelta(minutes=7)
    clock.later("07:00")
    expect(screen.locator("#idle-next")).to_have_text(re.compile(rf"^({minutes(later)}) · "))
    expect(viewer.locator("#now-upnext")).to_contain_text(re.compile(minutes(later)))


# -- 8: every time in the viewer's own zone as well -------------------------------------------


def zones(at: int) -> tuple[str, str]:
    """``at`` as ``HH:MM`` in the event's zone, and as ``HH:MM CET`` in the viewer's (the
    browser's zone in ``make_faces``: Europe/Zurich)."""
    moment = dt.datetime.fromtimestamp(at / 1000, dt.UTC)
    local = moment.astimezone(ZoneInfo("Europe/Zurich"))
    return f"{moment.astimezone(SHANGHAI):%H:%M}", f"{local:%H:%M} {local.tzname()}"


def test_the_viewer_and_the_speaker_page_say_times_in_the_viewers_zone_too(
    browser: Browser, server: Server
) -> None:
    server.command("set_plan_date", date=yesterday())
    server.command("start_session", session_id="opening-session")
    server.command("end_session")  # done, with actual times; Session 1 expected now
    speaker_link = links(server)["weizhong-qin"]
    both = re.compile(r"\d\d:\d\d \(\d\d:\d\d CES?T\)")
    for faces in make_faces(browser, server):
        viewer = faces.open("/viewer")
        speaker = faces.open(speaker_link)
        opening = server.state()["state"]["schedule"][0]
        (start, start_here), (end, end_here) = map(
            zones, (opening["actual_start"], opening["actual_end"])
        )
        ran = f"{start}\u2013{end} ({start_here[:5]}\u2013{end_here})"  # en dashes
        expect(viewer.locator(".v-session.is-done .v-session-facts")).to_contain_text(ran)
        expect(viewer.locator("#now-upnext")).to_contain_text(
            re.compile(f"expected at {both.pattern}")
        )
        projected = viewer.locator(".v-session.is-next .v-session-facts")
        expect(projected).to_contain_text(re.compile(f"Expected {both.pattern}"))
        ended = server.state()["state"]["speakers_run"]["weizhong-qin"]["ended_at"]
        there, here = zones(ended)
        expect(speaker.locator("#after-text")).to_have_text(
            f"Your turn ended at {there} ({here}). Thank you!"
        )
        server.command("start_session", session_id="session-1")
        live = viewer.locator(".v-session.is-live .v-session-facts")
        expect(live).to_contain_text(re.compile(f"Started {both.pattern}"))
    for faces in make_faces(browser, server, timezone_id="Asia/Shanghai"):
        viewer = faces.open("/viewer")  # in the event's zone: each time said once
        live = viewer.locator(".v-session.is-live .v-session-facts")
        expect(live).to_contain_text("Started")
        expect(live).not_to_contain_text(re.compile(r"\(\d\d:\d\d"))


# -- 13: the viewer's header on a phone, in Chinese ---------------------------------------------


def test_the_viewers_header_is_compact_on_a_phone_in_chinese(
    browser: Browser, server: Server, font: str
) -> None:
    for faces in make_faces(browser, server, font=font, locale="zh-CN"):
        viewer = faces.open("/viewer")
        viewer.set_viewport_size({"width": 390, "height": 844})
        expect(viewer.locator("#event-title")).to_have_text(re.compile("研讨会"))
        header = viewer.locator(".v-header").bounding_box()
        assert header is not None and header["height"] <= 100, header
        assert glyphs_cut(viewer, scroll_y=False) == []


# -- 13: one countdown font; a link pasted into an open tab --------------------------------------


LOOK = """() => {
  const style = getComputedStyle(document.getElementById('countdown'));
  return [style.fontFamily, style.fontWeight, style.fontVariantNumeric];
}"""


def test_the_speaker_page_counts_in_the_screens_digits(faces: Faces, server: Server) -> None:
    server.command("start_session", session_id="session-1")
    screen = faces.open("/screen")
    speaker = faces.open(links(server)["hequan-wu"])
    expect(speaker.locator("body")).to_have_attribute("data-phase", "during")
    family, weight, numerals = screen.evaluate(LOOK)
    assert speaker.evaluate(LOOK) == [family, weight, numerals]
    assert "tabular-nums" in numerals


def test_a_speaker_link_pasted_into_an_open_tab_opens_that_speakers_page(
    faces: Faces, server: Server
) -> None:
    page = faces.open("/speaker", ready="body")
    expect(page.locator("#refused")).to_be_visible()
    link = links(server)["duo-liu"]
    page.evaluate("(hash) => { location.hash = hash; }", link.partition("#")[2])
    expect(page.locator("#name")).to_have_text("Ms. Duo LIU", timeout=WAIT)
    expect(page.locator("body")).to_have_attribute("data-phase", "before")
    expect(page.locator("#refused")).to_be_hidden()
    other = links(server)["ran-xiao"]  # another link, pasted over the first
    page.evaluate("(hash) => { location.hash = hash; }", other.partition("#")[2])
    expect(page.locator("#name")).to_have_text("Mr. Ran XIAO", timeout=WAIT)
    page.wait_for_selector(READY, state="attached")
    wait_version(page, server.state()["version"])

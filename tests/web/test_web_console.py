"""The moderator console and the assistant's page as the second rehearsal met them (issue 22,
items 1, 7, 10 and 13), in real Chromium against a real server, at a 1280x800 laptop and a
390-wide phone, in English and Chinese, with the fonts a Chinese venue PC has (Noto Sans CJK,
which the pages' font stack finds first when installed) and with DejaVu Sans."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers import ASSISTANT, Server
from tests.web.test_web import WAIT, Faces, make_faces, wait_version

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# None: the stack as it is (Noto Sans CJK SC once fonts-noto-cjk is installed)
FONTS = {"noto": None, "dejavu": "'DejaVu Sans', sans-serif"}


def font_script(font: str) -> str | None:
    """A page script that sets the pages' ``--font`` (as the CSSOM may under the CSP)."""
    family = FONTS[font]
    if family is None:
        return None
    css = json.dumps(family)
    return (
        "addEventListener('DOMContentLoaded', () =>"
        f" document.documentElement.style.setProperty('--font', {css}));"
    )


@pytest.fixture(params=sorted(FONTS))
def font(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def laptop_console(faces: Faces) -> Page:
    page = faces.console()
    page.set_viewport_size(LAPTOP)
    return page


def ask(server: Server, text: str, name: str = "", session_id: str | None = None) -> str:
    """An approved question; its id."""
    body = {"text": text, "name": name, **({"session_id": session_id} if session_id else {})}
    status, asked = server.request("POST", "/api/questions", body)
    assert status == 201, asked
    server.request("POST", f"/api/questions/{asked['id']}", {"action": "approve"}, ASSISTANT)
    return str(asked["id"])


# -- 1: keys after the mouse touched the message controls -------------------------------------


def test_shortcuts_work_after_clicking_a_target_pin_or_sending(
    faces: Faces, server: Server
) -> None:
    server.command("start_session", session_id="session-1")
    console = laptop_console(faces)
    wait_version(console, 1)

    console.click(".segmented label:has(input[value='viewers'])")
    console.keyboard.press("ArrowRight")  # next speaker, not the next radio
    wait_version(console, 2)
    assert server.state()["state"]["speaker"]["id"] == "bilel-jamoussi"
    expect(console.locator("input[value='viewers']")).to_be_checked()

    console.click(".pin")
    expect(console.locator("#message-pin")).to_be_checked()
    console.keyboard.press("Space")  # pause, not untick
    wait_version(console, 3)
    assert server.state()["state"]["timer"]["status"] == "paused"
    expect(console.locator("#message-pin")).to_be_checked()

    console.click("#message-text")
    console.keyboard.type("Coffee after Session 1")
    console.keyboard.press("Enter")
    wait_version(console, 4)
    assert server.state()["state"]["messages"]["viewers"]["text"] == "Coffee after Session 1"
    assert console.evaluate("document.activeElement === document.body")  # back to the page
    console.keyboard.press("w")  # a cue, not a "w" in the box
    wait_version(console, 5)
    assert server.state()["state"]["cue"]["kind"] == "wrap_up"
    expect(console.locator("#message-text")).to_have_value("")

    console.click("#message-text")  # typing still types
    console.keyboard.type("w n")
    expect(console.locator("#message-text")).to_have_value("w n")
    assert server.state()["version"] == 5


# -- 7: your own action is yours, also after a reload ------------------------------------------


def test_show_on_screen_from_the_questions_panel_is_this_consoles_own(
    browser: Browser, qserver: Server
) -> None:
    qserver.command("start_session", session_id="session-1")
    ask(qserver, "Who pays for rural 5G?", "Li Na")
    for pages in make_faces(browser, qserver):
        console = laptop_console(pages)
        console.locator("#questions-list .q-show").click()
        expect(console.locator("#feedback")).to_have_text("Show question done", timeout=WAIT)
        expect(console.locator("#undo-sub")).to_have_text(re.compile("^Undo Show question by you"))
        actor = qserver.state()["state"]["last_change"]["actor"]
        assert actor.startswith("console:"), actor

        console.reload()  # the same tab: the same console
        expect(console.locator("#undo-sub")).to_have_text(
            re.compile("^Undo Show question by you"), timeout=WAIT
        )
        other = pages.console()  # another tab: another console
        expect(other.locator("#undo-sub")).to_have_text(
            re.compile("^Undo Show question by another console")
        )
        console.keyboard.press("u")  # its own: undone at once, without asking
        expect(console.locator("#feedback")).to_have_text("Undo done", timeout=WAIT)
        expect(console.locator("#confirm")).to_be_hidden()
        assert qserver.state()["state"]["question"] is None


def test_a_reloaded_console_opens_at_the_live_session_with_the_question_on_screen(
    browser: Browser, qserver: Server
) -> None:
    for session in ("opening-session", "session-1", "session-2"):
        qserver.command("start_session", session_id=session)
        qserver.command("end_session")
    qserver.command("start_session", session_id="session-3")
    # asked of another session (a later one, named by the asker), shown now
    qserver.command(
        "show_question", question_id=ask(qserver, "And after lunch?", "", "appreciation")
    )
    for pages in make_faces(browser, qserver):
        console = laptop_console(pages)
        console.reload()
        expect(console.locator(".rd-session.is-live .rd-session-head")).to_be_in_viewport()
        shown = console.locator("#questions-list .q-item.is-shown")
        expect(shown).to_contain_text("And after lunch?")
        expect(console.locator("#questions-empty")).to_be_hidden()


# -- 10: one "late" figure, and none "running" after the end -----------------------------------


def test_the_pill_and_the_live_row_say_one_lateness_and_the_end_is_ended(
    browser: Browser, server: Server
) -> None:
    yesterday = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() - dt.timedelta(days=1)
    server.command("set_plan_date", date=yesterday.isoformat())  # hours late, whatever the hour
    server.command("start_session", session_id="session-1")
    server.command("goto", speaker_id="heung-youl-youm")  # the last: the session ends sooner
    for pages in make_faces(browser, server):
        console = laptop_console(pages)
        pill = console.locator("#drift")
        expect(pill).to_have_text(re.compile(r"^Running \d+ h( \d+ min)? late$"))
        late = re.sub(r"^Running | late$", "", str(pill.text_content()))
        expect(console.locator(".rd-session.is-live .rd-shift")).to_have_text(f"+{late}")

        server.command("end_session")
        server.command("start_session", session_id="appreciation")
        server.command("end_session")  # the last session: the programme has finished
        expect(pill).to_have_text(re.compile(r"^Ended \d+ h( \d+ min)? late$"), timeout=WAIT)
        for lang, ended in (("en", r"^Ended \d+ h( \d+ min)? late$"), ("zh-CN", r"^结束时延迟 ")):
            viewer = pages.open(f"/viewer?lang={lang}")
            expect(viewer.locator("#drift")).to_have_text(re.compile(ended))


# -- 13: smaller things ------------------------------------------------------------------------


def test_help_gives_the_timers_back_and_g_picks_a_session(browser: Browser, server: Server) -> None:
    server.command("start_session", session_id="opening-session")
    server.command("end_session")
    for pages in make_faces(browser, server, locale="zh-CN"):
        console = laptop_console(pages)
        timer = console.locator("#speaker-left")
        console.keyboard.press("?")
        expect(console.locator("#keys dd").last).to_be_in_viewport()
        expect(console.locator("#keys")).to_contain_text("选择要开始的会议")  # G, in the list
        console.keyboard.press("?")
        expect(timer).to_be_in_viewport(ratio=1)
        console.keyboard.press("?")
        console.keyboard.press("Escape")
        expect(console.locator("#keys")).not_to_have_attribute("open", "")
        expect(timer).to_be_in_viewport(ratio=1)

        # Session 2 in four keys: G, ↓ (from Session 1, the next), Enter, Enter to confirm
        console.keyboard.press("g")
        picker = console.locator("#picker")
        expect(picker).to_be_visible()
        expect(picker.locator(".picker-session:focus")).to_have_attribute(
            "data-session", "session-1"
        )
        console.keyboard.press("ArrowDown")
        expect(picker.locator(".picker-session:focus")).to_have_attribute(
            "data-session", "session-2"
        )
        console.keyboard.press("Enter")
        expect(console.locator("#confirm-text")).to_contain_text("Session 2")
        console.keyboard.press("Enter")
        wait_version(console, 3)
        assert server.state()["state"]["session"]["id"] == "session-2"


def test_an_empty_questions_panel_leaves_the_rundown_its_room(
    browser: Browser, server: Server, font: str
) -> None:
    server.command("start_session", session_id="session-1")
    for pages in make_faces(browser, server, viewport=LAPTOP, init_script=font_script(font)):
        console = pages.console()
        expect(console.locator("#questions-empty")).to_be_visible()
        panel = console.locator("#questions-panel").bounding_box()
        assert panel is not None and panel["height"] < 120, panel
        names = console.locator(".rd-speaker .rd-name")
        shown = sum(
            1
            for i in range(names.count())
            if console.evaluate(
                """el => { const r = el.getBoundingClientRect();
                    const p = el.closest('.panel').getBoundingClientRect();
                    return r.top >= p.top && r.bottom <= p.bottom; }""",
                names.nth(i).element_handle(),
            )
        )
        assert shown >= 6, shown


def contrast(page: Page, selector: str) -> float:
    """WCAG contrast between an element's text colour and its background colour."""
    return float(
        page.eval_on_selector(
            selector,
            """el => {
              const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
              const lum = (c) => {
                const [r, g, b] = rgb(c).map((v) => {
                  v /= 255;
                  return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
                });
                return 0.2126 * r + 0.7152 * g + 0.0722 * b;
              };
              const style = getComputedStyle(el);
              const [a, b] = [lum(style.color), lum(style.backgroundColor)].sort((x, y) => y - x);
              return (a + 0.05) / (b + 0.05);
            }""",
        )
    )


def test_console_words_colours_and_the_date_field(browser: Browser, server: Server) -> None:
    server.command("start_session", session_id="session-1")
    server.command("add_time", seconds=-480)
    for locale, sub, on in (
        ("en-GB", "8 min 20 s planned · 8 min taken off", "On"),  # Mr. Hequan WU's 08:20
        ("zh-CN", "计划 8 分 20 秒 · 已减少 8 分钟", "发言中"),
    ):
        for pages in make_faces(browser, server, locale=locale):
            console = laptop_console(pages)
            expect(console.locator("#speaker-sub")).to_have_text(sub)
            chip = console.locator(".rd-ready[data-ready='on'] .ready-chip")
            expect(chip).to_have_text(on)
            background = chip.evaluate("el => getComputedStyle(el).backgroundColor")
            r, g, b = (int(v) for v in re.findall(r"\d+", background)[:3])
            assert not (r > 150 and g < 120 and b < 120), f"'On' looks like an alarm: {background}"
            expect(console.locator("#date-value")).to_be_visible()
            assert contrast(console, "#date-value") >= 4.5


RLO = "\u202e"


def test_what_people_typed_is_isolated_in_the_moderation_lists(
    browser: Browser, qserver: Server
) -> None:
    qserver.command("start_session", session_id="session-1")
    status, asked = qserver.request(
        "POST", "/api/questions", {"text": f"Is this {RLO}evil", "name": f"Ann{RLO}"}
    )
    assert status == 201
    qserver.command("show_message", text=f"Break {RLO}soon", target="screen")
    for pages in make_faces(browser, qserver):
        console = laptop_console(pages)
        tablet = pages.open(f"/questions#token={ASSISTANT}")
        for page in (console, tablet):
            item = page.locator(f".q-item[data-id='{asked['id']}']")
            expect(item.locator(".q-text")).to_have_text(f"Is this {RLO}evil")
            for part in (".q-text", ".q-name"):
                bidi = item.locator(part).evaluate("el => getComputedStyle(el).unicodeBidi")
                assert bidi in ("isolate", "plaintext"), (part, bidi)
        text = console.locator("#message-screen-text")
        assert text.evaluate("el => getComputedStyle(el).unicodeBidi") == "isolate"


def test_the_not_sent_line_goes_once_connected_again(faces: Faces, server: Server) -> None:
    server.command("start_session", session_id="session-1")
    console = laptop_console(faces)
    wait_version(console, 1)
    server.kill()
    expect(console.locator("#podium-status")).to_have_attribute("data-state", "reconnecting")
    console.keyboard.press("n")
    expect(console.locator("#feedback")).to_contain_text("Not connected to the server")
    server.start()
    expect(console.locator("#podium-status")).to_have_attribute("data-state", "live", timeout=WAIT)
    expect(console.locator("#feedback")).to_have_text("")


@pytest.fixture
def on_session_1(qserver: Server) -> Iterator[Server]:
    qserver.command("start_session", session_id="session-1")
    yield qserver


def test_the_questions_page_fits_a_phone_and_says_who_is_on(
    browser: Browser, on_session_1: Server, font: str
) -> None:
    for locale, on in (
        (
            "en-GB",
            "On now: Session 1: Coordinated Efforts on International ICT standardization"
            " — Mr. Hequan WU",
        ),
        ("zh-CN", "正在进行：第一节：协同推进国际信息通信技术标准化 — Mr. Hequan WU"),  # noqa: RUF001
    ):
        options = {"viewport": PHONE, "locale": locale, "init_script": font_script(font)}
        for pages in make_faces(browser, on_session_1, **options):
            page = pages.open(f"/questions#token={ASSISTANT}")
            expect(page.locator("#main")).to_be_visible()
            expect(page.locator("#on-now")).to_have_text(on)
            assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")

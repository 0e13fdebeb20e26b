"""Questions end to end in real Chromium: a remote viewer asks from a phone, the assistant
approves on a tablet, viewers vote, the moderator puts the top question on the venue
screen (1024x768) and the overlay, and the report lists it. Screenshots go to
``test-artifacts/screenshots/`` (and ``PODIUM_SCREENSHOTS_DIR``, e.g. docs/screenshots)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers import ASSISTANT, Server
from tests.web.test_web import READY, Faces, make_faces, save

QUESTION = "<b>How</b> will the 5G rollout reach rural schools, and who pays for it?"


def opened(faces: Faces, path: str, width: int, height: int) -> Page:
    page = faces.open(path)
    page.set_viewport_size({"width": width, "height": height})
    return page


def fits(page: Page, selector: str) -> None:
    """The element is inside the viewport and its text is not cut off."""
    box = page.locator(selector).bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= viewport["width"] + 1, (box, viewport)
    assert box["y"] + box["height"] <= viewport["height"] + 1, (box, viewport)
    # the text's last letter lies inside the element, not below it (hidden by a line clamp
    # or squeezed out by the layout); its middle is judged, as a font taller than its line
    # box (Noto Sans CJK) reaches a few pixels below with nothing hidden
    clipped = page.eval_on_selector(
        selector,
        """el => {
            const texts = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            let last = null;
            while (texts.nextNode()) {
                if (texts.currentNode.textContent.trim()) last = texts.currentNode;
            }
            if (last === null) return false;
            const end = last.textContent.trimEnd().length;
            const letter = document.createRange();
            letter.setStart(last, end - 1);
            letter.setEnd(last, end);
            const at = letter.getBoundingClientRect();
            return (at.top + at.bottom) / 2 > el.getBoundingClientRect().bottom;
        }""",
    )
    assert not clipped, f"{selector} is cut off"


@pytest.mark.slow
def test_ask_approve_vote_show_and_report(browser: Browser, qserver: Server) -> None:
    qserver.command("start_session", session_id="session-1")
    for faces in make_faces(browser, qserver, font="noto"):
        phone = opened(faces, "/viewer", 390, 844)
        expect(phone.locator("#questions")).to_be_visible()
        phone.fill("#ask-text", QUESTION)
        phone.fill("#ask-name", "Li Na")
        phone.click("#ask button[type=submit]")
        mine = phone.locator("#mine .q-item")
        expect(mine).to_have_count(1)
        expect(mine.locator(".q-status")).to_have_text("Pending")
        expect(mine.locator(".q-text")).to_have_text(QUESTION)  # shown literally
        expect(phone.locator("#public .q-item")).to_have_count(0)
        phone.locator("#questions").scroll_into_view_if_needed()
        save(phone, "viewer-questions-phone")

        qserver.request("POST", "/api/questions", {"text": "Is the recording online?"})
        tablet = opened(faces, f"/questions#token={ASSISTANT}", 820, 1180)
        expect(tablet.locator("#main")).to_be_visible()
        items = tablet.locator("#list .q-item")
        expect(items).to_have_count(2)
        save(tablet, "questions-assistant-tablet")
        items.filter(has_text="5G rollout").locator(".q-approve").click()
        items.filter(has_text="recording").locator(".q-approve").click()
        expect(items).to_have_count(0)  # the pending tab is empty now
        expect(mine.locator(".q-status")).to_have_text("Approved")  # the asker sees it live

        public = phone.locator("#public .q-item")
        expect(public).to_have_count(2)
        # one's own question takes no vote from its asker: no button on it
        expect(public.filter(has_text="5G rollout").locator(".q-vote")).to_have_count(0)
        public.filter(has_text="recording").locator(".q-vote").click()
        expect(public.filter(has_text="recording").locator(".q-votes")).to_have_text("▲ 1")
        for _ in range(2):  # two others vote for the phone's question
            voter = {"voter": qserver.voter()}
            qserver.request("POST", f"/api/questions/{mine_id(phone)}/vote", voter)

        console = faces.console()
        console.set_viewport_size({"width": 1280, "height": 800})  # the moderator's laptop
        board = console.locator("#questions-list .q-item")
        expect(board.first).to_contain_text("5G rollout")  # the most voted first
        expect(board.first.locator(".q-votes")).to_have_text("▲ 2")
        screen = opened(faces, "/screen", 1024, 768)
        overlay = faces.open("/overlay?preview=1")
        board.first.locator(".q-show").click()
        expect(screen.locator("#question-text")).to_have_text(QUESTION)
        expect(screen.locator("#question-name")).to_have_text("— Li Na")
        expect(overlay.locator("#lt-question")).to_have_class("lower-third lt-question is-in")
        expect(phone.locator("#shown-text")).to_have_text(QUESTION)
        phone.locator("#shown").scroll_into_view_if_needed()
        save(phone, "viewer-questions-phone-shown")
        screen.wait_for_timeout(300)
        save(screen, "screen-question")
        fits(screen, "#question")
        fits(screen, "#question-text")
        fits(screen, ".screen-speaker")
        overlay.wait_for_timeout(600)
        fits(overlay, "#lt-question")
        save(overlay, "overlay-question")
        console.locator(".questions-panel").scroll_into_view_if_needed()
        save(console, "console-questions")

        status, report = qserver.request("GET", "/api/report?format=json", token=qserver.token)
        assert status == 200
        (session,) = report["questions"]["sessions"]
        assert session["top"][0]["text"] == QUESTION and session["top"][0]["shown"] is True

        console.locator("#questions-clear").click()
        expect(screen.locator("#question")).to_be_hidden()
        expect(phone.locator("#shown")).to_be_hidden()


def mine_id(page: Page) -> str:
    return str(page.locator("#mine .q-item").first.get_attribute("data-id"))


def test_the_viewer_page_shows_html_as_text_and_says_why_a_question_is_refused(
    browser: Browser, qserver: Server
) -> None:
    for faces in make_faces(browser, qserver, font="noto"):
        page = opened(faces, "/viewer", 390, 844)
        page.fill("#ask-text", "   ")
        page.eval_on_selector("#ask-text", "el => el.removeAttribute('required')")
        page.click("#ask button[type=submit]")
        expect(page.locator("#ask-note")).to_contain_text("the question is empty")
        page.wait_for_selector(READY, state="attached")


def test_the_longest_question_fits_a_1024x768_screen_with_a_message(
    browser: Browser, qserver: Server
) -> None:
    qserver.command("start_session", session_id="session-1")
    words = "Could the panel say how the standards for rural broadband will be funded "
    text = (words * 5)[:300].strip()
    status, body = qserver.request("POST", "/api/questions", {"text": text, "name": "N" * 60})
    assert status == 201
    qserver.request("POST", f"/api/questions/{body['id']}", {"action": "approve"}, ASSISTANT)
    qserver.command("show_question", question_id=body["id"])
    qserver.command("show_message", text="Two minutes left for questions", target="screen")
    for faces in make_faces(browser, qserver):
        screen = opened(faces, "/screen", 1024, 768)
        expect(screen.locator("#question-text")).to_have_text(text)
        screen.wait_for_timeout(300)
        save(screen, "screen-question-longest")
        for selector in ("#question", "#question-text", "#message", ".screen-speaker"):
            fits(screen, selector)


def test_a_longer_stage_message_beside_a_question_shrinks_to_show_whole(
    browser: Browser, qserver: Server
) -> None:
    qserver.command("start_session", session_id="session-1")
    status, body = qserver.request("POST", "/api/questions", {"text": "Who pays for it?"})
    assert status == 201
    qserver.request("POST", f"/api/questions/{body['id']}", {"action": "approve"}, ASSISTANT)
    qserver.command("show_question", question_id=body["id"])
    text = (
        "Two minutes left: the panel answers the three most voted questions, then we"
        " break for lunch in the foyer; the afternoon starts at 14:00 sharp"
    )
    qserver.command("show_message", text=text, target="screen")
    for faces in make_faces(browser, qserver):
        screen = opened(faces, "/screen", 1024, 768)
        expect(screen.locator("#message-text")).to_have_text(text)
        screen.wait_for_timeout(300)
        for selector in ("#question", "#message", "#message-text", ".screen-speaker"):
            fits(screen, selector)
        # the blocks beside the countdown were scaled down (screen-fit.js's --fit)
        fit = screen.evaluate("document.body.style.getPropertyValue('--fit')")
        assert fit and float(fit) < 1, "at the CSS size this does not fit: it was made smaller"


def test_a_viewer_whose_questions_cannot_be_fetched_carries_on(
    browser: Browser, qserver: Server
) -> None:
    """The questions' list asked for while the server restarts (the fetch fails, as it did
    once under test_pages_reconnect_after_a_server_restart): no error on the page (the
    faces fail the test on any), and asking still works."""
    for faces in make_faces(browser, qserver):
        faces.context.route("**/api/questions", lambda route: route.abort("connectionreset"))
        asked = faces.context.expect_event("requestfailed", lambda r: "/api/questions" in r.url)
        with asked:
            page = opened(faces, "/viewer", 390, 844)
        expect(page.locator("#podium-status")).to_have_attribute("data-state", "live")
        page.fill("#ask-text", QUESTION)
        page.click("#ask button[type=submit]")
        expect(page.locator("#mine .q-item")).to_have_count(1)

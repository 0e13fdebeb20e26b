"""The room's other languages in real Chromium: a captioner posts lines and a viewer with
CC on shows them (the overlay and the venue screen with ?captions=1 too), and the WebVTT
export holds them at the right times; a viewer matched to a delayed stream shows the
earlier speaker; a question asked from the venue screen's link counts as the room's.
Screenshots go to ``test-artifacts/screenshots/`` (and ``PODIUM_SCREENSHOTS_DIR``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from podium.core.captions import CUE_MAX_MS, CUE_MIN_MS
from tests.helpers import ASSISTANT, Server
from tests.web.test_web import (
    SHIFTED_CLOCK,
    WAIT,
    Faces,
    make_faces,
    morning_in_shenzhen,
    save,
)

CAPTIONER = "captioner-token-0123456789abcdefghij"
LINES = [
    ("Good morning. The 5G rollout has to reach rural schools first,", "en"),
    ("and the cost is shared between operators and the state.", "en"),
    ("我们与国际电联的合作将继续深化。", "zh"),
]


@pytest.fixture
def cserver(tmp_path: Path) -> Iterator[Server]:
    env = {"PODIUM_CAPTIONS_TOKEN": CAPTIONER, "PODIUM_QUESTIONS_TOKEN": ASSISTANT}
    srv = Server(data_dir=tmp_path / "data", env=env).start()
    yield srv
    srv.kill()


def post(server: Server, text: str, lang: str, final: bool = True) -> dict:
    status, body = server.request(
        "POST", "/api/captions", {"text": text, "lang": lang, "final": final}, CAPTIONER
    )
    assert status == 201, body
    return dict(body)


def cues(server: Server, session_id: str) -> list[tuple[str, str, str]]:
    query = f"/api/captions?session_id={session_id}&format=vtt"
    status, text = server.request("GET", query, token=server.token)
    assert status == 200
    return re.findall(r"(\S+) --> (\S+)\n(.*)\n", text.decode())


def stamp(ms: int) -> str:
    seconds, milli = divmod(ms, 1000)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.{milli:03d}"


def opened(faces: Faces, path: str, width: int, height: int) -> Page:
    page = faces.open(path)
    page.set_viewport_size({"width": width, "height": height})
    return page


@pytest.fixture
def morning(tmp_path: Path) -> Iterator[tuple[Server, str]]:
    """``cserver`` with its clock, and the pages' (the script), at 09:35 in Shenzhen, as
    the screenshots of every face are (``test_screenshots_of_every_face``)."""
    shift, _ = morning_in_shenzhen()
    (tmp_path / "clock").mkdir()
    (tmp_path / "clock" / "sitecustomize.py").write_text(SHIFTED_CLOCK)
    env = {"PYTHONPATH": str(tmp_path / "clock"), "PODIUM_TEST_CLOCK_SHIFT_MS": str(shift),
           "PODIUM_CAPTIONS_TOKEN": CAPTIONER}  # fmt: skip
    srv = Server(data_dir=tmp_path / "data", env=env).start()
    page_clock = (
        "Object.defineProperty(performance, 'timeOrigin',"
        f" {{ value: performance.timeOrigin + {shift} }});"
    )
    yield srv, page_clock
    srv.kill()


@pytest.mark.slow
def test_a_viewer_with_cc_on_shows_the_lines_and_the_webvtt_holds_them(
    browser: Browser, morning: tuple[Server, str]
) -> None:
    cserver, page_clock = morning
    cserver.command("start_session", session_id="opening-session")
    cserver.command("end_session")
    cserver.command("start_session", session_id="session-1")
    started_at = cserver.state()["state"]["session"]["started_at"]
    for faces in make_faces(browser, cserver, font="noto", init_script=page_clock):
        viewer = opened(faces, "/viewer", 1280, 800)
        overlay = opened(faces, "/overlay?captions=1&preview=1", 1280, 720)
        screen = opened(faces, "/screen?captions=1", 1280, 720)
        expect(viewer.locator("#cc-panel")).to_be_hidden()  # off until asked for
        viewer.click("#cc")
        expect(viewer.locator("#cc")).to_have_attribute("aria-pressed", "true")
        expect(viewer.locator("#cc-box")).to_contain_text("Captions appear here")
        post(cserver, "Good mor", "en", final=False)  # an interim guess, then the line
        expect(viewer.locator("#cc-box .is-interim")).to_have_text("Good mor", timeout=WAIT)
        taken = [post(cserver, text, lang) for text, lang in LINES]
        for page, box in ((viewer, "#cc-box"), (overlay, "#lt-captions"), (screen, "#captions")):
            expect(page.locator(f"{box} .cc-line").last).to_have_text(LINES[-1][0], timeout=WAIT)
            expect(page.locator(f"{box} .is-interim")).to_have_count(0)
        lines = viewer.locator("#cc-box .cc-line")
        expect(lines).to_have_count(2)  # the last two final lines
        expect(lines.first).to_have_text(LINES[1][0])
        expect(lines.last).to_have_attribute("lang", "zh")
        viewer.reload()  # the choice is kept in this browser
        expect(viewer.locator("#cc-panel")).to_be_visible()
        ats = [line["at"] - started_at for line in taken]
        following = [*ats[1:], ats[-1] + CUE_MAX_MS]
        ends = [
            max(a + CUE_MIN_MS, min(b, a + CUE_MAX_MS)) for a, b in zip(ats, following, strict=True)
        ]
        assert cues(cserver, "session-1") == [
            (stamp(a), stamp(e), text) for a, e, (text, _) in zip(ats, ends, LINES, strict=True)
        ]
        post(cserver, LINES[0][0], "en")
        post(cserver, LINES[1][0], "en")
        expect(viewer.locator("#cc-box .cc-line").last).to_have_text(LINES[1][0], timeout=WAIT)
        viewer.wait_for_timeout(300)  # fonts
        save(viewer, "viewer-captions")
        viewer.set_viewport_size({"width": 390, "height": 844})
        save(viewer, "viewer-captions-phone")
        expect(overlay.locator("#lower-third")).to_have_class(re.compile("is-in"))
        overlay.wait_for_timeout(600)  # the lower third's entrance
        save(overlay, "overlay-captions")
        save(screen, "screen-captions")


@pytest.mark.slow
def test_a_viewer_matched_to_a_delayed_stream_shows_the_earlier_speaker(
    browser: Browser, cserver: Server
) -> None:
    cserver.command("start_session", session_id="session-1")
    for faces in make_faces(browser, cserver):
        live = faces.open("/viewer")
        delayed = faces.open("/viewer?delay=4")
        expect(delayed.locator("#delay-note")).to_have_text("Matched to the stream, 4 s behind")
        expect(delayed.locator("#now-name")).to_have_text("Mr. Hequan WU")
        cserver.command("next")
        expect(live.locator("#now-name")).to_have_text("Mr. Bilel Jamoussi", timeout=WAIT)
        # four seconds behind: the stream still shows the first speaker, and so does the page
        expect(delayed.locator("#now-name")).to_have_text("Mr. Hequan WU")
        expect(delayed.locator("#now-name")).to_have_text("Mr. Bilel Jamoussi", timeout=10_000)
        allocation = cserver.state()["state"]["speaker"]["allocation_ms"] // 1000
        # it shows the turn as it began four seconds ago: all but a second of the time left
        left = delayed.locator("#left").inner_text()
        minutes, seconds = (int(part) for part in left.split(":"))
        assert allocation - 1 <= minutes * 60 + seconds <= allocation, (left, allocation)
        # the setting on the page, kept for this page
        live.select_option("#delay", "30")
        expect(live.locator("#delay-note")).to_have_text("Matched to the stream, 30 s behind")
        expect(live.locator("#now-name")).to_have_text("Mr. Hequan WU")  # it was on then
        live.goto(cserver.url + "/viewer")
        expect(live.locator("#delay-note")).to_have_text("Matched to the stream, 30 s behind")
        live.select_option("#delay", "0")
        expect(live.locator("#delay-note")).to_be_hidden()
        expect(live.locator("#now-name")).to_have_text("Mr. Bilel Jamoussi")
        chinese = faces.open("/viewer?delay=30&lang=zh-CN")
        expect(chinese.locator("#delay-note")).to_have_text("已与直播同步，延后 30 秒")  # noqa: RUF001


@pytest.mark.slow
def test_a_question_from_the_rooms_link_counts_as_the_rooms(
    browser: Browser, cserver: Server
) -> None:
    for faces in make_faces(browser, cserver, font="noto"):
        screen = opened(faces, "/screen", 1280, 720)
        expect(screen.locator("#ask")).to_be_visible()  # between sessions: the room's link
        expect(screen.locator("#ask-qr")).to_have_js_property("complete", True)
        assert screen.eval_on_selector("#ask-qr", "img => img.naturalWidth") > 0
        save(screen, "screen-ask-qr")
        cserver.command("start_session", session_id="session-1")
        expect(screen.locator("#ask")).to_be_hidden()
        for path, text in (("/viewer?from=room", "From the third row"), ("/viewer", "From home")):
            phone = opened(faces, path, 390, 844)
            expect(phone.locator("#questions")).to_be_visible()
            phone.fill("#ask-text", text)
            phone.click("#ask button[type=submit]")
            expect(phone.locator("#ask-note")).to_contain_text("moderator", timeout=WAIT)
        desk = opened(faces, f"/questions#token={ASSISTANT}", 1024, 768)
        expect(desk.locator("#origin .q-balance")).to_have_text("room 1 · remote 1")
        desk.click("#origin [data-origin='room']")
        expect(desk.locator("#list .q-item")).to_have_count(1)
        expect(desk.locator("#list .q-text")).to_have_text("From the third row")
        expect(desk.locator("#list .q-origin")).to_have_text("Room")
        save(desk, "questions-origin-tablet")
        console = faces.console()
        console.set_viewport_size({"width": 1280, "height": 800})
        expect(console.locator("#questions-origin .q-balance")).to_have_text("room 1 · remote 1")
        save(console, "console-questions-origin")
    report = cserver.request("GET", "/api/report?format=json", token=cserver.token)[1]
    assert (report["questions"]["room"], report["questions"]["remote"]) == (1, 1)

"""The event's own look and the embedded viewer in a real browser: every face (console,
viewer, screen, overlay, speaker page, report) in the seed's colours, read back as computed
style, with its logo loaded; the screen's logo clear of the countdown and the clock at
1024x768 and 1920x1080 in overtime; the compact viewer in an iframe on another origin,
shown when ``--frame-origin`` names it and refused by default. Screenshots go where
``tests/web/test_web.py`` puts them."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers import TOKEN, Server
from tests.web.test_web import SHIFTED_CLOCK, Faces, make_faces, morning_in_shenzhen, save
from tests.web.test_web_speakers import links

PRIMARY, ACCENT = "rgb(11, 79, 138)", "rgb(14, 110, 110)"  # the seed's #0b4f8a, #0e6e6e
LOGO = "/branding/itu-miit-2021/logo.svg"


@pytest.fixture(scope="module")
def morning(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The seed at 09:35 in Shenzhen, Session 1 on five minutes late (as in test_web's
    screenshots), served to pages that may be framed by a test site on this machine."""
    tmp = tmp_path_factory.mktemp("morning")
    shift, _ = morning_in_shenzhen()
    (tmp / "clock").mkdir()
    (tmp / "clock" / "sitecustomize.py").write_text(SHIFTED_CLOCK)
    env = {"PYTHONPATH": str(tmp / "clock"), "PODIUM_TEST_CLOCK_SHIFT_MS": str(shift)}
    site = socket.create_server(("127.0.0.1", 0))  # the website's port, held until it serves
    site_port = site.getsockname()[1]
    server = Server(data_dir=tmp / "data", env=env,
                    extra_args=["--frame-origin", f"http://localhost:{site_port}"])  # fmt: skip
    server.site_socket = site  # type: ignore[attr-defined]
    server.shift = shift  # type: ignore[attr-defined]
    server.start()
    server.command("start_session", session_id="opening-session")
    server.command("end_session")
    server.command("start_session", session_id="session-1")
    yield server
    server.kill()
    site.close()


@pytest.fixture
def faces(browser: Browser, morning: Server) -> Iterator[Faces]:
    clock = (
        "Object.defineProperty(performance, 'timeOrigin',"
        f" {{ value: performance.timeOrigin + {morning.shift} }});"  # type: ignore[attr-defined]
    )
    yield from make_faces(browser, morning, font="noto", init_script=clock)


def css(page: Page, selector: str, prop: str) -> str:
    return page.eval_on_selector(selector, f"el => getComputedStyle(el)[{prop!r}]")


def logo_shown(page: Page, selector: str) -> None:
    logo = page.locator(selector)
    expect(logo).to_be_visible()
    expect(logo).to_have_attribute("src", LOGO)
    page.wait_for_function(
        "s => document.querySelector(s).complete && document.querySelector(s).naturalWidth > 0",
        arg=selector,
    )


def test_every_face_wears_the_events_colours_and_logo(faces: Faces, morning: Server) -> None:
    console = faces.console()
    logo_shown(console, ".bar-logo")
    assert css(console, ".bar", "backgroundColor") == PRIMARY
    assert css(console, ".bar-event", "color") == "rgb(255, 255, 255)"
    save(console, "console-branded")

    viewer = faces.open("/viewer")
    logo_shown(viewer, ".v-logo")
    expect(viewer.locator(".state-live")).to_be_visible()
    assert css(viewer, ".v-header", "backgroundColor") == PRIMARY
    assert css(viewer, "#agenda-heading", "color") == ACCENT
    assert css(viewer, ".state-live", "backgroundColor") == ACCENT
    assert css(viewer, ".v-progress-fill", "backgroundColor") == ACCENT

    screen = faces.open("/screen")
    logo_shown(screen, ".screen-logo")
    assert css(screen, ".screen-top", "backgroundColor") == PRIMARY

    overlay = faces.open("/overlay?preview=1&timer=1")
    expect(overlay.locator("#lower-third")).to_have_class(re.compile("is-in"))
    logo_shown(overlay, ".lt-logo")
    assert css(overlay, ".lower-third", "backgroundColor") == PRIMARY
    assert css(overlay, ".lt-accent", "backgroundColor") == ACCENT
    overlay.wait_for_timeout(500)  # the entrance
    save(overlay, "overlay-branded")

    speaker = faces.open(links(morning)["bilel-jamoussi"])
    logo_shown(speaker, ".sp-logo")
    assert css(speaker, ".sp-top", "backgroundColor") == PRIMARY


def test_the_report_wears_the_events_colours_under_its_policy(faces: Faces) -> None:
    page = faces.context.new_page()
    page.on("console", lambda msg: faces.problems.append(f"report: {msg.text}"))
    page.set_extra_http_headers({"Authorization": f"Bearer {TOKEN}"})
    page.goto(faces.server.url + "/api/report?format=html")
    assert css(page, "h1", "color") == PRIMARY  # its brand stylesheet allowed by hash
    page.wait_for_function("() => document.querySelector('header img').naturalWidth > 0")
    page.set_viewport_size({"width": 1280, "height": 720})
    save(page, "report-branded")


@pytest.mark.parametrize("size", [(1024, 768), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_screens_logo_leaves_the_title_clock_and_countdown_alone(
    faces: Faces, morning: Server, size: tuple[int, int]
) -> None:
    screen = faces.open("/screen")
    screen.set_viewport_size({"width": size[0], "height": size[1]})
    logo_shown(screen, ".screen-logo")
    save(screen, f"screen-branded-{size[0]}x{size[1]}")
    over_by = morning.state()["state"]["timer"]["remaining_ms"] // 1000 + 4
    morning.command("add_time", seconds=-over_by)
    try:
        expect(screen.locator("#countdown")).to_have_text(re.compile(r"^\+00:0\d$"))
        boxes = {
            name: screen.locator(selector).bounding_box()
            for name, selector in (("logo", ".screen-logo"), ("title", "#session-title"),
                                   ("clock", ".screen-clock"), ("countdown", "#countdown"))
        }  # fmt: skip
        logo = boxes.pop("logo")
        assert logo is not None and logo["x"] >= 0 and logo["y"] >= 0
        assert logo["x"] + logo["width"] <= size[0] and logo["y"] + logo["height"] <= size[1]
        for name, box in boxes.items():
            assert box is not None
            apart = (logo["x"] + logo["width"] <= box["x"] or box["x"] + box["width"] <= logo["x"]
                     or logo["y"] + logo["height"] <= box["y"])  # fmt: skip
            assert apart, f"the logo {logo} overlaps the {name} {box}"
        save(screen, f"screen-branded-{size[0]}x{size[1]}-overtime")
    finally:
        morning.command("add_time", seconds=over_by)


def site(folder: Path, viewer_url: str) -> str:
    """The event's website: one page with the compact viewer in a 400x300 frame."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(
        '<!doctype html><meta charset="utf-8"><title>The event</title>'
        '<body style="margin:0;padding:24px;font:16px sans-serif;background:#e8ecf2">'
        "<h1 style='margin:0 0 12px;font-size:20px'>Annual ITU-MIIT Seminar 2021: live</h1>"
        f'<iframe src="{viewer_url}" width="400" height="300" title="Live now"'
        ' style="border:1px solid #c5ccd6;border-radius:8px;background:#fff"></iframe>'
    )
    return folder


@pytest.fixture
def website(tmp_path: Path, morning: Server) -> Iterator[ThreadingHTTPServer]:
    """A second origin (http://localhost:PORT, the server being http://127.0.0.1:PORT)."""
    folder = site(tmp_path / "site", f"{morning.url}/viewer?compact=1")
    handler = partial(SimpleHTTPRequestHandler, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler, bind_and_activate=False)
    httpd.socket.close()
    httpd.socket = morning.site_socket.dup()  # type: ignore[attr-defined]
    httpd.server_address = httpd.socket.getsockname()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_the_compact_viewer_in_an_iframe_on_the_events_website(
    faces: Faces, morning: Server, website: ThreadingHTTPServer
) -> None:
    page = faces.context.new_page()
    page.on("pageerror", lambda exc: faces.problems.append(f"site: {exc}"))
    page.set_viewport_size({"width": 448, "height": 400})
    page.goto(f"http://localhost:{website.server_address[1]}/")
    frame = page.frame_locator("iframe")
    expect(frame.locator("#now-name")).to_have_text("Mr. Hequan WU")
    expect(frame.locator("#left")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    expect(frame.locator("#next-name")).to_have_text("Mr. Bilel Jamoussi")
    expect(frame.locator(".v-compact-logo")).to_be_visible()
    for hidden in (".v-header", ".v-agenda", "#zone-note"):
        expect(frame.locator(hidden)).to_be_hidden()
    inner = page.frames[1]
    fits = inner.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    page.wait_for_timeout(300)  # fonts
    save(page, "viewer-compact-embedded")
    assert fits[0] <= 400 and fits[1] <= 300, fits


def test_a_site_not_named_by_frame_origin_cannot_frame_the_viewer(
    faces: Faces, tmp_path: Path
) -> None:
    """The default server (no --frame-origin): the frame stays empty, the viewer unloaded."""
    plain = Server(data_dir=tmp_path / "plain").start()
    try:
        folder = site(tmp_path / "other", f"{plain.url}/viewer?compact=1")
        handler = partial(SimpleHTTPRequestHandler, directory=str(folder))
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        page = faces.context.new_page()
        refused = re.compile(r"frame-ancestors 'none'")
        with page.expect_console_message(lambda msg: bool(refused.search(msg.text))):
            page.goto(f"http://localhost:{httpd.server_address[1]}/")
        assert page.frames[1].query_selector("#now-name") is None
        httpd.shutdown()
        httpd.server_close()
    finally:
        plain.kill()

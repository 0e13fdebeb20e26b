"""The console's automations line in real Chromium: counts and the latest delivery, the
receiver's answer shown as text (markup and all), never as markup."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.helpers import Server, seed_with
from tests.web import test_web

ANSWER = "<img src=x onerror=alert(1)>boom"


class Failing(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        body = ANSWER.encode()
        self.send_response(500)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def failing() -> Iterator[str]:
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    receiver.shutdown()


def test_the_console_shows_deliveries_and_a_receivers_answer_as_text(
    browser: Browser, failing: str, tmp_path: Path
) -> None:
    hook = f'\n[[automations]]\non = ["speaker_started"]\nurl = "{failing}"\nsecret = "s3cret"\n'
    programme = seed_with(tmp_path, hook, "seed-hooks.toml")
    server = Server(data_dir=tmp_path / "data", programmes=[programme]).start()
    try:
        faces_iter = test_web.make_faces(browser, server)
        faces = next(faces_iter)
        console = faces.console()
        line = console.locator("#automations")
        expect(line).to_be_visible()
        expect(line).to_contain_text("0 sent · 0 failed")
        status, _ = server.command("start_session", session_id="opening-session")
        assert status == 200
        expect(line).to_contain_text("speaker_started retrying", timeout=15_000)
        expect(line).to_contain_text(f"500 {ANSWER}")  # the answer, as text
        assert line.locator("img").count() == 0
        console.set_viewport_size({"width": 1024, "height": 768})
        test_web.save(console, "console-automations")
        assert "s3cret" not in console.content()
        faces.context.close()
        assert faces.problems == []
    finally:
        server.kill()

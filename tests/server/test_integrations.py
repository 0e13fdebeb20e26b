"""Integrations against a real server: plain-text fields, SSE, metrics, the report API,
``podium ctl``, ``podium watch`` and ``podium report``, as docs/integrations.md shows them."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import aiohttp
import pytest
import websockets

from podium.cli.main import main
from podium.report.html import STYLE_HASH
from tests.clients import log_records
from tests.helpers import Server, free_port, podium, recv_json
from tests.machine import chromium_or_skip
from tests.redis_server import RedisServer


def text(server: Server, field: str | None = None) -> tuple[int, str]:
    query = f"?field={field}" if field else ""
    status, body = server.request("GET", f"/api/state/text{query}")
    return status, body.decode() if isinstance(body, bytes) else body


def podium_with(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``podium ARGS`` with ``env`` over this process's environment."""
    return podium(*args, timeout=30, env={**os.environ, **(env or {})})


def test_plain_text_fields_for_buttons(server: Server) -> None:
    assert text(server, "speaker") == (200, "")
    assert text(server, "phase") == (200, "idle")
    server.command("start_session", session_id="session-1")
    assert text(server, "speaker") == (200, "Mr. Hequan WU")
    assert text(server, "next_speaker") == (200, "Mr. Bilel Jamoussi")
    assert text(server, "session")[1].startswith("Session 1: Coordinated")
    assert re.fullmatch(r"08:[01]\d|08:20", text(server, "remaining")[1])
    server.command("pause")
    assert text(server, "timer") == (200, "paused")
    everything = text(server)[1]
    assert "speaker: Mr. Hequan WU" in everything and "version: 2" in everything
    status, body = text(server, "nonsense")
    assert status == 400 and body["error"]["code"] == "invalid"
    assert "remaining" in body["error"]["message"]


async def sse_messages(response: aiohttp.ClientResponse, count: int) -> list[dict]:
    messages = []
    async for raw in response.content:
        line = raw.decode().rstrip("\n")
        if line.startswith("data: "):
            messages.append(json.loads(line[6:]))
            if len(messages) == count:
                return messages
    raise AssertionError("the event stream ended early")


async def test_sse_carries_the_websocket_messages(server: Server) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{server.url}/api/events") as events,
        websockets.connect(server.ws_url) as ws,
    ):
        assert events.headers["Content-Type"] == "text/event-stream"
        assert (await recv_json(ws))["type"] == "snapshot"
        server.command("start_session", session_id="session-1")
        server.command("next")
        pushed = [await recv_json(ws), await recv_json(ws)]
        snapshot, *streamed = await sse_messages(events, 3)
        assert snapshot["type"] == "snapshot" and snapshot["version"] == 0
        assert streamed == pushed  # the very same messages, byte for byte decoded
        assert streamed[1]["state"]["speaker"]["id"] == "bilel-jamoussi"


def scrape(server: Server, token: str | None = None) -> dict[str, float]:
    status, body = server.request("GET", "/metrics", token=token)
    assert status == 200
    values = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = float(value)
    return values


async def test_metrics_count_clients_commands_and_fanout(server: Server) -> None:
    room = 'room="itu-miit-2021"'
    async with websockets.connect(f"{server.ws_url}&client=console") as ws:
        await recv_json(ws)
        await ws.send(json.dumps({"type": "auth", "token": server.token}))
        await recv_json(ws)
        server.command("start_session", session_id="session-1")
        server.command("resume")  # 422
        server.command("next", expected_version=0)  # 409
        server.request("POST", "/api/commands", {"action": "next"})  # 401
        server.request("POST", "/api/commands", {"action": "warp"}, token=server.token)  # 400
        m = scrape(server)
        assert m[f'podium_clients{{kind="console",role="moderator",{room}}}'] == 1
    assert m[f'podium_commands_total{{action="start_session",outcome="ok",{room}}}'] == 1
    assert m[f'podium_commands_total{{action="resume",outcome="invalid_transition",{room}}}'] == 1
    assert m[f'podium_commands_total{{action="next",outcome="conflict",{room}}}'] == 1
    assert m[f'podium_commands_total{{action="",outcome="unauthorized",{room}}}'] == 1
    assert m[f'podium_commands_total{{action="",outcome="invalid",{room}}}'] == 1
    assert m[f"podium_fanout_seconds_count{{{room}}}"] == 1  # one change, one pass
    assert m[f"podium_state_version{{{room}}}"] == 1
    assert m['podium_store_up{store="files"}'] == 1
    assert not any(k.startswith("podium_store_errors_total") for k in m)


def series(server: Server) -> set[str]:
    """The names and labels of every series ``/metrics`` has, without their values."""
    return set(scrape(server))


async def test_what_a_client_sends_never_becomes_a_metric_label(server: Server) -> None:
    """Labels come from fixed sets: a room we serve or "unknown", a known client kind or
    "other". Before, each unknown ``?room=`` of a refused command was a new series."""
    async with websockets.connect(f"{server.ws_url}&client=console") as ws:
        await recv_json(ws)
        for n in range(2):
            server.request("POST", f"/api/commands?room=x{n}", {"action": "next"})  # 401
            server.request("POST", f"/api/commands?room=y{n}", b"{", token="wrong")  # 401
        after_two = series(server)
        for n in range(2, 40):
            server.request("POST", f"/api/commands?room=x{n}{'a' * 500}", {"action": "next"})
            server.request("POST", f"/api/commands?room=y{n}", b"{", token="wrong")
        async with (
            websockets.connect(f"{server.ws_url}&client=odd-{'z' * 10}") as odd,
            websockets.connect(f"{server.ws_url}&client=another") as another,
        ):
            await recv_json(odd)
            await recv_json(another)
            m = scrape(server)
    assert set(m) == after_two | {'podium_clients{kind="other",role="viewer",room="itu-miit-2021"}'}
    assert m['podium_clients{kind="other",role="viewer",room="itu-miit-2021"}'] == 2
    assert m['podium_commands_total{action="",outcome="unauthorized",room="unknown"}'] == 80


def test_a_private_event_protects_the_read_routes(tmp_path: Path) -> None:
    server = Server(data_dir=tmp_path / "data", env={"PODIUM_VIEWER_TOKEN": "viewer-secret"})
    server.start()
    try:
        for path in ("/metrics", "/api/state/text?field=speaker", "/api/events"):
            status, body = server.request("GET", path)
            assert status == 401 and body["error"]["code"] == "unauthorized", path
        assert scrape(server, token="viewer-secret")['podium_store_up{store="files"}'] == 1
        assert text(server, "phase&token=viewer-secret") == (200, "idle")
        watched = podium_with(
            "watch", server.url, "--once", env={"PODIUM_VIEWER_TOKEN": "viewer-secret"}
        )
        assert watched.returncode == 0 and "no session live" in watched.stdout, watched.stderr
        env = {"PODIUM_VIEWER_TOKEN": "wrong", "PODIUM_MODERATOR_TOKEN": ""}
        refused = podium_with("watch", server.url, "--once", env=env)
        assert refused.returncode == 2 and "unauthorized" in refused.stderr
    finally:
        server.kill()


def test_the_report_api_is_for_moderators(server: Server) -> None:
    server.command("start_session", session_id="opening-session")
    server.command("next")
    status, body = server.request("GET", "/api/report?format=html")
    assert status == 401
    status, body = server.request("GET", "/api/report?format=pdf", token=server.token)
    assert status == 400 and "html" in body["error"]["message"]
    status, data = server.request("GET", "/api/report", token=server.token)
    assert status == 200
    speakers = data["sessions"][0]["speakers"]
    # the first was on for a moment only: skipped (engine.SKIPPED_UNDER_MS), not heard
    assert [s["status"] for s in speakers] == ["skipped", "live", "did not speak"]
    assert data["totals"]["commands"] == 2


def test_ctl_sends_commands_with_the_apis_errors(server: Server) -> None:
    env = {"PODIUM_MODERATOR_TOKEN": server.token}
    done = podium_with("ctl", "start_session", "session-1", "--url", server.url, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("v1 · live · Session 1") and "Mr. Hequan WU" in done.stdout
    assert podium_with("ctl", "add_time", "60", "--url", server.url, env=env).returncode == 0
    _, api = server.request("POST", "/api/commands", {"action": "resume"}, server.token)
    refused = podium_with("ctl", "resume", "--url", server.url, env=env)
    assert refused.returncode == 1
    assert refused.stderr.strip() == f"podium: invalid_transition: {api['error']['message']}"
    stale = podium_with("ctl", "next", "--expected-version", "0", "--url", server.url, env=env)
    assert stale.returncode == 1 and "podium: conflict: " in stale.stderr
    no_token = podium_with("ctl", "next", "--url", server.url, "--data-dir", str(server.data_dir),
                      env={"PODIUM_MODERATOR_TOKEN": ""})  # fmt: skip
    assert no_token.returncode == 1 and "PODIUM_MODERATOR_TOKEN" in no_token.stderr
    assert str(server.data_dir / "moderator.token") in no_token.stderr
    nobody = podium_with("ctl", "next", "--url", f"http://127.0.0.1:{free_port()}", env=env)
    assert nobody.returncode == 3 and "cannot reach" in nobody.stderr
    assert server.state()["version"] == 2
    assert server.state()["state"]["timer"]["added_ms"] == 60_000
    ids = [r["command"].get("command_id", "") for r in log_records(server)[1:]]
    assert len(set(ids)) == 2 and all(i.startswith("ctl-") for i in ids)  # each its own id

    def left_s() -> int:
        now = server.state()
        return (now["state"]["timer"]["ends_at"] - now["server_time"]) // 1000

    most = left_s() + 1  # 8:20 + 1:00 added, less what a loaded machine took until here
    watched = podium_with("watch", server.url, "--once")
    least = left_s() - 1
    assert watched.returncode == 0, watched.stderr
    assert "Mr. Hequan WU" in watched.stdout and "next: Mr. Bilel Jamoussi" in watched.stdout
    mm_ss = re.findall(r"(?<![\d:])(\d+):(\d\d)(?![\d:])", watched.stdout)  # not h:mm:ss
    shown = [int(m) * 60 + int(s) for m, s in mm_ss]
    assert most <= 9 * 60 + 20 and any(least <= s <= most for s in shown), (least, most, shown)


def test_podium_report_reads_the_servers_log(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.command("start_session", session_id="session-1")
    server.command("next")
    data_dir = str(server.data_dir)
    assert main(["report", "--data-dir", data_dir, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["sessions"][1]["status"] == "live"
    assert report["sessions"][1]["speakers"][0]["status"] == "skipped"  # on for a moment
    out = tmp_path / "report.html"
    assert main(["report", "--data-dir", data_dir, "--format", "html", "-o", str(out)]) == 0
    assert out.read_text().startswith("<!doctype html>")
    assert main(["report", "--data-dir", str(tmp_path / "empty")]) == 2
    assert "no action log" in capsys.readouterr().err


def test_a_generated_token_stays_out_of_the_log_and_ctl_reads_its_file(tmp_path: Path) -> None:
    server = Server(data_dir=tmp_path / "data", env={"PODIUM_MODERATOR_TOKEN": ""}).start()
    try:
        token_file = server.data_dir / "moderator.token"
        token = token_file.read_text().strip()
        banner = server.log.read_text()  # stdout is a file here, not a terminal
        assert f"{server.url}/console" in banner and str(token_file.resolve()) in banner
        assert token not in banner and "#token=" not in banner

        no_env = {"PODIUM_MODERATOR_TOKEN": "", "PODIUM_DATA_DIR": ""}
        args = ("ctl", "start_session", "session-1", "--url", server.url)
        done = podium_with(*args, "--data-dir", str(server.data_dir), env=no_env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("v1 · live · Session 1")
        by_env = podium_with("ctl", "next", "--url", server.url,
                        env={**no_env, "PODIUM_DATA_DIR": str(server.data_dir)})  # fmt: skip
        assert by_env.returncode == 0, by_env.stderr
        assert server.state()["version"] == 2
    finally:
        server.kill()


@pytest.fixture
def chromium() -> str:
    return chromium_or_skip()


async def test_the_html_report_renders_under_its_csp(chromium: str, server: Server) -> None:
    """Served on its own, and opened from an app page as a blob: URL, as the console does
    (a blob document inherits the opener's CSP, which allows the report's stylesheet)."""
    from playwright.async_api import async_playwright

    server.command("start_session", session_id="opening-session")
    server.command("next")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = await browser.new_context()
        page = await context.new_page()
        refusals: list[str] = []  # CSP refusals show as console errors
        context.on("console", lambda msg: refusals.append(msg.text) if "Refused" in msg.text else 0)
        headers = {"Authorization": f"Bearer {server.token}"}
        await page.set_extra_http_headers(headers)
        response = await page.goto(f"{server.url}/api/report?format=html")
        assert response is not None and response.status == 200
        assert STYLE_HASH in response.headers["content-security-policy"]
        # the inline stylesheet applied (a CSP refusal would leave the default 32px)
        size = "getComputedStyle(document.querySelector('h1')).fontSize"
        assert await page.evaluate(size) == "22px"
        bars = await page.locator("svg rect title").all_text_contents()
        assert any(t.startswith("H.E. Mr. Weizhong QIN: actual") for t in bars)
        assert any(t.startswith("H.E. Mr. Houlin ZHAO: planned 09:10:00-09:20:00") for t in bars)

        await page.goto(f"{server.url}/console")  # the page that opens it: the pages' CSP
        async with context.expect_page() as opened:
            await page.evaluate(
                """async (token) => {
                  const r = await fetch("/api/report?format=html",
                                        {headers: {Authorization: `Bearer ${token}`}});
                  window.open(URL.createObjectURL(await r.blob()), "_blank");
                }""",
                server.token,
            )
        report = await opened.value
        await report.wait_for_load_state()
        assert report.url.startswith("blob:") and await report.evaluate(size) == "22px"
        assert refusals == []
        await browser.close()


def test_podium_report_reads_a_redis_log(
    tmp_path: Path, redis_server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    redis_args = ["--redis", redis_server.url, "--redis-prefix", redis_server.prefix]
    server = Server(data_dir=tmp_path / "data", extra_args=redis_args).start()
    try:
        server.command("start_session", session_id="opening-session")
        server.command("pause")
        server.command("end_session")
    finally:
        server.kill()
    assert main(["report", *redis_args, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    opening = report["sessions"][0]
    assert opening["status"] == "done" and report["totals"]["commands"] == 3
    assert opening["speakers"][0]["status"] == "skipped"  # on for a moment
    assert report["commands"] == {"start_session": 1, "pause": 1, "end_session": 1}

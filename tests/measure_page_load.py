"""How long a page takes to show the live state on a slow, far link, and what it moves.

Starts a real server for the seed (session 1 running), opens each page in headless
Chromium with the network throttled over CDP (``Network.emulateNetworkConditions``:
400 ms round trip, 1.6 Mbit/s each way), a fresh cache each time, and records:

- *shown*: from navigation start to the performance mark ``podium-shown``, which a page
  sets in the animation frame that first paints the state from the server
  (``firstShown`` in ``web/js/podium.js``);
- *transfer*: the bytes received: every HTTP response as it came over the wire (headers
  and body, compressed; CDP's ``encodedDataLength``) plus the WebSocket handshake's
  response headers and the frames received until *shown*;
- *requests*: HTTP requests, and the WebSocket.

"viewer, again" is the viewer reloaded in the same browser context: its cache kept.
A figure for the docs, never a test assertion::

    .venv/bin/python -m tests.measure_page_load [RUNS]
"""

from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Browser, CDPSession, Page

from tests.measure_web_latency import seed_served_in_chromium

ROUND_TRIP_MS = 400
BYTES_PER_S = 200_000  # 1.6 Mbit/s
PAGES = {"viewer": "/viewer", "console": "/console", "screen": "/screen", "overlay": "/overlay"}


@dataclass
class Traffic:
    """What CDP reported about one page load."""

    http: dict[str, int] = field(default_factory=dict)  # request id -> bytes received
    websocket: int = 0
    sockets: int = 0

    def listen(self, cdp: CDPSession) -> None:
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.webSocketCreated", self._created)
        cdp.on("Network.webSocketHandshakeResponseReceived", self._handshake)
        cdp.on("Network.webSocketFrameReceived", self._frame)

    def _finished(self, event: dict[str, Any]) -> None:
        self.http[event["requestId"]] = int(event["encodedDataLength"])

    def _created(self, _: dict[str, Any]) -> None:
        self.sockets += 1

    def _handshake(self, event: dict[str, Any]) -> None:
        headers = event["response"].get("headersText") or "".join(
            f"{k}: {v}\r\n" for k, v in event["response"]["headers"].items()
        )
        self.websocket += len(headers.encode())

    def _frame(self, event: dict[str, Any]) -> None:
        payload = len(event["response"]["payloadData"].encode())
        self.websocket += payload + (2 if payload < 126 else 4 if payload < 65536 else 10)

    @property
    def total(self) -> int:
        return sum(self.http.values()) + self.websocket


def throttle(cdp: CDPSession) -> None:
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": ROUND_TRIP_MS,
            "downloadThroughput": BYTES_PER_S,
            "uploadThroughput": BYTES_PER_S,
        },
    )


def shown_ms(page: Page) -> float:
    page.wait_for_function("() => performance.getEntriesByName('podium-shown').length > 0")
    return page.evaluate("performance.getEntriesByName('podium-shown')[0].startTime")


def load(page: Page, cdp: CDPSession, url: str) -> tuple[float, Traffic]:
    traffic = Traffic()
    traffic.listen(cdp)
    page.goto(url, wait_until="commit")
    shown = shown_ms(page)
    page.wait_for_selector("#podium-status[data-state='live']", state="attached")  # socket's
    page.wait_for_load_state("networkidle")
    return shown, traffic


def measure_once(browser: Browser, url: str, again: bool) -> tuple[float, Traffic]:
    context = browser.new_context()
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        throttle(cdp)
        shown, traffic = load(page, cdp, url)
        if again:
            fresh = context.new_page()  # the same context: its HTTP cache kept
            cdp = context.new_cdp_session(fresh)
            throttle(cdp)
            shown, traffic = load(fresh, cdp, url)
        return shown, traffic
    finally:
        context.close()


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with seed_served_in_chromium() as (server, browser):
        server.command("start_session", session_id="session-1")
        cases = [(name, path, False) for name, path in PAGES.items()]
        cases.insert(1, ("viewer, again", "/viewer", True))
        print(f"{ROUND_TRIP_MS} ms round trip, {BYTES_PER_S * 8 / 1e6:g} Mbit/s, {runs} runs")
        print(f"{'page':<15} {'shown ms':>9} {'(min-max)':>11} {'KB':>6} {'HTTP':>5} {'WS KB':>6}")
        for name, path, again in cases:
            url = server.url + path + (f"#token={server.token}" if name == "console" else "")
            results = [measure_once(browser, url, again) for _ in range(runs)]
            times = sorted(r[0] for r in results)
            traffic = sorted((r[1] for r in results), key=lambda t: t.total)[len(results) // 2]
            print(
                f"{name:<15} {statistics.median(times):>9.0f} "
                f"{f'({times[0]:.0f}-{times[-1]:.0f})':>11} {traffic.total / 1000:>6.1f} "
                f"{len(traffic.http):>5} {traffic.websocket / 1000:>6.1f}"
            )


if __name__ == "__main__":
    main()
